import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";
import { envboxProblems, isEnvboxImage } from "./envbox";
import { describeWorkload, isPrivileged, onWorkloads, sandboxRuntimeClass, Workload } from "./workloads";

/** A node-level runtime installer from the pack's allowlist, running in kube-system. */
export function isAllowedInstaller(workload: Workload, image: unknown, config: RuleConfig): boolean {
    return workload.namespace === "kube-system" && typeof image === "string" && config.installerImages.includes(image);
}

/**
 * No container anywhere may be privileged, except the hardened envbox outer
 * container and the allowlisted node installers; sysbox and kata pods never.
 */
export const noPrivilegedContainers: ResourceValidationPolicy = {
    name: "no-privileged-containers",
    description: "No privileged containers, except the hardened envbox outer container and allowlisted runtime installers.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: onWorkloads((workload, args, reportViolation) => {
        const config = args.getConfig<RuleConfig>();
        const runtime = sandboxRuntimeClass(workload.pod.runtimeClassName);
        for (const ref of workload.containers.filter((r) => isPrivileged(r.container))) {
            const what = `${describeWorkload(workload)}: container ${ref.container.name} (${ref.path}) is privileged`;
            if (runtime) {
                reportViolation(`${what}; ${runtime} sandboxes need no privileged container at all`);
            } else if (isEnvboxImage(ref.container.image, config)) {
                const problems = ref.path.startsWith("containers[") ? envboxProblems(ref, workload) : [`envbox runs only as a regular container, not in ${ref.path}`];
                if (problems.length > 0) {
                    reportViolation(`${what}; only a hardened envbox outer container may be: ${problems.join("; ")}`);
                }
            } else if (!isAllowedInstaller(workload, ref.container.image, config)) {
                reportViolation(`${what}; only the envbox outer container and allowlisted installers in kube-system (${config.installerImages.join(", ")}) may be`);
            }
        }
    }),
};
