// What `pulumi up` waits for, per resource, and the platform's choice.
//
// The rules of the Kubernetes provider (pulumi/pulumi-kubernetes provider/pkg/await and
// provider/pkg/metadata, read at 94977969d, the newest snapshot available here; the
// pinned @pulumi/kubernetes is 4.34.2: see docs/upstream.md, "pulumi up at scale"):
// - await.go Creation/Update: the timeout is customTimeouts (create/update) if set, else
//   the `pulumi.com/timeoutSeconds` annotation, else 10 minutes; `pulumi.com/skipAwait:
//   "true"` makes the condition immediate (metadata/overrides.go ReadyCondition, and
//   awaiters.go newLegacyReadyCondition for the built-in kinds);
// - awaiters.go: the built-in awaiters by kind (Deployment: rollout available, the new
//   ReplicaSet ready and its PVCs bound; DaemonSet: every scheduled pod updated and
//   ready; Service: endpoints with ready addresses; PVC: Bound, or Pending under a
//   WaitForFirstConsumer class, within a fixed 5 minutes; ...); a kind without one (a
//   ConfigMap, a NetworkPolicy, a custom resource) is not awaited unless it has
//   `pulumi.com/waitFor` or PULUMI_K8S_AWAIT_ALL=true;
// - provider/helm_release.go: a helm.v3.Release waits (Helm's --wait) unless skipAwait,
//   for `timeout` seconds, 300 by default.
//
// The choice: platform services are awaited (each gates the next: the database before
// Coder, the runtimes before the sandboxes that use them). Sandbox workloads are not:
// a cold envbox sandbox may take its startup probe's 30 minutes (image pulls, the inner
// image, packages), and 1,000 of them must not hold `pulumi up` or fail it with
// timeouts. Their readiness is `npm run status -- <stack>`.

/** The provider's annotations (metadata/annotations.go). */
export const skipAwaitAnnotation = "pulumi.com/skipAwait";
export const timeoutSecondsAnnotation = "pulumi.com/timeoutSeconds";
export const waitForAnnotation = "pulumi.com/waitFor";

/** Default timeout of the generic await path and of every built-in awaiter that takes the configured one (await.go). */
export const defaultAwaitSeconds = 600;
/** The PVC awaiter's own fixed bound (awaiters.go untilCoreV1PersistentVolumeClaimReady: WatchUntil(..., 5*time.Minute)). */
export const pvcAwaitSeconds = 300;
/** helm.v3.Release's default timeout (provider/helm_release.go defaultTimeoutSeconds). */
export const helmReleaseDefaultTimeoutSeconds = 300;

/** Kinds with a built-in awaiter (awaiters.go, apps/v1, v1, batch/v1, networking.k8s.io/v1 entries with an await function). */
export const awaitedKinds: Readonly<Record<string, string>> = {
    Deployment: "the Deployment Available, its new ReplicaSet available and ready, and its PVCs bound",
    StatefulSet: "its rollout (statefulset.go; not used by the platform)",
    DaemonSet: "the rollout Current by kstatus: every scheduled pod updated and available",
    Job: "its completion (job.go; not used by the platform)",
    Pod: "its readiness (pod.go; not used by the platform)",
    Service: "its endpoints targeting ready pods (and a LoadBalancer's address)",
    Ingress: "its backends and address (ingress.go; not used by the platform)",
    PersistentVolumeClaim: "Bound, or Pending under a WaitForFirstConsumer storage class",
    PersistentVolume: "Available or Bound",
    ReplicationController: "available replicas = spec.replicas",
    ResourceQuota: "status.hard = spec.hard",
    Secret: "data allocated (service-account-token secrets)",
    ServiceAccount: "its default secret (clusters before 1.24 only)",
};

/** What `pulumi up` may wait for one Kubernetes object, in seconds, by the provider's rules. */
export function awaitBoundSeconds(object: { kind?: string; metadata?: { annotations?: Record<string, string> } }, customTimeoutSeconds?: number): number {
    const annotations = object.metadata?.annotations ?? {};
    if (annotations[skipAwaitAnnotation] === "true") {
        return 0;
    }
    const configured = customTimeoutSeconds ?? (/^\d+$/.test(annotations[timeoutSecondsAnnotation] ?? "") ? Number(annotations[timeoutSecondsAnnotation]) : undefined);
    const timeout = configured ?? defaultAwaitSeconds;
    const kind = object.kind ?? "";
    if (kind === "PersistentVolumeClaim") {
        return Math.min(pvcAwaitSeconds, timeout);
    }
    if (kind in awaitedKinds || annotations[waitForAnnotation] !== undefined) {
        return timeout;
    }
    return 0;
}

/** A helm.v3.Release's wait (Helm's --wait), by its args. */
export function helmReleaseAwaitSeconds(args: { skipAwait?: boolean; timeout?: number }): number {
    return args.skipAwait ? 0 : args.timeout ?? helmReleaseDefaultTimeoutSeconds;
}

/**
 * The documented bound for a sandbox workload: the controller and Service of a sandbox,
 * and a team's image pre-pull, are applied without waiting (their readiness is
 * `npm run status`). What a team stack can still wait for per sandbox is its PVCs'
 * binding (5 minutes at most, none under WaitForFirstConsumer, K3s local-path's mode),
 * which the PVCs keep because their inputs never change.
 */
export const sandboxWorkloadAwaitBoundSeconds = pvcAwaitSeconds;

/** Annotations of a sandbox workload (Deployment, Service, pre-pull DaemonSet): applied, not awaited. */
export function sandboxWorkloadAwaitAnnotations(): Record<string, string> {
    return { [skipAwaitAnnotation]: "true" };
}
