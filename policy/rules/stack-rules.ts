import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

const retainAnnotation = "sandbox-platform.io/retain-on-delete";

function isDefaultDeny(policy: PolicyResource): boolean {
    const spec = policy.props.spec ?? {};
    const selectsAll = spec.podSelector && Object.keys(spec.podSelector.matchLabels ?? {}).length === 0 && (spec.podSelector.matchExpressions ?? []).length === 0;
    const types: string[] = spec.policyTypes ?? [];
    return Boolean(selectsAll) && types.includes("Ingress") && types.includes("Egress") && !(spec.ingress?.length) && !(spec.egress?.length);
}

/** Every sandbox namespace starts from deny-all, in both directions. */
export const sandboxNamespaceDefaultDeny: StackValidationPolicy = {
    name: "sandbox-namespace-default-deny",
    description: "Every sandbox namespace has a default-deny NetworkPolicy for ingress and egress.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const denied = new Set(args.resources
            .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && isDefaultDeny(r))
            .map((r) => r.props.metadata?.namespace));
        for (const namespace of args.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")) {
            const labels = namespace.props.metadata?.labels ?? {};
            if (labels["sandbox-platform.io/sandboxes"] === "true" && !denied.has(namespace.props.metadata?.name)) {
                reportViolation(`sandbox namespace ${namespace.props.metadata?.name} has no default-deny NetworkPolicy`, namespace.urn);
            }
        }
    },
};

/**
 * Sandbox volumes hold developers' data: Pulumi must never delete them. The engine
 * does not pass retainOnDelete to policy packs, so where it is not visible the
 * annotation the platform sets with it is read instead.
 */
export const retainedSandboxVolumes: StackValidationPolicy = {
    name: "retained-sandbox-volumes",
    description: "Every sandbox PVC is retained on delete or protected.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const claim of args.resources.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim")) {
            if (claim.props.metadata?.labels?.["sandbox-platform.io/sandbox"] === undefined) {
                continue;
            }
            const opts = claim.opts as PolicyResource["opts"] & { retainOnDelete?: boolean };
            const retained = opts.retainOnDelete !== undefined
                ? opts.retainOnDelete === true
                : claim.props.metadata?.annotations?.[retainAnnotation] === "true";
            if (!retained && !opts.protect) {
                reportViolation(`sandbox volume ${claim.props.metadata?.namespace}/${claim.props.metadata?.name} is neither retained on delete nor protected`, claim.urn);
            }
        }
    },
};
