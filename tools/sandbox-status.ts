// Each sandbox's state, from what kubectl reads: its Deployment and pods (`kubectl get
// -o json`, shapes of the Kubernetes API: apps/v1 Deployment, v1 Pod and their status
// types), or on the agent-sandbox backend its Sandbox or SandboxClaim and pod (below),
// and the start-up script's log (images/sandbox/sandbox-start.sh `log`/`step`/
// `step_done`: "<UTC time> sandbox-start: step <name>: <outcome> in <ms> ms").
// Pure: the command (tools/status.ts) runs kubectl and prints.

/** A parsed step of one run of the start-up script. */
export interface StartStep { name: string; outcome: string; ms?: number }

export interface StartLog {
    /** Steps of the last run, in order; a step with no `ms` had started and not finished. */
    steps: StartStep[];
    /** "ready in N ms" of the last run. */
    readyMs?: number;
    /** The reason of a `FAILED:` line of the last run. */
    failed?: string;
}

const linePattern = /^\S+ sandbox-start: (.*)$/;

/** The last run of the script in its log (a restarted sandbox appends to the same file). */
export function parseStartLog(text: string): StartLog {
    let log: StartLog = { steps: [] };
    for (const raw of text.split("\n")) {
        const message = linePattern.exec(raw.trimEnd())?.[1];
        if (message === undefined) {
            continue;
        }
        if (message.startsWith("starting sandbox ")) {
            log = { steps: [] };
            continue;
        }
        const started = /^step (\S+): start$/.exec(message);
        if (started) {
            log.steps.push({ name: started[1], outcome: "running" });
            continue;
        }
        const done = /^step (\S+): (.*) in (\d+) ms$/.exec(message);
        if (done) {
            const open = [...log.steps].reverse().find((step) => step.name === done[1] && step.ms === undefined);
            const step = { name: done[1], outcome: done[2], ms: Number(done[3]) };
            if (open) {
                Object.assign(open, step);
            } else {
                log.steps.push(step);
            }
            continue;
        }
        const ready = /^ready in (\d+) ms$/.exec(message);
        if (ready) {
            log.readyMs = Number(ready[1]);
            continue;
        }
        const failed = /^FAILED: (.*)$/.exec(message);
        if (failed) {
            log.failed = failed[1];
        }
    }
    return log;
}

/** Expired: an agent-sandbox claim or Sandbox past its shutdownTime (its pod deleted on purpose, like Suspended). */
export type SandboxPhase = "Ready" | "Starting" | "Pending" | "Failing" | "Suspended" | "Expired" | "Missing";

export interface SandboxStatus {
    namespace: string;
    sandbox: string;
    phase: SandboxPhase;
    /** Why it is not Ready, as Kubernetes or the script says it. */
    reason?: string;
    pod?: string;
    /** The container the start-up script runs in (its log is read from there). */
    container?: string;
    restarts: number;
}

/** The parts of the API objects this reads (apps/v1 Deployment, v1 Pod). */
interface Condition { type: string; status: string; reason?: string; message?: string }
interface ContainerState { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; message?: string; exitCode: number }; running?: object }
interface ContainerStatus { name: string; ready: boolean; restartCount: number; image?: string; imageID?: string; state?: ContainerState; lastState?: ContainerState }
export interface PodObject {
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string; creationTimestamp?: string; ownerReferences?: OwnerReference[] };
    spec?: { containers: { name: string; command?: string[] }[] };
    status?: { phase?: string; reason?: string; message?: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}
export interface DeploymentObject {
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec?: { replicas?: number };
    status?: { readyReplicas?: number; conditions?: Condition[] };
}

/** Reasons a waiting container reports that will not resolve by themselves (kubelet's image and crash back-offs, config errors). */
const failingWaits = new Set(["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"]);

/** The container that runs the start-up script: envbox's outer container, or the workspace container. */
export function scriptContainer(pod: PodObject): string | undefined {
    const containers = pod.spec?.containers ?? [];
    return (containers.find((c) => (c.command ?? []).join(" ") === "/envbox docker") ?? containers.find((c) => c.name === "workspace") ?? containers[0])?.name;
}

function describe(state: ContainerState | undefined): string | undefined {
    if (state?.waiting?.reason) {
        return `${state.waiting.reason}${state.waiting.message ? `: ${state.waiting.message}` : ""}`;
    }
    if (state?.terminated) {
        const { reason, exitCode, message } = state.terminated;
        return `${reason ?? "Terminated"} (exit ${exitCode})${message ? `: ${message.trim()}` : ""}`;
    }
    return undefined;
}

/** Pods not being deleted, newest first. */
function livePods(pods: PodObject[]): PodObject[] {
    return pods.filter((pod) => !pod.metadata.deletionTimestamp)
        .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""));
}

/** One sandbox's phase and reason, from its Deployment and its pods. */
export function sandboxStatus(namespace: string, sandbox: string, deployment: DeploymentObject | undefined, pods: PodObject[]): SandboxStatus {
    if (!deployment) {
        return { namespace, sandbox, phase: "Missing", reason: "no Deployment (not deployed yet, or deleted)", restarts: 0 };
    }
    if (deployment.spec?.replicas === 0) {
        return { namespace, sandbox, phase: "Suspended", reason: "replicas: 0 (suspended)", restarts: 0 };
    }
    const pod = livePods(pods)[0];
    const stalled = deployment.status?.conditions?.find((c) => c.type === "Progressing" && c.status === "False");
    if (!pod) {
        return { namespace, sandbox, phase: stalled ? "Failing" : "Pending", reason: stalled ? `${stalled.reason}: ${stalled.message}` : "no pod yet", restarts: 0 };
    }
    return podStatus(namespace, sandbox, pod, stalled);
}

/** A live pod's phase and reason; `stalled` is its controller's condition saying it will not get there by itself. */
function podStatus(namespace: string, sandbox: string, pod: PodObject, stalled: Condition | undefined): SandboxStatus {
    const container = scriptContainer(pod);
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const restarts = statuses.reduce((sum, s) => sum + s.restartCount, 0);
    const base = { namespace, sandbox, pod: pod.metadata.name, container, restarts };
    const ready = pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    if (ready) {
        return { ...base, phase: "Ready" };
    }
    const unschedulable = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
    if (unschedulable) {
        return { ...base, phase: "Pending", reason: `${unschedulable.reason ?? "Unschedulable"}: ${unschedulable.message ?? ""}`.trim() };
    }
    const failing = statuses.find((s) => failingWaits.has(s.state?.waiting?.reason ?? ""));
    if (failing) {
        const last = describe(failing.lastState);
        return { ...base, phase: "Failing", reason: `${failing.name}: ${describe(failing.state)}${last ? `; last: ${last}` : ""}` };
    }
    if (pod.status?.phase === "Failed") {
        return { ...base, phase: "Failing", reason: `${pod.status.reason ?? "Failed"}: ${pod.status.message ?? ""}`.trim() };
    }
    if (stalled) {
        return { ...base, phase: "Failing", reason: `${stalled.reason}: ${stalled.message}` };
    }
    const waiting = statuses.find((s) => !s.ready);
    const detail = waiting && (describe(waiting.state) ?? (waiting.state?.running ? "running, not ready yet (startup probe)" : undefined));
    return { ...base, phase: pod.status?.phase === "Pending" ? "Pending" : "Starting", reason: waiting ? `${waiting.name}: ${detail ?? "not ready"}` : "not ready" };
}

// The agent-sandbox backend (kubernetes-sigs/agent-sandbox v0.5.6, docs/upstream.md "npm run
// status on agent-sandbox"): a Sandbox (agents.x-k8s.io/v1beta1) and the one pod its
// controller creates, named like it, with a controller ownerReference to it
// (controllers/sandbox_controller.go reconcilePod); an ephemeral member is a SandboxClaim
// (extensions.agents.x-k8s.io/v1beta1) whose `status.sandbox.name` names the Sandbox it
// adopted from the warm pool (generated name `<team>-pool-xxxxx`) or created (named like the claim).

/** An ownerReference, as metav1.OwnerReference serialises it. */
export interface OwnerReference { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }

/** agents.x-k8s.io/v1beta1 Sandbox: the parts this reads (api/v1beta1/sandbox_types.go SandboxSpec, SandboxStatus). */
export interface AgentSandboxObject {
    metadata: { name: string; namespace?: string; uid?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: OwnerReference[]; deletionTimestamp?: string };
    spec?: { operatingMode?: string };
    status?: { conditions?: Condition[]; podIPs?: string[]; nodeName?: string; selector?: string; service?: string; serviceFQDN?: string };
}

/** extensions.agents.x-k8s.io/v1beta1 SandboxClaim: the parts this reads (extensions/api/v1beta1/sandboxclaim_types.go SandboxClaimStatus). */
export interface SandboxClaimObject {
    metadata: { name: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
    status?: { conditions?: Condition[]; sandbox?: { name?: string; podIPs?: string[] } };
}

/** Ready=False reasons of a Sandbox that its controller will not clear by itself (computeReadyCondition). */
const sandboxFailures = new Set(["ReconcilerError", "MultiplePods", "PodFailed", "PodSucceeded"]);
/** Ready=False reasons of a SandboxClaim with no Sandbox that are errors of the claim or the controller, not waiting (sandboxclaim_controller.go computeReadyCondition). */
const claimFailures = new Set(["ReconcilerError", "InvalidMetadata", "EnvVarsInjectionRejected", "VolumeClaimTemplatesError"]);

const conditionText = (c: Condition) => `${c.reason ?? c.type}${c.message ? `: ${c.message}` : ""}`;

/** Whether `ref` is the controller reference of an object to `kind` `owner` (metav1.IsControlledBy: by UID when both are known). */
function controlledBy(refs: OwnerReference[] | undefined, kind: string, owner: { name: string; uid?: string }): boolean {
    return (refs ?? []).some((ref) => ref.controller === true && ref.kind === kind && ref.name === owner.name && (!ref.uid || !owner.uid || ref.uid === owner.uid));
}

/** The pods a Sandbox's controller made: controller ownerReference to the Sandbox (its UID is authoritative, reconcilePod). */
export function sandboxPods(sandbox: AgentSandboxObject, pods: PodObject[]): PodObject[] {
    return pods.filter((pod) => controlledBy(pod.metadata.ownerReferences, "Sandbox", sandbox.metadata));
}

/**
 * One sandbox on the agent-sandbox backend: `name` is the platform's (the Sandbox of a dedicated
 * sandbox or persistent pool member, or an ephemeral member's claim), `object` its Sandbox and
 * `pods` the pods of the namespace. The phase follows the Sandbox's Ready condition, and the pod
 * says why it is not ready, as on the Deployment backend.
 */
export function agentSandboxStatus(namespace: string, name: string, object: AgentSandboxObject | undefined, pods: PodObject[], missing = `no Sandbox ${name} (not deployed yet, or deleted)`): SandboxStatus {
    if (!object) {
        return { namespace, sandbox: name, phase: "Missing", reason: missing, restarts: 0 };
    }
    const ready = object.status?.conditions?.find((c) => c.type === "Ready");
    if (object.metadata.deletionTimestamp) {
        // Its controller stops reconciling it (Reconcile returns on a deletion timestamp), so a Ready=True stays on it.
        return { namespace, sandbox: name, phase: "Pending", reason: `Sandbox ${object.metadata.name} is being deleted (replaced after a pod-template or start-up script change, or removed)`, restarts: 0 };
    }
    if (object.spec?.operatingMode === "Suspended") {
        return { namespace, sandbox: name, phase: "Suspended", reason: `operatingMode: Suspended${ready?.message ? ` (${ready.message})` : ""}`, restarts: 0 };
    }
    if (ready?.reason === "SandboxExpired") {
        return { namespace, sandbox: name, phase: "Expired", reason: conditionText(ready), restarts: 0 };
    }
    const pod = livePods(sandboxPods(object, pods))[0];
    // A replaced Sandbox's pod, of the same name, still terminating: the new Sandbox's controller
    // refuses it as owned by another Sandbox (reconcilePod, a ReconcilerError) until it is gone.
    const previous = pod ? undefined : pods.find((other) => other.metadata.name === object.metadata.name
        && controlledBy(other.metadata.ownerReferences, "Sandbox", { name: object.metadata.name }) && !controlledBy(other.metadata.ownerReferences, "Sandbox", object.metadata));
    if (previous) {
        return { namespace, sandbox: name, phase: "Pending", reason: `waiting for the previous Sandbox's pod ${previous.metadata.name} to ${previous.metadata.deletionTimestamp ? "terminate" : "be deleted"} (the Sandbox was replaced)`, restarts: 0 };
    }
    const failed = ready && ready.status !== "True" && sandboxFailures.has(ready.reason ?? "") ? ready : undefined;
    const readyText = ready ? conditionText(ready) : "no Ready condition yet (the controller has not reconciled it)";
    if (!pod) {
        if (ready?.status === "True") {
            return { namespace, sandbox: name, phase: "Ready", restarts: 0 };
        }
        return {
            namespace, sandbox: name, phase: failed ? "Failing" : "Pending", restarts: 0,
            reason: readyText,
        };
    }
    const status = podStatus(namespace, name, pod, failed);
    if (ready?.status === "True") {
        const { reason: _podReason, ...rest } = status;
        return { ...rest, phase: "Ready" };
    }
    if (status.phase === "Ready") {
        // The pod is, the Sandbox not yet: no pod IP yet, or a condition not rewritten since.
        return { ...status, phase: failed ? "Failing" : "Starting", reason: readyText };
    }
    return status;
}

/**
 * An ephemeral member on the agent-sandbox backend: its SandboxClaim (named like the member),
 * the Sandbox the claim names in `status.sandbox.name` (or, before that is written, the one it
 * controls), and that Sandbox's pod.
 */
export function claimedMemberStatus(namespace: string, member: string, claim: SandboxClaimObject | undefined, sandboxes: AgentSandboxObject[], pods: PodObject[]): SandboxStatus & { claimedSandbox?: string } {
    if (!claim) {
        return { namespace, sandbox: member, phase: "Missing", reason: `no SandboxClaim ${member} (not deployed yet, or deleted)`, restarts: 0 };
    }
    const ready = claim.status?.conditions?.find((c) => c.type === "Ready");
    if (ready?.reason === "ClaimExpired") {
        return { namespace, sandbox: member, phase: "Expired", reason: conditionText(ready), restarts: 0 };
    }
    const named = claim.status?.sandbox?.name;
    const object = named
        ? sandboxes.find((s) => s.metadata.name === named)
        : sandboxes.find((s) => controlledBy(s.metadata.ownerReferences, "SandboxClaim", claim.metadata));
    if (named && !object) {
        return { ...agentSandboxStatus(namespace, member, undefined, pods, `SandboxClaim ${member} names Sandbox ${named}, which does not exist (deleted?)`), claimedSandbox: named };
    }
    if (!object) {
        const failing = ready && ready.status !== "True" && claimFailures.has(ready.reason ?? "");
        return {
            namespace, sandbox: member, phase: failing ? "Failing" : "Pending", restarts: 0,
            reason: `SandboxClaim ${member} has no Sandbox yet${ready ? `: ${conditionText(ready)}` : " (the controller has not reconciled it)"}`,
        };
    }
    return { ...agentSandboxStatus(namespace, member, object, pods), claimedSandbox: object.metadata.name };
}

/** One line per sandbox: phase, reason, and the script's step timings. */
export function formatStatus(status: SandboxStatus, log?: StartLog): string {
    const steps = log?.steps.map((step) => `${step.name} ${step.ms === undefined ? "running" : `${step.ms} ms`}`).join(", ");
    const parts = [
        `${status.namespace}/${status.sandbox}`,
        status.phase,
        ...(status.reason ? [status.reason] : []),
        ...(status.restarts > 0 ? [`${status.restarts} restart(s)`] : []),
        ...(steps ? [`steps: ${steps}${log?.readyMs !== undefined ? `; ready in ${log.readyMs} ms` : ""}`] : []),
        ...(log?.failed ? [`start-up script failed: ${log.failed}`] : []),
    ];
    return parts.join("  ");
}
