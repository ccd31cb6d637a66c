// Each sandbox's state, from what kubectl reads: its Deployment and pods (`kubectl get
// -o json`, shapes of the Kubernetes API: apps/v1 Deployment, v1 Pod and their status
// types), and the start-up script's log (images/sandbox/sandbox-start.sh `log`/`step`/
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

export type SandboxPhase = "Ready" | "Starting" | "Pending" | "Failing" | "Suspended" | "Missing";

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
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string; creationTimestamp?: string };
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

/** One sandbox's phase and reason, from its Deployment and its pods. */
export function sandboxStatus(namespace: string, sandbox: string, deployment: DeploymentObject | undefined, pods: PodObject[]): SandboxStatus {
    if (!deployment) {
        return { namespace, sandbox, phase: "Missing", reason: "no Deployment (not deployed yet, or deleted)", restarts: 0 };
    }
    if (deployment.spec?.replicas === 0) {
        return { namespace, sandbox, phase: "Suspended", reason: "replicas: 0 (suspended)", restarts: 0 };
    }
    const live = pods.filter((pod) => !pod.metadata.deletionTimestamp)
        .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""));
    const pod = live[0];
    const stalled = deployment.status?.conditions?.find((c) => c.type === "Progressing" && c.status === "False");
    if (!pod) {
        return { namespace, sandbox, phase: stalled ? "Failing" : "Pending", reason: stalled ? `${stalled.reason}: ${stalled.message}` : "no pod yet", restarts: 0 };
    }
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
