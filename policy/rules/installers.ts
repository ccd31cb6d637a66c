// Host access for node-level installers: only a pod that is exactly one of the
// allowlisted installer pods (policy/installers.ts) may be privileged or use hostPath.

import type { RuleConfig } from "../config";
import type { InstallerAllowance } from "../installers";
import { Workload, isPinnedImage, isPrivileged } from "./workloads";

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The allowance this pod matches exactly, or undefined. */
export function matchingInstaller(workload: Workload, config: RuleConfig): InstallerAllowance | undefined {
    if (workload.patch || workload.containers.length === 0) {
        return undefined;
    }
    const pod = workload.pod;
    return config.installers.find((allowance) => workload.namespace === allowance.namespace
        && (pod.serviceAccountName ?? pod.serviceAccount ?? "default") === allowance.serviceAccountName
        && workload.containers.every(({ container, path }) => !path.startsWith("ephemeralContainers")
            && allowance.containers.some((allowed) => isPinnedImage(allowed.image)
                && container.image === allowed.image && same(container.command, allowed.command) && same(container.args, allowed.args)
                && (allowed.privileged || !isPrivileged(container))))
        && (Array.isArray(pod.volumes) ? pod.volumes : []).every((v: any) => !v?.hostPath || allowance.hostPaths.includes(v.hostPath.path)));
}

/** Why a pod using the host is not an allowlisted installer (for messages). */
export function installerHint(config: RuleConfig): string {
    return `only the pods of ${config.installers.map((a) => a.name).join(", ")} exactly (namespace, service account, image, command, args, host paths)`;
}
