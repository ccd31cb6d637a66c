import * as pulumi from "@pulumi/pulumi";
import { k8sClasses } from "../provider-classes";
import { ClusterConfig, DevicesConfig, GpuConfig, NetworkConfig, PlatformConfig, RuntimesConfig } from "../config/schema";
import { deployHelmRelease } from "../platform/helm";
import { buildRuntimeClasses } from "./runtime-classes";
import { kataRuntimeClassName } from "../sandboxes/plan";
import { buildSmarterDeviceManager, kataDeployRelease, nvidiaDevicePluginRelease } from "./installers";
import { buildSysboxInstaller } from "./sysbox";
import { gvisorNodeLabel } from "./runtime-classes";
import { k3sContainerdDir } from "./preflight";
import { kataDeployChart } from "../versions";
import { buildInstallerNetworkPolicies } from "../cluster/network-policies";

/** What a user should know before deploying these runtimes here. */
export function runtimeWarnings(config: Pick<PlatformConfig, "cluster" | "runtimes">): string[] {
    const warnings: string[] = [];
    if (config.runtimes.sysbox.enabled && config.cluster.distribution === "k3s") {
        warnings.push("runtimes.sysbox: K3s nodes are not an official Sysbox target (sysbox-deploy-k8s installs CRI-O); envbox runs sysbox inside a pod and is the supported choice on K3s.");
    }
    if (config.runtimes.gvisor.enabled) {
        warnings.push(`runtimes.gvisor: the platform does not install gVisor. Install runsc and containerd-shim-runsc-v1 and a containerd runtime entry "runsc" (runtime_type io.containerd.runsc.v1; on K3s a file in ${k3sContainerdDir}/config-v3.toml.d/) on each gVisor node, then on that node run \`npm run preflight -- --require gvisor && kubectl label node <node> ${gvisorNodeLabel.key}=${gvisorNodeLabel.value}\`: preflight passes only where all three are present, and the gvisor RuntimeClass selects that label. Until then gVisor pods stay Pending.`);
    }
    if (config.runtimes.kata.enabled && config.cluster.distribution === "k3s") {
        warnings.push(`runtimes.kata: kata-deploy ${kataDeployChart.version} on K3s needs a K3s release whose containerd config imports config-v3.toml.d/ (k3s-io/k3s PR 13680); \`npm run preflight\` checks it.`);
    }
    return warnings;
}

export interface RuntimesArgs {
    /** Which sandbox runtimes to install (sysbox, kata and its shims) or declare (gvisor). */
    runtimes: RuntimesConfig;
    /** The NVIDIA device plugin and its time-slicing. */
    gpu: GpuConfig;
    /** FUSE and TUN for sandboxes (smarter-device-manager). */
    devices: DevicesConfig;
    /** Distribution (K3s specifics), Helm mode and the address ranges the installers' policies use. */
    cluster: ClusterConfig;
    /** The API server's addresses, which the installers' network policies allow. */
    network: NetworkConfig;
}

/** Cluster-wide installers and RuntimeClasses for the runtimes and devices the config enables. */
export class Runtimes extends pulumi.ComponentResource {
    readonly warnings: string[] = [];

    constructor(name: string, args: RuntimesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:runtimes:Runtimes", name, {}, opts);
        const config: Pick<PlatformConfig, "runtimes" | "gpu" | "devices" | "cluster" | "network"> = args;
        const child = { parent: this };
        const helmMode = config.cluster.helm;

        this.warnings.push(...runtimeWarnings(config));
        // Only the platform's pods in kube-system (K3s's own pods there are never selected), when it runs any there.
        const anyInstaller = config.runtimes.sysbox.enabled || config.runtimes.kata.enabled || config.gpu.enabled || config.devices.fuse || config.devices.tun;
        for (const policy of anyInstaller ? buildInstallerNetworkPolicies(config) : []) {
            new k8sClasses.networking.v1.NetworkPolicy(`kube-system-${policy.metadata!.name}`, policy, child);
        }
        if (config.runtimes.sysbox.enabled) {
            const installer = buildSysboxInstaller();
            const sa = new k8sClasses.core.v1.ServiceAccount("sysbox-label-node", installer.serviceAccount, child);
            const role = new k8sClasses.rbac.v1.ClusterRole("sysbox-node-labeler", installer.role, child);
            const binding = new k8sClasses.rbac.v1.ClusterRoleBinding("sysbox-label-node-rb", installer.binding, { parent: this, dependsOn: [sa, role] });
            const attributes = new k8sClasses.core.v1.ConfigMap("sysbox-operational-attributes", installer.config, child);
            new k8sClasses.apps.v1.DaemonSet("sysbox-deploy-k8s", installer.daemonSet, { parent: this, dependsOn: [binding, attributes] });
        }
        let kataInstaller: pulumi.Resource | undefined;
        if (config.runtimes.kata.enabled) {
            kataInstaller = deployHelmRelease(kataDeployRelease(config), helmMode, child);
        }
        for (const runtimeClass of buildRuntimeClasses(config)) {
            const isKata = config.runtimes.kata.shims.some((shim) => kataRuntimeClassName(shim) === runtimeClass.metadata!.name);
            new k8sClasses.node.v1.RuntimeClass(`runtimeclass-${runtimeClass.metadata!.name}`, runtimeClass,
                { parent: this, ...(isKata && kataInstaller ? { dependsOn: [kataInstaller] } : {}) });
        }
        if (config.gpu.enabled) {
            deployHelmRelease(nvidiaDevicePluginRelease(config), helmMode, child);
        }
        if (config.devices.fuse || config.devices.tun) {
            const devices = buildSmarterDeviceManager(config);
            const deviceConfig = new k8sClasses.core.v1.ConfigMap("smarter-device-manager", devices.config, child);
            new k8sClasses.apps.v1.DaemonSet("smarter-device-manager", devices.daemonSet, { parent: this, dependsOn: [deviceConfig] });
        }
        for (const warning of this.warnings) {
            pulumi.log.warn(warning, this);
        }
        this.registerOutputs({ warnings: this.warnings });
    }
}
