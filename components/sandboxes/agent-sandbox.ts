// The agent-sandbox backend (kubernetes-sigs/agent-sandbox v0.5.6, pinned in versions.ts):
// the same pod spec, volumes and Service as the Deployment backend, carried by the
// controller's custom resources instead of a Deployment. Every behaviour relied on here
// is read from the controller's source at the pinned tag (docs/upstream.md, "agent-sandbox").
//
// - A dedicated sandbox or a persistent pool member is a `Sandbox` named like the
//   Deployment it replaces. Its volumes are the platform's own PVCs (retainOnDelete),
//   referenced from the pod template: never `volumeClaimTemplates`, whose PVCs the
//   controller creates (or adopts) with a controller ownerReference to the Sandbox
//   (controllers/sandbox_controller.go reconcilePVCs), so garbage collection deletes them
//   with the Sandbox or its claim.
// - `service: false`: the controller creates no headless Service and never deletes one it
//   does not own (reconcileService), so the platform's own ClusterIP Service of the same name
//   stays what Boundary dials, with the same ports on both backends.
// - `suspended: true` is `operatingMode: Suspended`: the controller deletes the pod and keeps
//   the Sandbox and its volumes (reconcilePod).
// - An ephemeral team is a `SandboxTemplate` + `SandboxWarmPool` and one `SandboxClaim` per
//   member, named like the member: the claim adopts a warm sandbox (or creates one) and adds
//   `additionalPodMetadata` labels to its pod (completeAdoption, updatePodMetadata): the
//   member's name, which the member's Service selects. Persistent pools are not warm pools: a template's pod cannot
//   mount one member's ReadWriteOnce PVCs, and per-claim volumes are volumeClaimTemplates
//   (owned by the Sandbox, see above).
// - Restarts. The controller never changes a running pod's spec (reconcilePod), so a change of a
//   dedicated Sandbox's pod template (image, resources, runtime, or the start-up script's sha256
//   annotation) replaces the Sandbox: `replaceOnChanges: ["spec.podTemplate"]` with
//   `deleteBeforeReplace` (it keeps its name). The delete is a background one (await-rules.ts
//   sandboxDeletionAnnotations), so `pulumi up` does not wait for the old pod to terminate, and
//   the new Sandbox's controller makes no pod while the old one of that name is still there; the
//   PVCs, not owned by the Sandbox, stay.
//   A warm pool with `updateStrategy: Recreate` deletes unclaimed warm sandboxes whose pod *spec*
//   differs from the template's (isSandboxStale compares the spec only), so the template's first
//   container also carries the script's sha256 as an environment variable; claimed ones are never
//   touched (docs/agent-sandbox.md).
// - All four carry `pulumi.com/skipAwait: "true"` in their own metadata (not the pod template's):
//   pulumi-kubernetes does not await a custom resource by default, but under
//   PULUMI_K8S_AWAIT_ALL=true it waits for kstatus Current, which a Sandbox or SandboxClaim
//   whose Ready condition is False (a cold start, a suspended sandbox) never reaches within the
//   10-minute default (await-rules.ts). Their deletion is still awaited until they are gone.

import * as pulumi from "@pulumi/pulumi";
import { PodSpec } from "../manifest";
import { labels, poolName } from "../naming";
import { agentSandboxApiVersion, agentSandboxExtensionsApiVersion } from "../versions";
import { sandboxDeletionAnnotations, sandboxWorkloadAwaitAnnotations } from "../await-rules";
import { SandboxPlan } from "./plan";
import { startScriptSha256 } from "./bootstrap";
import { startScriptTemplateAnnotations } from "./start-script";
import { sandboxLabels } from "./workload";

export interface PodTemplateMetadata {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface ObjectMetadata {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** `agents.x-k8s.io/v1beta1` Sandbox (api/v1beta1/sandbox_types.go). */
export interface AgentSandbox {
    apiVersion: typeof agentSandboxApiVersion;
    kind: "Sandbox";
    metadata: ObjectMetadata;
    spec: {
        podTemplate: { metadata: PodTemplateMetadata; spec: PodSpec };
        service: boolean;
        operatingMode: "Running" | "Suspended";
    };
}

/** `extensions.agents.x-k8s.io/v1beta1` SandboxTemplate (extensions/api/v1beta1/sandboxtemplate_types.go). */
export interface AgentSandboxTemplate {
    apiVersion: typeof agentSandboxExtensionsApiVersion;
    kind: "SandboxTemplate";
    metadata: ObjectMetadata;
    spec: {
        podTemplate: { metadata: PodTemplateMetadata; spec: PodSpec };
        service: boolean;
        networkPolicyManagement: "Unmanaged";
        envVarsInjectionPolicy: "Disallowed";
        volumeClaimTemplatesPolicy: "Disallowed";
    };
}

/** `extensions.agents.x-k8s.io/v1beta1` SandboxWarmPool (extensions/api/v1beta1/sandboxwarmpool_types.go). */
export interface AgentSandboxWarmPool {
    apiVersion: typeof agentSandboxExtensionsApiVersion;
    kind: "SandboxWarmPool";
    metadata: ObjectMetadata;
    spec: { replicas: number; sandboxTemplateRef: { name: string }; updateStrategy: { type: "Recreate" } };
}

/** `extensions.agents.x-k8s.io/v1beta1` SandboxClaim (extensions/api/v1beta1/sandboxclaim_types.go). */
export interface AgentSandboxClaim {
    apiVersion: typeof agentSandboxExtensionsApiVersion;
    kind: "SandboxClaim";
    metadata: ObjectMetadata;
    spec: {
        warmPoolRef: { name: string };
        additionalPodMetadata: { labels: Record<string, string> };
        lifecycle?: { shutdownTime: string; shutdownPolicy: "Retain" };
    };
}

/**
 * Label domain the controller must allow on claims' `additionalPodMetadata` (its
 * /etc/sandbox-config/allowed-label-domains; default only `sandbox.users.io`,
 * sandboxclaim_controller.go validateAdditionalPodMetadata). The claim sets the member's
 * `sandbox-platform.io/pool-member` label, which its Service selects.
 */
export const claimLabelDomain = "sandbox-platform.io";

/**
 * Warm sandboxes a pool keeps beside the claimed ones: one, so that a member whose sandbox
 * is deleted (by hand, or recycled) is adopted again in seconds without doubling the team's pods.
 */
export const warmSpares = 1;

/**
 * The options of a dedicated Sandbox (or persistent pool member): any change of its pod template is a
 * replacement, deleted before it is created again under the same name (the provider asks for
 * delete-before-replace only on its own replacements, of metadata.name or namespace).
 */
export function agentSandboxReplaceOptions(): Pick<pulumi.CustomResourceOptions, "replaceOnChanges" | "deleteBeforeReplace"> {
    return { replaceOnChanges: ["spec.podTemplate"], deleteBeforeReplace: true };
}

/** The environment variable that puts the start-up script's sha256 into a SandboxTemplate's pod spec. */
export const startScriptHashEnv = "SANDBOX_START_SCRIPT_SHA256";

/** Pod labels of a sandbox on this backend: the Deployment backend's, so every selector (Service, NetworkPolicy) is unchanged. */
export function buildAgentSandbox(plan: SandboxPlan, podSpec: PodSpec): AgentSandbox {
    if (plan.ephemeral) {
        throw new Error(`sandbox ${plan.name}: an ephemeral member is a SandboxClaim on the team's warm pool, not a Sandbox (buildAgentSandboxClaim)`);
    }
    return {
        apiVersion: agentSandboxApiVersion,
        kind: "Sandbox",
        metadata: { name: plan.name, namespace: plan.namespace, labels: sandboxLabels(plan), annotations: { ...sandboxWorkloadAwaitAnnotations(), ...sandboxDeletionAnnotations() } },
        spec: {
            // The Deployment backend's annotation: a changed script is a changed pod template, so a replacement.
            podTemplate: { metadata: { labels: sandboxLabels(plan), annotations: startScriptTemplateAnnotations() }, spec: podSpec },
            service: false,
            operatingMode: plan.suspended ? "Suspended" : "Running",
        },
    };
}

/**
 * The plan a team's ephemeral SandboxTemplate is built from: a member with the pool's
 * name (`<team>-pool`), so its sshd ConfigMap and hostname are the team's, not one member's.
 */
export function ephemeralTemplatePlan(members: SandboxPlan[]): SandboxPlan {
    const first = members[0];
    if (!first?.ephemeral) {
        throw new Error("ephemeralTemplatePlan needs the plans of an ephemeral team (allocation: ephemeral, poolSize >= 1)");
    }
    const { poolIndex: _index, ...rest } = first;
    return { ...rest, name: warmPoolName(first.team) };
}

/** `<team>-pool`: the team's SandboxTemplate and SandboxWarmPool. */
export const warmPoolName = poolName;

/** What an ephemeral member's Service selects on this backend: the label its claim puts on the adopted pod. */
export function claimedMemberSelector(member: SandboxPlan): Record<string, string> {
    return { [labels.poolMember]: member.name };
}

/**
 * The template's pod labels are the pool plan's (sandboxLabels): a pool-wide
 * `sandbox-platform.io/sandbox: <team>-pool`, so the team's NetworkPolicies (which select that key)
 * apply to warm and claimed pods alike. A claim may add labels but not change one the template sets
 * (mergePodMetadata), so the member's name goes under its own key, which the member's Service
 * selects (claimedMemberSelector).
 */
export function buildAgentSandboxTemplate(template: SandboxPlan, podSpec: PodSpec): AgentSandboxTemplate {
    return {
        apiVersion: agentSandboxExtensionsApiVersion,
        kind: "SandboxTemplate",
        metadata: { name: template.name, namespace: template.namespace, labels: sandboxLabels(template), annotations: sandboxWorkloadAwaitAnnotations() },
        spec: {
            podTemplate: { metadata: { labels: sandboxLabels(template), annotations: startScriptTemplateAnnotations() }, spec: withStartScriptHashEnv(podSpec) },
            service: false,
            // Managed (the default) adds the controller's own NetworkPolicy, an allow that widens the
            // platform's (policies are a union); Unmanaged also leaves the pod's DNS alone (ApplySandboxSecureDefaults).
            networkPolicyManagement: "Unmanaged",
            envVarsInjectionPolicy: "Disallowed",
            volumeClaimTemplatesPolicy: "Disallowed",
        },
    };
}

/**
 * The template's pod spec with the script's sha256 in its first (the sandbox's) container's
 * environment: the warm pool judges a warm sandbox stale by its pod spec alone
 * (sandboxwarmpool_controller.go isSandboxStale, comparePodSpecs), so an annotation alone would
 * leave warm sandboxes started with the old script.
 */
export function withStartScriptHashEnv(podSpec: PodSpec): PodSpec {
    const [first, ...rest] = podSpec.containers;
    const env = [...(first.env ?? []).filter((variable) => variable.name !== startScriptHashEnv), { name: startScriptHashEnv, value: startScriptSha256() }];
    return { ...podSpec, containers: [{ ...first, env }, ...rest] };
}

export function buildAgentSandboxWarmPool(template: SandboxPlan): AgentSandboxWarmPool {
    return {
        apiVersion: agentSandboxExtensionsApiVersion,
        kind: "SandboxWarmPool",
        metadata: { name: template.name, namespace: template.namespace, labels: sandboxLabels(template), annotations: sandboxWorkloadAwaitAnnotations() },
        // Recreate: unclaimed sandboxes whose pod spec differs from the template's are deleted and made
        // again at once, and claims refuse them meanwhile; OnReplenish (the default) would keep serving
        // them. Claimed ones are never touched (isSandboxStale, filterActiveSandboxes, getCandidate).
        spec: { replicas: warmSpares, sandboxTemplateRef: { name: template.name }, updateStrategy: { type: "Recreate" } },
    };
}

/** One ephemeral member: a claim named like the member, whose pod gets the member's selector label. */
export function buildAgentSandboxClaim(member: SandboxPlan): AgentSandboxClaim {
    if (!member.ephemeral) {
        throw new Error(`sandbox ${member.name}: only ephemeral members are claims; dedicated sandboxes and persistent pool members are Sandboxes with the platform's PVCs`);
    }
    return {
        apiVersion: agentSandboxExtensionsApiVersion,
        kind: "SandboxClaim",
        metadata: { name: member.name, namespace: member.namespace, labels: sandboxLabels(member), annotations: sandboxWorkloadAwaitAnnotations() },
        spec: {
            warmPoolRef: { name: warmPoolName(member.team) },
            additionalPodMetadata: { labels: claimedMemberSelector(member) },
            // Retain: at shutdownTime the controller deletes the claim's Sandbox (and so its pod) and keeps
            // the claim, which Pulumi manages; a later or no shutdownTime makes the claim active again
            // (sandboxclaim_controller.go Reconcile, reconcileExpired, reconcileActive).
            ...(member.shutdownTime !== undefined ? { lifecycle: { shutdownTime: member.shutdownTime, shutdownPolicy: "Retain" as const } } : {}),
        },
    };
}
