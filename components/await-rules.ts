// What `pulumi up` waits for, per resource, and the platform's choice.
//
// The rules of the Kubernetes provider, pulumi/pulumi-kubernetes provider/pkg/await and
// provider/pkg/metadata. The pinned @pulumi/kubernetes is 4.34.2; its tag is not in the
// mirror available here (newest tag v4.32.0, newest commit master 94977969d, 2026-07-01), so
// the code read is 94977969d, where provider/pkg/await and provider/pkg/metadata are
// unchanged since v4.32.0; the 4.34.2 SDK's generated resource docs (Deployment, Service,
// DaemonSet, PVC, yaml/v2 skipAwait) are identical to 94977969d's (docs/upstream.md, "pulumi
// up at scale"). Every fact below is @ 94977969d:
// - await.go Creation/Update: the operation's timeout is customTimeouts (create/update) if
//   set, else the `pulumi.com/timeoutSeconds` annotation (strconv.Atoi), else 10 minutes
//   (metadata/overrides.go TimeoutDuration). metadata/overrides.go ReadyCondition: with
//   `pulumi.com/skipAwait: "true"` (exactly) the condition is immediate and no awaiter runs;
//   with `pulumi.com/waitFor` that condition replaces the built-in awaiter; otherwise a kind
//   with a built-in awaiter (awaiters.go `awaiters`) uses it; any other kind (ConfigMap,
//   NetworkPolicy, RBAC, every custom resource) is immediate unless PULUMI_K8S_AWAIT_ALL=true,
//   which waits for kstatus Current (condition/ready.go Ready: a Ready condition that is not
//   True, or status.observedGeneration behind metadata.generation, keeps it waiting).
// - The awaiters by kind: Deployment, StatefulSet, DaemonSet, Job, Pod, Service, Ingress use
//   the operation's timeout (getTimeout / config.timeout); PersistentVolumeClaim,
//   PersistentVolume, ServiceAccount (5 min), ReplicationController (10 min), ResourceQuota
//   (1 min) and Secret (5 s) poll with a fixed bound (watcher.WatchUntil) that neither
//   customTimeouts nor timeoutSeconds changes (the watcher runs on the request's context).
// - await.go Deletion: waits until the object is gone, for the delete timeout (customTimeouts
//   .delete, timeoutSeconds, 10 minutes); skipAwait skips that wait only for Namespace, Pod,
//   ReplicationController, Deployment, DaemonSet, StatefulSet and Job (metadata/overrides.go
//   DeletedCondition, allowsSkipAwaitWithDelete).
// - provider/helm_release.go: a helm.v3.Release installs/upgrades with Helm's --wait unless
//   skipAwait, for `timeout` seconds, 300 by default; uninstall waits too unless skipAwait and
//   not atomic.
//
// The choice: platform services are awaited (each gates the next: the database before
// Coder, the runtimes before the sandboxes that use them), with cluster.helm: pulumi
// (the default) only: in helm-controller mode they are HelmCharts, which cannot be awaited
// (helmChartAwait below); the CloudNativePG Cluster, a custom resource, is not awaited itself
// but gates the Coder release that waits for Coder's pods. Sandbox workloads are not:
// a cold envbox sandbox may take its startup probe's 30 minutes (image pulls, the inner
// image, packages), and 1,000 of them must not hold `pulumi up` or fail it with
// timeouts. Their readiness is `npm run status -- <stack>`.

/** The provider's annotations (metadata/annotations.go). */
export const skipAwaitAnnotation = "pulumi.com/skipAwait";
export const timeoutSecondsAnnotation = "pulumi.com/timeoutSeconds";
export const waitForAnnotation = "pulumi.com/waitFor";
/** The provider's environment switch: a generic readiness wait for kinds without an awaiter (metadata/overrides.go ReadyCondition). */
export const awaitAllVariable = "PULUMI_K8S_AWAIT_ALL";

/** The default operation timeout: create, update and delete (await.go Creation, Update, Deletion: `10 * time.Minute`). */
export const defaultAwaitSeconds = 600;
/** The PVC awaiter's own fixed bound (awaiters.go untilCoreV1PersistentVolumeClaimReady: WatchUntil(..., 5*time.Minute)). */
export const pvcAwaitSeconds = 300;
/** The ResourceQuota awaiter's own fixed bound (awaiters.go untilCoreV1ResourceQuotaInitialized: WatchUntil(rqInitialized, 1*time.Minute)). */
export const resourceQuotaAwaitSeconds = 60;
/** helm.v3.Release's default timeout (provider/helm_release.go defaultTimeoutSeconds). */
export const helmReleaseDefaultTimeoutSeconds = 300;

/** One kind's built-in awaiter: what it waits for and its bound ("timeout": the operation's timeout; a number: its own fixed seconds). */
export interface KindAwait {
    awaits: string;
    bound: "timeout" | number;
    /** Whether the awaiter waits at all for this object (Secret: only service-account tokens; ServiceAccount: only before Kubernetes 1.24). */
    appliesTo?: (object: KubernetesObjectLike) => boolean;
}

export interface KubernetesObjectLike {
    apiVersion?: string;
    kind?: string;
    type?: string;
    metadata?: { annotations?: Record<string, string> };
}

const deployment: KindAwait = { awaits: "Available, the new ReplicaSet's revision rolled out (Progressing NewReplicaSetAvailable after generation 1), its pods ready and its PVCs bound (deployment.go)", bound: "timeout" };
const statefulSet: KindAwait = { awaits: "its rollout: ready and updated replicas (statefulset.go; not used by the platform)", bound: "timeout" };
const daemonSet: KindAwait = { awaits: "kstatus Current: every scheduled pod updated and available (daemonset.go)", bound: "timeout" };
const ingress: KindAwait = { awaits: "its backends' endpoints and a load-balancer address (ingress.go; not used by the platform)", bound: "timeout" };

/**
 * The built-in awaiters by `apiVersion/kind` (awaiters.go `awaiters`, the entries with an
 * await function; the entries without one, ConfigMap, LimitRange, RBAC, StorageClass and
 * HorizontalPodAutoscaler, are treated like any kind without an awaiter).
 */
export const builtInAwaiters: Readonly<Record<string, KindAwait>> = {
    "apps/v1/Deployment": deployment, "apps/v1beta1/Deployment": deployment, "apps/v1beta2/Deployment": deployment, "extensions/v1beta1/Deployment": deployment,
    "apps/v1/StatefulSet": statefulSet, "apps/v1beta1/StatefulSet": statefulSet, "apps/v1beta2/StatefulSet": statefulSet,
    "apps/v1/DaemonSet": daemonSet, "apps/v1beta1/DaemonSet": daemonSet, "apps/v1beta2/DaemonSet": daemonSet, "extensions/v1beta1/DaemonSet": daemonSet,
    "batch/v1/Job": { awaits: "completion (job.go; not used by the platform)", bound: "timeout" },
    "v1/Pod": { awaits: "ready (pod.go; not used by the platform)", bound: "timeout" },
    "v1/Service": { awaits: "endpoints targeting ready pods, unless headless, ExternalName or without a selector; a LoadBalancer's address (service.go)", bound: "timeout" },
    "networking.k8s.io/v1/Ingress": ingress, "networking.k8s.io/v1beta1/Ingress": ingress, "extensions/v1beta1/Ingress": ingress,
    "v1/PersistentVolumeClaim": { awaits: "Bound on create, or Pending under a WaitForFirstConsumer storage class (K3s local-path); an already bound claim on update (untilCoreV1PersistentVolumeClaimReady)", bound: pvcAwaitSeconds },
    "v1/PersistentVolume": { awaits: "Available or Bound (untilCoreV1PersistentVolumeInitialized)", bound: 300 },
    "v1/ReplicationController": { awaits: "available replicas = spec.replicas (untilCoreV1ReplicationControllerInitialized)", bound: 600 },
    "v1/ResourceQuota": { awaits: "status.hard = spec.hard (untilCoreV1ResourceQuotaInitialized)", bound: resourceQuotaAwaitSeconds },
    "v1/Secret": { awaits: "data filled in, for kubernetes.io/service-account-token Secrets only (untilCoreV1SecretInitialized)", bound: 5, appliesTo: (object) => object.type === "kubernetes.io/service-account-token" },
    // K3s serves Kubernetes 1.30 or later (docs/upstream.md, Admission policies), so a ServiceAccount is never awaited.
    "v1/ServiceAccount": { awaits: "its default token Secret, on clusters before Kubernetes 1.24 only (untilCoreV1ServiceAccountInitialized)", bound: 300, appliesTo: () => false },
};

/** Kinds whose deletion `pulumi.com/skipAwait: "true"` also skips (metadata/overrides.go allowsSkipAwaitWithDelete). */
export const skipAwaitSkipsDeleteKinds: readonly string[] = [
    "v1/Namespace", "v1/Pod", "v1/ReplicationController",
    "apps/v1/DaemonSet", "apps/v1beta1/DaemonSet", "apps/v1beta2/DaemonSet",
    "apps/v1/Deployment", "apps/v1beta1/Deployment", "apps/v1beta2/Deployment",
    "apps/v1/StatefulSet", "apps/v1beta1/StatefulSet", "apps/v1beta2/StatefulSet",
    "batch/v1/Job",
];

/**
 * Built-in kinds whose objects have no status at all: kstatus reports them Current at once, so
 * PULUMI_K8S_AWAIT_ALL does not make them wait (condition/ready.go Ready; its test "missing status
 * field is assumed to be ready").
 */
export const statuslessKinds: readonly string[] = [
    "v1/ConfigMap", "v1/LimitRange", "networking.k8s.io/v1/NetworkPolicy", "node.k8s.io/v1/RuntimeClass", "storage.k8s.io/v1/StorageClass",
    "scheduling.k8s.io/v1/PriorityClass", "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
    "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding", "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
];

function kindId(object: KubernetesObjectLike): string {
    return `${object.apiVersion ?? ""}/${object.kind ?? ""}`;
}

/** The operation's timeout: customTimeouts if non-zero, else pulumi.com/timeoutSeconds if strconv.Atoi takes it, else 10 minutes (TimeoutDuration). */
export function operationTimeoutSeconds(object: KubernetesObjectLike, customTimeoutSeconds?: number): number {
    if (customTimeoutSeconds) {
        return customTimeoutSeconds;
    }
    const annotation = object.metadata?.annotations?.[timeoutSecondsAnnotation] ?? "";
    return /^[+-]?\d+$/.test(annotation) ? Number(annotation) : defaultAwaitSeconds;
}

export interface AwaitOptions {
    /** customTimeouts.create (or .update), in seconds. */
    customTimeoutSeconds?: number;
    /** PULUMI_K8S_AWAIT_ALL=true in the provider's environment. */
    awaitAll?: boolean;
}

/** The longest `pulumi up` may wait for one Kubernetes object's create or update, in seconds, by the provider's rules. */
export function awaitBoundSeconds(object: KubernetesObjectLike, options: AwaitOptions = {}): number {
    const annotations = object.metadata?.annotations ?? {};
    if (annotations[skipAwaitAnnotation] === "true") {
        return 0;
    }
    const timeout = operationTimeoutSeconds(object, options.customTimeoutSeconds);
    if (annotations[waitForAnnotation] !== undefined) {
        return timeout;
    }
    const awaiter = builtInAwaiters[kindId(object)];
    if (awaiter) {
        if (awaiter.appliesTo && !awaiter.appliesTo(object)) {
            return 0;
        }
        return awaiter.bound === "timeout" ? timeout : awaiter.bound;
    }
    // No awaiter: immediate, or under PULUMI_K8S_AWAIT_ALL until kstatus Current (a status-less kind is Current at once).
    return options.awaitAll && !statuslessKinds.includes(kindId(object)) ? timeout : 0;
}

/** The longest `pulumi destroy` (or a removal in `pulumi up`) may wait for one object to be gone, in seconds (await.go Deletion). */
export function deleteAwaitBoundSeconds(object: KubernetesObjectLike, customDeleteTimeoutSeconds?: number): number {
    if (object.metadata?.annotations?.[skipAwaitAnnotation] === "true" && skipAwaitSkipsDeleteKinds.includes(kindId(object))) {
        return 0;
    }
    return operationTimeoutSeconds(object, customDeleteTimeoutSeconds);
}

/** A helm.v3.Release's install/upgrade wait (Helm's --wait), by its args (helm_release.go: client.Wait = !SkipAwait, getTimeoutOrDefault). */
export function helmReleaseAwaitSeconds(args: { skipAwait?: boolean; timeout?: number }): number {
    return args.skipAwait ? 0 : args.timeout || helmReleaseDefaultTimeoutSeconds;
}

/** A helm.v3.Release's uninstall wait (helm_release.go Delete: `release.Atomic || !release.SkipAwait`). */
export function helmReleaseDeleteAwaitSeconds(args: { skipAwait?: boolean; atomic?: boolean; timeout?: number }): number {
    return args.atomic || !args.skipAwait ? args.timeout || helmReleaseDefaultTimeoutSeconds : 0;
}

/**
 * A K3s HelmChart (cluster.helm: helm-controller) has no awaiter, and nothing on it marks the
 * install as done: helm-controller v0.17.7 reports only `status.jobName` and the conditions
 * JobCreated and Failed (pkg/apis/helm.cattle.io/v1/types.go HelmChartStatus,
 * pkg/controllers/chart/chart.go OnChange); JobCreated=True, Failed=False is set as the job is
 * created, and the job's completion (job `helm-install-<name>`, Complete) is not copied back.
 * A `pulumi.com/waitFor` on it could only wait for the job's creation, and under
 * PULUMI_K8S_AWAIT_ALL kstatus sees neither a Ready condition nor observedGeneration (Current at
 * once). So in this mode `pulumi up` does not wait for platform services: the gap is stated,
 * not papered over (docs/operations-scale.md, "What `pulumi up` waits for").
 */
export const helmChartAwait = {
    awaited: false,
    reason: "helm-controller's HelmChart status has no completion signal (only JobCreated and Failed, set when the install job is created); the job's Complete condition is not copied to the HelmChart",
} as const;

/**
 * The documented bound for a sandbox workload: the controller and Service of a sandbox
 * (a Deployment, or an agent-sandbox Sandbox / SandboxClaim and the team's SandboxTemplate and
 * SandboxWarmPool), and a team's image pre-pull, are applied without waiting (their readiness is
 * `npm run status`). What a team stack can still wait for per sandbox is its PVCs' binding
 * (a fixed 5 minutes at most, none under WaitForFirstConsumer, K3s local-path's mode), which
 * the PVCs keep because their inputs never change.
 */
export const sandboxWorkloadAwaitBoundSeconds = pvcAwaitSeconds;

/**
 * Annotations of a sandbox workload (Deployment, Service, pre-pull DaemonSet, agent-sandbox
 * custom resources): applied, not awaited, also under PULUMI_K8S_AWAIT_ALL. On deletion the
 * Deployment and DaemonSet are then not awaited either (allowsSkipAwaitWithDelete); the
 * Service and the custom resources still are, until gone.
 */
export function sandboxWorkloadAwaitAnnotations(): Record<string, string> {
    return { [skipAwaitAnnotation]: "true" };
}

/** pulumi-kubernetes's delete propagation override (metadata/overrides.go DeletionPropagation: Foreground unless `background` or `orphan`). */
export const deletionPropagationAnnotation = "pulumi.com/deletionPropagationPolicy";

/**
 * An agent-sandbox Sandbox's deletion, including the delete half of its replacement when its pod
 * template changes (sandbox.ts): background propagation. The provider's delete waits until the
 * object is gone (await.go Deletion); under its default, foreground propagation, that is after
 * the pod it owns (blockOwnerDeletion) has terminated, up to its grace period, so a script change
 * across 1,000 sandboxes would queue 1,000 terminations inside `pulumi up`. Background: the
 * Sandbox, which carries no finalizer of its own, goes at once and the garbage collector
 * deletes its pod. The replacement Sandbox (same name) gets no second pod meanwhile: its
 * controller refuses a pod of that name owned by another Sandbox (reconcilePod
 * resourceOwnedByOther) and, watching its pods (Owns), reconciles it again when the old pod is
 * gone; so the volumes are never mounted by two pods (agent-sandbox v0.5.6, docs/upstream.md).
 */
export function sandboxDeletionAnnotations(): Record<string, string> {
    return { [deletionPropagationAnnotation]: "background" };
}
