import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";
import { envboxProblems, isEnvboxImage } from "./envbox";
import { installerHint, matchingInstaller } from "./installers";
import { describeWorkload, isPrivileged, onWorkloads, sandboxRuntimeClass } from "./workloads";

/**
 * No container anywhere may be privileged, except the hardened envbox outer
 * container and the exact allowlisted installer pods; sysbox and kata pods never.
 */
export const noPrivilegedContainers: ResourceValidationPolicy = {
    name: "no-privileged-containers",
    description: "No privileged containers, except the hardened envbox outer container and allowlisted runtime installers.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: onWorkloads((workload, args, reportViolation) => {
        const config = args.getConfig<RuleConfig>();
        const runtime = sandboxRuntimeClass(workload.pod.runtimeClassName);
        const installer = matchingInstaller(workload, config);
        for (const ref of workload.containers.filter((r) => isPrivileged(r.container))) {
            const what = `${describeWorkload(workload)}: container ${ref.container.name} (${ref.path}) is privileged`;
            if (runtime) {
                reportViolation(`${what}; ${runtime} sandboxes need no privileged container at all`);
            } else if (isEnvboxImage(ref.container.image, config)) {
                const problems = envboxProblems(ref, workload, config);
                if (problems.length > 0) {
                    reportViolation(`${what}; only a hardened envbox outer container may be: ${problems.join("; ")}`);
                }
            } else if (!installer) {
                reportViolation(`${what}; besides the envbox outer container, ${installerHint(config)} may be`);
            }
        }
    }),
};
