// The installer allowlist, derived from the platform's own installer definitions (one
// source): a pod may use the host (privileged containers, hostPath volumes) only when it
// is exactly one of these pods: same namespace, service account, containers (image with
// exact tag or digest, command and args) and a subset of their host paths.

import { PlatformConfig } from "../components/config/schema";
import { DaemonSet } from "../components/manifest";
import { buildSmarterDeviceManager } from "../components/runtimes/installers";
import { buildPreflightDaemonSet } from "../components/runtimes/preflight-daemonset";
import { buildSysboxInstaller } from "../components/runtimes/sysbox";

export interface InstallerContainer {
    image: string;
    /** Exact command; absent means the pod must not set one (the image's entrypoint). */
    command?: string[];
    args?: string[];
    /** May run privileged. */
    privileged: boolean;
}

export interface InstallerAllowance {
    /** What it is, for messages. */
    name: string;
    namespace: string;
    /** The pod's service account ("default" when unset). */
    serviceAccountName: string;
    containers: InstallerContainer[];
    /** Host paths its volumes may name. */
    hostPaths: string[];
}

/** The allowance that admits exactly the pods of this DaemonSet. */
export function allowanceFor(daemonSet: DaemonSet): InstallerAllowance {
    const pod: any = daemonSet.spec?.template?.spec ?? {};
    const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])].map((c: any) => ({
        image: c.image,
        ...(c.command ? { command: [...c.command] } : {}),
        ...(c.args ? { args: [...c.args] } : {}),
        privileged: c.securityContext?.privileged === true,
    }));
    return {
        name: `DaemonSet ${daemonSet.metadata?.namespace}/${daemonSet.metadata?.name}`,
        namespace: daemonSet.metadata?.namespace ?? "default",
        serviceAccountName: pod.serviceAccountName ?? "default",
        containers,
        hostPaths: (pod.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.hostPath.path),
    };
}

/**
 * The platform's node-level pods that need the host: the sysbox installer, the
 * smarter-device-manager and the node preflight. kata-deploy and the NVIDIA device
 * plugin are installed by Helm charts whose pods the pack does not see (docs/policies.md).
 */
export function platformInstallerAllowances(): InstallerAllowance[] {
    const everyDevice = { devices: { fuse: true, tun: true } } as PlatformConfig;
    return [
        buildSysboxInstaller().daemonSet,
        buildSmarterDeviceManager(everyDevice).daemonSet,
        buildPreflightDaemonSet("").daemonSet,
    ].map(allowanceFor);
}
