import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";
import { envboxContainers, envboxProblems } from "./envbox";
import { describeWorkload, isPrivileged, onWorkloads } from "./workloads";

/** Every pod that runs envbox privileged has the hardened shape. */
export const envboxHardening: ResourceValidationPolicy = {
    name: "envbox-hardening",
    description: "envbox pods: pinned image, exactly /envbox docker, no args or foreign exec, read-only allowlisted hostPaths, no host namespaces, no token, volume-backed CODER_MOUNTS.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: onWorkloads((workload, args, reportViolation) => {
        const config = args.getConfig<RuleConfig>();
        // An unprivileged envbox image (the pre-pull's no-op) is an ordinary container: baseline judges it.
        for (const ref of envboxContainers(workload, config).filter((r) => isPrivileged(r.container))) {
            for (const problem of envboxProblems(ref, workload, config)) {
                reportViolation(`${describeWorkload(workload)}: envbox container ${ref.container.name} (${ref.path}): ${problem}`);
            }
        }
    }),
};
