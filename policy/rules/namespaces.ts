import type { ResourceValidationPolicy } from "@pulumi/policy";

const enforceLabel = "pod-security.kubernetes.io/enforce";
const levels = ["privileged", "baseline", "restricted"];

/** Namespaces carry Pod Security labels; privileged is enforced only where envbox sandboxes run. */
export const namespacePodSecurity: ResourceValidationPolicy = {
    name: "namespace-pod-security",
    description: "Namespaces set a Pod Security enforce level; privileged only for envbox sandbox namespaces.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "kubernetes:core/v1:Namespace") {
            return;
        }
        const name = args.props.metadata?.name;
        const labels = args.props.metadata?.labels ?? {};
        const level = labels[enforceLabel];
        if (!levels.includes(level)) {
            reportViolation(`Namespace ${name}: ${enforceLabel} must be one of ${levels.join(", ")}, got ${level ?? "nothing"}`);
        } else if (level === "privileged" && !(labels["sandbox-platform.io/sandboxes"] === "true" && labels["sandbox-platform.io/runtime"] === "envbox")) {
            reportViolation(`Namespace ${name}: privileged is enforced only where envbox sandboxes run`);
        }
    },
};
