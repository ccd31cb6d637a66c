import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeWorkload, isPrivileged, onWorkloads, sandboxRuntimeClass } from "./workloads";

/** sysbox and kata pods need no privilege; sysbox pods must run in a user namespace. */
export const isolatedRuntimePods: ResourceValidationPolicy = {
    name: "isolated-runtime-pods",
    description: "sysbox and kata pods have no privileged container; sysbox pods set hostUsers: false.",
    enforcementLevel: "mandatory",
    validateResource: onWorkloads((workload, _args, reportViolation) => {
        const runtime = sandboxRuntimeClass(workload.pod.runtimeClassName);
        if (!runtime) {
            return;
        }
        const privileged = workload.containers.filter((ref) => isPrivileged(ref.container));
        if (privileged.length > 0) {
            reportViolation(`${describeWorkload(workload)}: ${runtime} pod has privileged container(s) ${privileged.map((r) => r.path).join(", ")}`);
        }
        if (runtime === "sysbox" && workload.pod.hostUsers !== false) {
            reportViolation(`${describeWorkload(workload)}: sysbox pods must set hostUsers: false`);
        }
    }),
};
