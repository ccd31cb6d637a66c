import * as assert from "assert";
import { fileTree } from "./helpers/file-tree";
import * as YAML from "yaml";
import { parsePlatformConfig } from "../components/config/load";
import { buildRuntimeClasses } from "../components/runtimes/runtime-classes";
import { kataDeployRelease, nvidiaDevicePluginRelease, buildSmarterDeviceManager, privilegedInstallerImages } from "../components/runtimes/installers";
import { gvisorLabel, gvisorLabelCommand, kernelVersion, preflight, readinessTable } from "../components/runtimes/preflight";
import { gvisorNodeLabel } from "../components/runtimes/runtime-classes";
import { buildPreflightDaemonSet } from "../components/runtimes/preflight-daemonset";
import { policyConfigDefaults } from "../policy/config";
import { renderedStack } from "./helpers/stacks";
import { helmReleases } from "../tools/render-files";
import { baseConfig, ofKind, runPlatform } from "./helpers/platform";
import { validateManifest } from "./helpers/schema";
import { runtimeWarnings } from "../components/runtimes/runtimes";

const all = {
    runtimes: { sysbox: { enabled: true }, kata: { enabled: true, shims: ["qemu-runtime-rs", "clh"] }, gvisor: { enabled: true } },
    gpu: { enabled: true, timeSlicingReplicas: 4 },
    devices: { fuse: true, tun: true },
};

describe("runtimes: RuntimeClasses and installers", () => {
    it("renders one RuntimeClass per enabled runtime and kata shim, with kata's pod overhead and node selectors", () => {
        const classes = buildRuntimeClasses(parsePlatformConfig(baseConfig(all)));
        assert.deepStrictEqual(classes.map((c) => [c.metadata!.name, c.handler]), [
            ["sysbox-runc", "sysbox-runc"], ["kata-qemu-runtime-rs", "kata-qemu-runtime-rs"], ["kata-clh", "kata-clh"], ["gvisor", "runsc"]]);
        assert.deepStrictEqual(classes[1].overhead, { podFixed: { cpu: "250m", memory: "320Mi" } });
        assert.deepStrictEqual(classes[2].overhead, { podFixed: { cpu: "250m", memory: "130Mi" } });
        assert.deepStrictEqual(classes[1].scheduling!.nodeSelector, { "katacontainers.io/kata-runtime": "true" });
        assert.deepStrictEqual(classes[0].scheduling!.nodeSelector, { "sysbox-runtime": "running" });
    });

    it("renders nothing for disabled runtimes and devices", async () => {
        const run = await runPlatform(baseConfig());
        assert.strictEqual(ofKind(run.resources, "RuntimeClass").length, 0);
        assert.ok(!run.resources.some((r) => r.inputs.metadata?.namespace === "kube-system" || r.type === "kubernetes:helm.sh/v3:Release"));
    });

    it("installs kata-deploy pinned from its OCI chart for K3s, leaving RuntimeClasses to the platform", () => {
        const release = kataDeployRelease(parsePlatformConfig(baseConfig(all)));
        assert.strictEqual(release.repo, "oci://ghcr.io/kata-containers/kata-deploy-charts");
        assert.match(release.version, /^\d+\.\d+\.\d+$/);
        assert.strictEqual(release.values.k8sDistribution, "k3s");
        assert.deepStrictEqual(release.values.runtimeClasses, { enabled: false });
        // kata-deploy 4.1.0 values.yaml: a shim left unset follows shims.disableAll (false = installed).
        const { disableAll, ...shims } = release.values.shims as Record<string, any>;
        assert.strictEqual(disableAll, true);
        assert.deepStrictEqual(shims, { "qemu-runtime-rs": { enabled: true }, "clh": { enabled: true } });
    });

    it("installs the NVIDIA device plugin with K3s' nvidia RuntimeClass, feature discovery and time-slicing", () => {
        const values = nvidiaDevicePluginRelease(parsePlatformConfig(baseConfig(all))).values as any;
        assert.strictEqual(values.runtimeClassName, "nvidia");
        assert.deepStrictEqual([values.gfd.enabled, values.nfd.enabled], [true, true]);
        const sharing = YAML.parse(values.config.map.default);
        assert.deepStrictEqual(sharing.sharing.timeSlicing.resources, [{ name: "nvidia.com/gpu", replicas: 4 }]);
        const generic = nvidiaDevicePluginRelease(parsePlatformConfig(baseConfig({ ...all, cluster: { distribution: "generic" } }))).values as any;
        assert.strictEqual(generic.runtimeClassName, undefined);
    });

    it("exposes FUSE and TUN through smarter-device-manager when enabled", () => {
        const devices = buildSmarterDeviceManager(parsePlatformConfig(baseConfig(all)));
        assert.deepStrictEqual(YAML.parse(devices.config.data!["conf.yaml"]).map((d: any) => d.devicematch), ["^fuse$", "^net/tun$"]);
        assert.strictEqual(devices.daemonSet.spec!.template.spec!.containers[0].image, "ghcr.io/smarter-project/smarter-device-manager:v1.20.12");
    });

    it("puts sandboxes on the rendered RuntimeClasses", async () => {
        const run = await runPlatform(baseConfig({ ...all, teams: [{ name: "sec", runtime: "kata", developers: ["frank"] }, { name: "infra", runtime: "sysbox", developers: ["dave"] }] }));
        const classes = new Set(ofKind(run.resources, "RuntimeClass").map((c) => c.inputs.metadata.name));
        for (const deployment of ofKind(run.resources, "Deployment")) {
            assert.ok(classes.has(deployment.inputs.spec.template.spec.runtimeClassName), deployment.inputs.metadata.name);
        }
    });

    it("warns that K3s nodes are not an official sysbox target and names envbox as the alternative", () => {
        const [warning] = runtimeWarnings(parsePlatformConfig(baseConfig(all)));
        assert.match(warning, /^runtimes\.sysbox: K3s nodes are not an official Sysbox target.*envbox/);
        assert.deepStrictEqual(runtimeWarnings(parsePlatformConfig(baseConfig({ ...all, cluster: { distribution: "generic" } }))).filter((w) => w.startsWith("runtimes.sysbox")), []);
    });

    it("says in the render that gVisor is not installed by the platform and that preflight sets the label the gvisor RuntimeClass selects", () => {
        const warnings = runtimeWarnings(parsePlatformConfig(baseConfig(all)));
        const gvisor = warnings.find((w) => w.startsWith("runtimes.gvisor:"));
        assert.ok(gvisor && gvisor.includes("does not install gVisor") && gvisor.includes(`${gvisorNodeLabel.key}=${gvisorNodeLabel.value}`) && gvisor.includes("--require gvisor"), gvisor);
    });

    it("allowlists exactly the host-access installers the prod stack deploys, by pinned image", async () => {
        const result = await renderedStack("prod");
        const images = new Set<string>();
        for (const resource of result.run.resources) {
            if (resource.inputs.kind === "DaemonSet" && resource.inputs.metadata.namespace === "kube-system") {
                resource.inputs.spec.template.spec.containers.forEach((c: any) => images.add(c.image));
            }
        }
        for (const release of helmReleases(result.run.resources).filter((r) => r.release === "kata-deploy")) {
            const image = release.values.image as { reference: string; tag: string };
            images.add(`${image.reference}:${image.tag}`);
        }
        assert.deepStrictEqual([...images].sort(), [...policyConfigDefaults.installerImages].sort());
        assert.deepStrictEqual(policyConfigDefaults.installerImages, privilegedInstallerImages);
    });
});

describe("runtimes: node preflight", () => {
    const tree = (files: Record<string, string>) => fileTree(files, "preflight-");
    const ready = {
        "proc/sys/kernel/osrelease": "6.1.0-18-amd64\n", "proc/sys/user/max_user_namespaces": "63000\n", "lib/modules/6.1.0-18-amd64/": "",
        "usr/src/": "", "dev/kvm": "", "dev/vhost-vsock": "", "dev/vhost-net": "", "usr/local/bin/runsc": "", "usr/local/bin/containerd-shim-runsc-v1": "",
        "var/lib/rancher/k3s/agent/etc/containerd/config.toml": "version = 3\nimports = [\"/var/lib/rancher/k3s/agent/etc/containerd/config-v3.toml.d/*.toml\"]\n",
        "var/lib/rancher/k3s/agent/etc/containerd/config-v3.toml.d/gvisor.toml": "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runsc]\n  runtime_type = \"io.containerd.runsc.v1\"\n",
        "dev/nvidiactl": "", "dev/nvidia0": "",
        "proc/driver/nvidia/version": "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14\n", "dev/fuse": "", "dev/net/tun": "",
    };
    const readiness = (root: string) => Object.fromEntries(preflight(root).map((r) => [r.runtime, r.ready]));

    it("reports every runtime ready on a fully prepared node", () => {
        assert.deepStrictEqual(readiness(tree(ready)), { envbox: true, sysbox: true, kata: true, gvisor: true, gpu: true, fuse: true, tun: true });
    });

    it("refuses sysbox on a 5.4 kernel without shiftfs, and accepts it with shiftfs", () => {
        const old = { ...ready, "proc/sys/kernel/osrelease": "5.4.0-150-generic", "lib/modules/5.4.0-150-generic/": "" };
        assert.strictEqual(readiness(tree(old)).sysbox, false);
        assert.strictEqual(readiness(tree({ ...old, "sys/module/shiftfs/": "" })).sysbox, true);
    });

    it("refuses sysbox when unprivileged user namespaces are off", () => {
        assert.strictEqual(readiness(tree({ ...ready, "proc/sys/kernel/unprivileged_userns_clone": "0" })).sysbox, false);
    });

    it("refuses kata without /dev/kvm, GPUs without the driver, envbox without kernel modules", () => {
        const { "dev/kvm": _kvm, "proc/driver/nvidia/version": _driver, "lib/modules/6.1.0-18-amd64/": _modules, ...rest } = ready;
        const result = readiness(tree(rest));
        assert.deepStrictEqual([result.kata, result.gpu, result.envbox], [false, false, false]);
        assert.match(readinessTable(preflight(tree(rest))), /^kata\s+no\s+NO \/dev\/kvm \(missing \(no hardware virtualization\)\)/m);
    });

    it("needs runsc, containerd-shim-runsc-v1 and a containerd runtime entry for gVisor (gvisor g3doc containerd quick_start; K3s does not detect runsc)", () => {
        const { "usr/local/bin/containerd-shim-runsc-v1": _shim, ...noShim } = ready;
        assert.strictEqual(readiness(tree(noShim)).gvisor, false);
        const { "var/lib/rancher/k3s/agent/etc/containerd/config-v3.toml.d/gvisor.toml": _entry, ...noEntry } = ready;
        assert.strictEqual(readiness(tree(noEntry)).gvisor, false);
        assert.deepStrictEqual(gvisorLabelCommand(preflight(tree(ready)), "node-1"), ["label", "node", "node-1", "sandbox-platform.io/gvisor=installed", "--overwrite"]);
        assert.deepStrictEqual(gvisorLabelCommand(preflight(tree(noEntry)), "node-1"), ["label", "node", "node-1", "sandbox-platform.io/gvisor-", "--overwrite"]);
        assert.strictEqual(gvisorLabel.key, gvisorNodeLabel.key);
    });

    it("refuses kata on a K3s whose containerd config imports no drop-in directory (kata-deploy 4.1.0 binary/src/config.rs, k3s-io/k3s PR 13680)", () => {
        assert.strictEqual(readiness(tree({ ...ready, "var/lib/rancher/k3s/agent/etc/containerd/config.toml": "version = 3\n" })).kata, false);
    });

    it("parses kernel releases", () => {
        assert.deepStrictEqual(kernelVersion("6.18.44-fc-v782"), [6, 18]);
        assert.strictEqual(kernelVersion("garbage"), undefined);
    });

    it("ships as a read-only DaemonSet that validates against the Kubernetes schemas", async () => {
        const { config, daemonSet, networkPolicy } = buildPreflightDaemonSet("console.log('x')");
        await validateManifest(config);
        await validateManifest(daemonSet);
        await validateManifest(networkPolicy);
        // Closed both ways, and the policy selects the DaemonSet's pods.
        assert.deepStrictEqual(networkPolicy.spec!.policyTypes, ["Ingress", "Egress"]);
        assert.ok(!networkPolicy.spec!.ingress && !networkPolicy.spec!.egress);
        const podLabels = daemonSet.spec!.template.metadata!.labels!;
        assert.ok(Object.entries(networkPolicy.spec!.podSelector.matchLabels!).every(([k, v]) => podLabels[k] === v));
        const container = daemonSet.spec!.template.spec!.containers[0];
        assert.ok(container.volumeMounts!.every((m) => m.readOnly === true));
        assert.strictEqual(container.securityContext!.privileged, undefined);
    });
});
