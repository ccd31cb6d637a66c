// Deterministic names. A PVC's name is the identity of a developer's data and a
// Service's DNS name is what Boundary dials, so every name is derived here from
// team and developer only, never from position, runtime or anything random.

/** Namespace of a team's sandboxes. */
export function teamNamespace(team: string): string {
    return `sbx-${team}`;
}

/** A dedicated sandbox: `<team>-<developer>`. */
export function sandboxName(team: string, developer: string): string {
    return `${team}-${developer}`;
}

/** A warm-pool member: `<team>-pool-<index>`. */
export function poolMemberName(team: string, index: number): string {
    return `${team}-pool-${index}`;
}

/** A pool's own name: `<team>-pool` (its Boundary target; on the agent-sandbox backend its SandboxTemplate and SandboxWarmPool). */
export function poolName(team: string): string {
    return `${team}-pool`;
}

export function homeClaimName(sandbox: string): string {
    return `${sandbox}-home`;
}

export function dockerCacheClaimName(sandbox: string): string {
    return `${sandbox}-docker`;
}

export function sshdConfigMapName(sandbox: string): string {
    return `${sandbox}-sshd`;
}

export function serviceDnsName(sandbox: string, namespace: string): string {
    return `${sandbox}.${namespace}.svc.cluster.local`;
}

/** Label keys this platform sets and selects on. */
export const labels = {
    partOf: "app.kubernetes.io/part-of",
    managedBy: "app.kubernetes.io/managed-by",
    component: "app.kubernetes.io/component",
    sandbox: "sandbox-platform.io/sandbox",
    team: "sandbox-platform.io/team",
    developer: "sandbox-platform.io/developer",
    runtime: "sandbox-platform.io/runtime",
    /** An ephemeral member's name on a claimed agent-sandbox pod (set by its SandboxClaim). */
    poolMember: "sandbox-platform.io/pool-member",
    sandboxNamespace: "sandbox-platform.io/sandboxes",
    /** On the platform's kube-system pods that call the Kubernetes API (the only ones whose egress reaches it). */
    apiClient: "sandbox-platform.io/api-client",
} as const;

export const partOf = "sandbox-platform";

export function commonLabels(component: string): Record<string, string> {
    return { [labels.partOf]: partOf, [labels.managedBy]: "pulumi", [labels.component]: component };
}
