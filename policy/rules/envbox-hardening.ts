import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";
import { envboxContainers, envboxProblems } from "./envbox";
import { describeWorkload, onWorkloads } from "./workloads";

/** Every pod that runs envbox has the hardened shape, privileged or not. */
export const envboxHardening: ResourceValidationPolicy = {
    name: "envbox-hardening",
    description: "envbox pods: pinned image, /envbox docker, read-only allowlisted hostPaths, no host namespaces, no token, volume-backed CODER_MOUNTS.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: onWorkloads((workload, args, reportViolation) => {
        for (const ref of envboxContainers(workload, args.getConfig<RuleConfig>())) {
            for (const problem of envboxProblems(ref, workload)) {
                reportViolation(`${describeWorkload(workload)}: envbox container ${ref.container.name} (${ref.path}): ${problem}`);
            }
        }
    }),
};
