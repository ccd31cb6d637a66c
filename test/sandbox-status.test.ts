// Issue 25, item 3: `npm run status -- <stack>` reports each sandbox's phase, why it is
// not ready and the start-up script's step timings. The API objects are checked
// against the Kubernetes schema (kubernetes-models) before they are used; the log
// lines are written by the real script's own log functions, run by sh.

import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { labels, teamNamespace } from "../components/naming";
import { DeploymentObject, PodObject, parseStartLog, sandboxStatus } from "../tools/sandbox-status";
import { startLogPath, statusExitCodes, statusMain } from "../tools/status-cli";
import { validateManifest } from "./helpers/schema";

const script = fs.readFileSync(path.join(__dirname, "..", "images", "sandbox", "sandbox-start.sh"), "utf8");

/** Runs `calls` after the script's own now_ms/log/fail/step/step_done definitions, and returns its log file. */
function logWrittenByTheScript(calls: string): string {
    const start = script.indexOf("now_ms() {");
    const end = script.indexOf("# Root runs commands directly");
    assert.ok(start > 0 && end > start, "the script's log functions moved: update this test");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "start-log-"));
    try {
        const program = `set -eu\nstate_dir=${dir}\nlog_file=${dir}/start.log\n${script.slice(start, end)}\n${calls}\n`;
        execFileSync("sh", ["-c", program], { stdio: ["ignore", "ignore", "ignore"] });
        return fs.readFileSync(`${dir}/start.log`, "utf8");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function sink(): NodeJS.WritableStream & { text: string } {
    const stream = { text: "", write(chunk: string) { stream.text += chunk; return true; } };
    return stream as unknown as NodeJS.WritableStream & { text: string };
}

const namespace = teamNamespace("app-team-alpha");
const sandboxLabels = (sandbox: string) => ({ [labels.sandbox]: sandbox, "app.kubernetes.io/component": "sandbox" });

function deployment(sandbox: string, replicas = 1, conditions: DeploymentObject["status"] = {}): DeploymentObject & { apiVersion: string; kind: string } {
    return {
        apiVersion: "apps/v1", kind: "Deployment",
        metadata: { name: sandbox, namespace, labels: sandboxLabels(sandbox) },
        spec: { replicas, selector: { matchLabels: { [labels.sandbox]: sandbox } }, template: { metadata: { labels: sandboxLabels(sandbox) }, spec: { containers: [{ name: "envbox", image: "ghcr.io/coder/envbox:0.6.7" }] } } } as never,
        status: conditions,
    };
}

function pod(sandbox: string, status: PodObject["status"], container = "envbox"): PodObject & { apiVersion: string; kind: string } {
    return {
        apiVersion: "v1", kind: "Pod",
        metadata: { name: `${sandbox}-7d9f8c6b5-x2x4q`, namespace, labels: sandboxLabels(sandbox), creationTimestamp: "2026-12-06T10:00:00Z" },
        spec: { containers: [{ name: container, ...(container === "envbox" ? { command: ["/envbox", "docker"] } : {}) }] },
        status,
    };
}

const running = (ready: boolean) => ({ name: "envbox", ready, restartCount: 0, image: "ghcr.io/coder/envbox:0.6.7", imageID: "", state: { running: { startedAt: "2026-12-06T10:00:05Z" } } });

describe("npm run status: each sandbox's phase, reason and start-up step timings (issue 25)", function () {
    this.timeout(120_000);

    it("parses the step timings as the real script writes them (its log, step and step_done functions), keeping only the last run", () => {
        assert.match(script, /log "starting sandbox \$\{SANDBOX_NAME:-\}/);
        assert.match(script, /log "ready in \$\(\(\$\(now_ms\) - started\)\) ms"/);
        const text = logWrittenByTheScript([
            `log "starting sandbox alpha-alice as coder (workspace image)"`,
            `step sshd; step_done "listening on port 2222 (pid 42)"`,
            `step clone; sleep 0.2; step_done "cloned at main"`,
            `( fail "clone: git said no" ) || true`,
            `log "starting sandbox alpha-alice as coder (workspace image)"`,
            `step sshd; step_done "already running (pid 42)"`,
            `step clone; step_done "skipped (no repository configured)"`,
            `step code-server`,
        ].join("\n"));
        assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ sandbox-start: step sshd: start$/m);
        const log = parseStartLog(text);
        assert.deepStrictEqual(log.steps.map((s) => [s.name, s.outcome]), [
            ["sshd", "already running (pid 42)"], ["clone", "skipped (no repository configured)"], ["code-server", "running"],
        ]);
        assert.ok(log.steps.slice(0, 2).every((s) => typeof s.ms === "number" && s.ms >= 0));
        assert.strictEqual(log.steps[2].ms, undefined, "a step still running has no duration");
        assert.strictEqual(log.failed, undefined, "the failure belonged to the previous run");

        const failedRun = parseStartLog(logWrittenByTheScript([
            `log "starting sandbox alpha-bob as coder (workspace image)"`,
            `step clone; sleep 0.1; step_done "failed"`,
            `( fail "clone of https://example.com/x.git failed" ) || true`,
        ].join("\n")));
        assert.strictEqual(failedRun.failed, "clone of https://example.com/x.git failed");
        assert.ok(failedRun.steps[0].ms! >= 100, `clone took ${failedRun.steps[0].ms} ms`);
    });

    it("names the phase and the reason from objects shaped as the API returns them", async () => {
        const cases: { sandbox: string; deployment?: ReturnType<typeof deployment>; pods: ReturnType<typeof pod>[]; phase: string; reason?: RegExp }[] = [
            { sandbox: "a-ready", deployment: deployment("a-ready"), pods: [pod("a-ready", { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [running(true)] })], phase: "Ready" },
            { sandbox: "a-probe", deployment: deployment("a-probe"), pods: [pod("a-probe", { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [running(false)] })], phase: "Starting", reason: /envbox: running, not ready yet \(startup probe\)/ },
            { sandbox: "a-pull", deployment: deployment("a-pull"), pods: [pod("a-pull", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }], containerStatuses: [{ ...running(false), state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image \"ghcr.io/coder/envbox:0.6.7\"" } } }] })], phase: "Failing", reason: /envbox: ImagePullBackOff: Back-off pulling image/ },
            { sandbox: "a-crash", deployment: deployment("a-crash"), pods: [pod("a-crash", { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "workspace", ready: false, restartCount: 4, image: "x:1", imageID: "", state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 2m40s" } }, lastState: { terminated: { exitCode: 1, reason: "Error", message: "sandbox-start: clone of https://example.com/x.git failed\n" } } }] }, "workspace")], phase: "Failing", reason: /CrashLoopBackOff: back-off 2m40s; last: Error \(exit 1\): sandbox-start: clone of/ },
            { sandbox: "a-nodes", deployment: deployment("a-nodes"), pods: [pod("a-nodes", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient memory." }] })], phase: "Pending", reason: /Unschedulable: 0\/3 nodes are available: 3 Insufficient memory\./ },
            { sandbox: "a-quota", deployment: deployment("a-quota", 1, { conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "ReplicaSet \"a-quota-7d9f8c6b5\" has timed out progressing." }] }), pods: [], phase: "Failing", reason: /ProgressDeadlineExceeded/ },
            { sandbox: "a-off", deployment: deployment("a-off", 0), pods: [], phase: "Suspended" },
            { sandbox: "a-gone", pods: [], phase: "Missing" },
        ];
        for (const c of cases) {
            for (const object of [...(c.deployment ? [c.deployment] : []), ...c.pods]) {
                await validateManifest(object as unknown as Record<string, unknown>);
            }
            const status = sandboxStatus(namespace, c.sandbox, c.deployment, c.pods);
            assert.strictEqual(status.phase, c.phase, `${c.sandbox}: ${JSON.stringify(status)}`);
            if (c.reason) {
                assert.match(status.reason ?? "", c.reason, c.sandbox);
            }
        }
    });

    it("runs kubectl get -o json per team namespace, reads envbox's log from the home volume, prints one line per sandbox and exits 1 until all are ready", async () => {
        const stdout = sink(), stderr = sink();
        const calls: string[][] = [];
        const startLog = logWrittenByTheScript([
            `log "starting sandbox app-team-alpha-alice as coder (workspace image)"`,
            `step sshd; step_done "listening on port 2222 (pid 42)"`,
            `log "ready in 2100 ms"`,
        ].join("\n"));
        const fakeKubectl = async (args: string[]) => {
            calls.push(args);
            if (args[0] === "get") {
                const items = args[3] === namespace
                    ? [deployment("app-team-alpha-alice"), pod("app-team-alpha-alice", { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [running(true)] })]
                    : [];
                return JSON.stringify({ apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } });
            }
            if (args[0] === "exec") {
                return startLog;
            }
            throw new Error(`unexpected kubectl ${args.join(" ")}`);
        };
        // The sandboxes of dev are in its team stack.
        const code = await statusMain(["dev-app-team-alpha"], stdout, stderr, fakeKubectl);
        assert.strictEqual(stderr.text, "");
        assert.strictEqual(code, statusExitCodes.notReady, stdout.text);
        assert.deepStrictEqual(calls[0], ["get", "deployments.apps,pods", "-n", namespace, "-l", labels.sandbox, "-o", "json"]);
        assert.ok(calls.some((c) => c[0] === "exec" && c.join(" ").endsWith(`-c envbox -- cat ${startLogPath}`)), JSON.stringify(calls));
        assert.match(stdout.text, new RegExp(`^${namespace}/app-team-alpha-alice {2}Ready {2}steps: sshd \\d+ ms; ready in 2100 ms$`, "m"));
        assert.match(stdout.text, /Missing {2}no Deployment/);
        assert.match(stdout.text, /^\d+\/\d+ sandboxes ready$/m);

        const failed = sink();
        assert.strictEqual(await statusMain(["dev-app-team-alpha"], sink(), failed, async () => { throw new Error("The connection to the server localhost:8080 was refused"); }), statusExitCodes.kubectl);
        assert.match(failed.text, /kubectl get in .* failed: The connection to the server/);
        assert.strictEqual(await statusMain([], sink(), sink(), fakeKubectl), statusExitCodes.error);
    });
});

// The agent-sandbox backend (kubernetes-sigs/agent-sandbox v0.5.6, docs/upstream.md "npm run
// status on agent-sandbox"). Every object is what kubectl get -o json returns: the Sandbox's and
// SandboxClaim's spec as the platform renders it (its own builders, checked against the CRDs'
// transcribed spec schema), plus the metadata and status the controllers write, with their
// condition types, reasons and messages (controllers/sandbox_controller.go computeReadyCondition,
// computePodScheduledCondition, computeSuspendedCondition; extensions/controllers/
// sandboxclaim_controller.go computeReadyCondition, computeAndSetStatus, completeAdoption) and
// the status schema of the v1beta1 CRDs; the pods are named, labelled and owned as reconcilePod
// makes them, and checked against the core Pod schema.

import Ajv from "ajv";
import { agentSandboxProblems } from "./helpers/agent-sandbox-crds";
import { loadStack } from "../tools/render-stack";
import { planTeamSandboxes, SandboxPlan } from "../components/sandboxes/plan";
import { buildSandboxPodSpec } from "../components/sandboxes/workload";
import { buildAgentSandbox, buildAgentSandboxClaim, buildAgentSandboxTemplate, ephemeralTemplatePlan, warmPoolName } from "../components/sandboxes/agent-sandbox";
import { AgentSandboxObject, SandboxClaimObject, agentSandboxStatus, claimedMemberStatus, formatStatus } from "../tools/sandbox-status";
import { agentSandboxResources } from "../tools/status-cli";

/** metav1.Condition and the two status types, as the v1beta1 CRDs give them (k8s/crds/agents.x-k8s.io_sandboxes.yaml, extensions.agents.x-k8s.io_sandboxclaims.yaml @ v0.5.6). */
const conditionSchema = {
    type: "object", required: ["lastTransitionTime", "message", "reason", "status", "type"],
    properties: {
        lastTransitionTime: { type: "string" }, message: { type: "string", maxLength: 32768 },
        observedGeneration: { type: "integer", minimum: 0 },
        reason: { type: "string", minLength: 1, maxLength: 1024, pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$" },
        status: { enum: ["True", "False", "Unknown"] }, type: { type: "string", maxLength: 316 },
    },
    additionalProperties: false,
};
const statusSchemas: Record<string, object> = {
    Sandbox: {
        type: "object", additionalProperties: false,
        properties: { conditions: { type: "array", items: conditionSchema }, nodeName: { type: "string" }, podIPs: { type: "array", items: { type: "string" } }, selector: { type: "string" }, service: { type: "string" }, serviceFQDN: { type: "string" } },
    },
    SandboxClaim: {
        type: "object", additionalProperties: false,
        properties: { conditions: { type: "array", items: conditionSchema }, sandbox: { type: "object", additionalProperties: false, properties: { name: { type: "string" }, podIPs: { type: "array", items: { type: "string" } } } } },
    },
};
const ajv = new Ajv({ allErrors: true, strict: false });

/** Checks an object as the API returns it: its spec against the CRD, its status against the CRD's status schema. */
async function checkAgentSandboxObject(object: Record<string, any>): Promise<void> {
    const { metadata, status, ...rest } = object;
    const problems = await agentSandboxProblems({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace, ...(metadata.labels ? { labels: metadata.labels } : {}), ...(metadata.annotations ? { annotations: metadata.annotations } : {}) } });
    const validate = ajv.compile(statusSchemas[object.kind]);
    if (status !== undefined && !validate(status)) {
        problems.push(...(validate.errors ?? []).map((error) => `status${error.instancePath} ${error.message}`));
    }
    assert.deepStrictEqual(problems, [], `${object.kind} ${metadata.name}`);
}

/** controllers/sandbox_controller.go NameHash: FNV-1a 32-bit of the Sandbox's name, 8 hex digits (the pod's agents.x-k8s.io/sandbox-name-hash). */
function nameHash(name: string): string {
    let hash = 0x811c9dc5;
    for (const byte of Buffer.from(name, "utf8")) {
        hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    }
    return hash.toString(16).padStart(8, "0");
}

const at = "2026-12-06T10:00:00Z";
const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastTransitionTime: at, observedGeneration: 1 });
/** computeReadyCondition's conditions with spec.service false (no Service required). */
const sandboxConditions = {
    ready: [condition("Suspended", "False", "NotSuspended", "Sandbox is not suspended"), condition("PodScheduled", "True", "PodScheduled", ""), condition("Ready", "True", "DependenciesReady", "Pod is Ready")],
    running: [condition("Suspended", "False", "NotSuspended", "Sandbox is not suspended"), condition("PodScheduled", "True", "PodScheduled", ""), condition("Ready", "False", "DependenciesNotReady", "Pod is Running but not Ready")],
    unschedulable: [condition("Suspended", "False", "NotSuspended", "Sandbox is not suspended"), condition("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient memory."), condition("Ready", "False", "DependenciesNotReady", "Pod exists with phase: Pending")],
    noPod: [condition("Suspended", "False", "NotSuspended", "Sandbox is not suspended"), condition("Ready", "False", "DependenciesNotReady", "Pod does not exist")],
    suspended: [condition("Suspended", "True", "PodTerminated", "Pod has been terminated. Sandbox is suspended"), condition("Ready", "False", "SandboxSuspended", "Sandbox is suspended")],
    podFailed: [condition("Suspended", "False", "NotSuspended", "Sandbox is not suspended"), condition("Finished", "True", "PodFailed", "Pod failed"), condition("PodScheduled", "True", "PodScheduled", ""), condition("Ready", "False", "PodFailed", "Pod failed")],
    reconcilerError: [condition("Suspended", "False", "NotSuspended", "Sandbox is not suspended"), condition("Ready", "False", "ReconcilerError", "Error seen: cannot adopt unowned pod \"kata-dedicated-judy\": missing required pool authorization label (\"agents.x-k8s.io/adoptable\") or sandbox tracking label (\"agents.x-k8s.io/sandbox-name-hash\")")],
};

const stackConfig = loadStack("agentsandbox").config;
const plans = new Map(stackConfig.teams.flatMap((team) => planTeamSandboxes(team)).map((plan) => [plan.name, plan]));
const planOf = (name: string) => plans.get(name) ?? assert.fail(`no sandbox ${name} in stack agentsandbox`);
const podSpecOf = (plan: SandboxPlan) => buildSandboxPodSpec(plan, stackConfig);
let uids = 0;
const uid = () => `0b5e6f1c-7d4a-4c1e-9a3b-${String(++uids).padStart(12, "0")}`;

type Json = Record<string, any>;

/** A dedicated sandbox's or persistent pool member's Sandbox, as the platform renders it and the controller annotates and reports it. */
function sandboxObject(name: string, conditions: object[], extra: { operatingMode?: "Suspended"; podIPs?: string[] } = {}): Json {
    const plan = planOf(name);
    const built = buildAgentSandbox(extra.operatingMode ? { ...plan, suspended: true } : plan, podSpecOf(plan));
    return {
        ...built,
        metadata: { ...built.metadata, uid: uid(), generation: 1, resourceVersion: "4242", creationTimestamp: at, annotations: { "agents.x-k8s.io/pod-name": name } },
        status: { conditions, ...(extra.podIPs ? { podIPs: extra.podIPs, nodeName: "node-1", selector: `agents.x-k8s.io/sandbox-name-hash=${nameHash(name)}` } : {}) },
    };
}

/** The pod reconcilePod creates for a Sandbox: named like it, its template's labels (system keys dropped) plus the name hash, a controller ownerReference. */
function sandboxPod(sandbox: Json, status: PodObject["status"]): Json {
    const templateLabels: Record<string, string> = sandbox.spec.podTemplate.metadata.labels;
    const own = Object.fromEntries(Object.entries(templateLabels).filter(([key]) => !key.startsWith("agents.x-k8s.io/") && !key.startsWith("extensions.agents.x-k8s.io/")));
    return {
        apiVersion: "v1", kind: "Pod",
        metadata: {
            name: sandbox.metadata.name, namespace: sandbox.metadata.namespace, uid: uid(), creationTimestamp: at,
            labels: { ...own, "agents.x-k8s.io/sandbox-name-hash": nameHash(sandbox.metadata.name) },
            annotations: { "agents.x-k8s.io/propagated-labels": Object.keys(own).sort().join(",") },
            ownerReferences: [{ apiVersion: "agents.x-k8s.io/v1beta1", kind: "Sandbox", name: sandbox.metadata.name, uid: sandbox.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: sandbox.spec.podTemplate.spec,
        status,
    };
}

const readyPod = (container = "envbox"): PodObject["status"] => ({
    phase: "Running", podIP: "10.42.0.17", podIPs: [{ ip: "10.42.0.17" }],
    conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True" }],
    containerStatuses: [{ ...running(true), name: container }],
} as PodObject["status"]);

/** An ephemeral team's members: each claim as rendered, and the Sandboxes of its warm pool as SandboxWarmPool makes them (generateName `<pool>-`). */
function ephemeralTeam(team: string) {
    const members = planTeamSandboxes(stackConfig.teams.find((t) => t.name === team)!);
    const template = buildAgentSandboxTemplate(ephemeralTemplatePlan(members), podSpecOf(members[0]));
    const templateHash = "5d1f3a2b";
    const claim = (member: SandboxPlan, status?: Json): Json => {
        const built = buildAgentSandboxClaim(member);
        return { ...built, metadata: { ...built.metadata, uid: uid(), generation: 1, creationTimestamp: at }, ...(status ? { status } : {}) };
    };
    /** A warm Sandbox; with `claim`, adopted by it (completeAdoption: controller reference to the claim, the claim's additionalPodMetadata merged into the pod template). */
    const warmSandbox = (suffix: string, conditions: object[], claimed?: Json): Json => {
        const name = `${warmPoolName(team)}-${suffix}`;
        const poolOwner = { apiVersion: "extensions.agents.x-k8s.io/v1beta1", kind: "SandboxWarmPool", name: warmPoolName(team), uid: "0b5e6f1c-0000-4000-8000-000000000001", controller: true, blockOwnerDeletion: true };
        const podLabels = claimed
            ? { ...template.spec.podTemplate.metadata.labels, "agents.x-k8s.io/claim-uid": claimed.metadata.uid, "agents.x-k8s.io/sandbox-template-ref-hash": templateHash, ...claimed.spec.additionalPodMetadata.labels }
            : { ...template.spec.podTemplate.metadata.labels, "agents.x-k8s.io/warm-pool-sandbox": "9c0e7a41", "agents.x-k8s.io/sandbox-template-ref-hash": templateHash };
        return {
            apiVersion: "agents.x-k8s.io/v1beta1", kind: "Sandbox",
            metadata: {
                name, namespace: template.metadata.namespace, uid: uid(), generation: 2, creationTimestamp: at,
                labels: claimed
                    ? { "agents.x-k8s.io/launch-type": "warm", "agents.x-k8s.io/claim-uid": claimed.metadata.uid, "agents.x-k8s.io/sandbox-template-ref-hash": templateHash }
                    : { "agents.x-k8s.io/warm-pool-sandbox": "9c0e7a41", "agents.x-k8s.io/launch-type": "warm", "agents.x-k8s.io/sandbox-template-ref-hash": templateHash, "agents.x-k8s.io/created-by": "controller" },
                annotations: { "agents.x-k8s.io/sandbox-template-ref": template.metadata.name, "agents.x-k8s.io/pod-name": name },
                ownerReferences: [claimed
                    ? { apiVersion: "extensions.agents.x-k8s.io/v1beta1", kind: "SandboxClaim", name: claimed.metadata.name, uid: claimed.metadata.uid, controller: true, blockOwnerDeletion: true }
                    : poolOwner],
            },
            spec: { podTemplate: { metadata: { labels: podLabels }, spec: { ...template.spec.podTemplate.spec, automountServiceAccountToken: false } }, service: false, operatingMode: "Running" },
            status: { conditions },
        };
    };
    return { members, claim, warmSandbox };
}

async function checkAll(objects: Json[]): Promise<void> {
    for (const object of objects) {
        if (object.kind === "Pod") {
            await validateManifest(object);
        } else {
            await checkAgentSandboxObject(object);
        }
    }
}

describe("npm run status on backend agent-sandbox: Sandboxes, SandboxClaims and their pods", function () {
    this.timeout(120_000);

    it("derives the phase from the Sandbox's Ready condition and the pod it owns, with the Deployment backend's reasons", async () => {
        const alice = sandboxObject("envbox-dedicated-alice", sandboxConditions.ready, { podIPs: ["10.42.0.17"] });
        const frank = sandboxObject("sysbox-dedicated-frank", sandboxConditions.unschedulable);
        const judy = sandboxObject("kata-dedicated-judy", sandboxConditions.running);
        const kim = sandboxObject("kata-pool-pool-0", sandboxConditions.running);
        const carol = sandboxObject("envbox-pool-pool-0", sandboxConditions.noPod);
        const bob = sandboxObject("envbox-dedicated-bob", sandboxConditions.suspended, { operatingMode: "Suspended" });
        const gina = sandboxObject("sysbox-pool-pool-0", sandboxConditions.podFailed);
        const hank = sandboxObject("sysbox-pool-pool-1", sandboxConditions.reconcilerError);
        const stale = sandboxObject("envbox-pool-pool-1", sandboxConditions.running);
        const pods = {
            alice: sandboxPod(alice, readyPod()),
            frank: sandboxPod(frank, { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient memory." }] }),
            judy: sandboxPod(judy, { phase: "Running", podIPs: [{ ip: "10.42.0.9" }], conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "False" }], containerStatuses: [{ name: "workspace", ready: false, restartCount: 4, image: "x:1", imageID: "", state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 2m40s restarting failed container=workspace" } }, lastState: { terminated: { exitCode: 1, reason: "Error", message: "sandbox-start: clone of https://example.com/x.git failed\n" } } }] } as PodObject["status"]),
            kim: sandboxPod(kim, { phase: "Running", conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "False" }], containerStatuses: [{ ...running(false), name: "workspace" }] }),
            gina: sandboxPod(gina, { phase: "Failed", reason: "Evicted", message: "The node was low on resource: ephemeral-storage." }),
            // The Sandbox says not ready, the pod already is: its IP is not reported yet.
            stale: sandboxPod(stale, readyPod()),
        };
        // A pod named like a Sandbox but not owned by it (reconcilePod refuses to adopt it): not that sandbox's pod.
        const foreign = { ...sandboxPod(hank, readyPod()), metadata: { ...sandboxPod(hank, readyPod()).metadata, ownerReferences: [] } };
        const all = [alice, frank, judy, kim, carol, bob, gina, hank, stale, ...Object.values(pods), foreign];
        await checkAll(all);
        const podList = Object.values(pods).concat(foreign) as PodObject[];
        const status = (object: Json) => agentSandboxStatus(object.metadata.namespace, object.metadata.name, object as AgentSandboxObject, podList);

        assert.deepStrictEqual(status(alice), { namespace: teamNamespace("envbox-dedicated"), sandbox: "envbox-dedicated-alice", phase: "Ready", pod: "envbox-dedicated-alice", container: "envbox", restarts: 0 });
        assert.deepStrictEqual([status(frank).phase, status(frank).reason], ["Pending", "Unschedulable: 0/3 nodes are available: 3 Insufficient memory."]);
        const crash = status(judy);
        assert.strictEqual(crash.phase, "Failing");
        assert.match(crash.reason!, /^workspace: CrashLoopBackOff: back-off 2m40s .*; last: Error \(exit 1\): sandbox-start: clone of https:\/\/example.com\/x.git failed$/);
        assert.strictEqual(crash.restarts, 4);
        assert.deepStrictEqual([status(kim).phase, status(kim).reason], ["Starting", "workspace: running, not ready yet (startup probe)"]);
        assert.deepStrictEqual([status(carol).phase, status(carol).reason, status(carol).pod], ["Pending", "DependenciesNotReady: Pod does not exist", undefined]);
        assert.deepStrictEqual([status(bob).phase, status(bob).reason], ["Suspended", "operatingMode: Suspended (Sandbox is suspended)"]);
        assert.deepStrictEqual([status(gina).phase, status(gina).reason], ["Failing", "Evicted: The node was low on resource: ephemeral-storage."]);
        assert.deepStrictEqual([status(hank).phase, status(hank).pod], ["Failing", undefined]);
        assert.match(status(hank).reason!, /^ReconcilerError: Error seen: cannot adopt unowned pod/);
        assert.deepStrictEqual([status(stale).phase, status(stale).reason, status(stale).pod], ["Starting", "DependenciesNotReady: Pod is Running but not Ready", "envbox-pool-pool-1"]);

        const missing = agentSandboxStatus(teamNamespace("kata-dedicated"), "kata-dedicated-judy", undefined, podList);
        assert.deepStrictEqual(missing, { namespace: teamNamespace("kata-dedicated"), sandbox: "kata-dedicated-judy", phase: "Missing", reason: "no Sandbox kata-dedicated-judy (not deployed yet, or deleted)", restarts: 0 });
        assert.strictEqual(formatStatus(missing), `${teamNamespace("kata-dedicated")}/kata-dedicated-judy  Missing  no Sandbox kata-dedicated-judy (not deployed yet, or deleted)`);
    });

    it("reports a Sandbox being deleted, and its replacement waiting for the old pod, as Pending, never Ready (a restart after a pod-template or script change)", async () => {
        // The controller returns at once on a deletion timestamp (Reconcile), so Ready=True stays on a Sandbox being deleted.
        const deleting = sandboxObject("envbox-dedicated-alice", sandboxConditions.ready, { podIPs: ["10.42.0.17"] });
        deleting.metadata.deletionTimestamp = at;
        const oldPod = sandboxPod(deleting, readyPod());
        oldPod.metadata.deletionTimestamp = at;
        await checkAll([deleting, oldPod]);
        const gone = agentSandboxStatus(deleting.metadata.namespace, deleting.metadata.name, deleting as AgentSandboxObject, [oldPod as PodObject]);
        assert.deepStrictEqual([gone.phase, gone.reason], ["Pending", "Sandbox envbox-dedicated-alice is being deleted (replaced after a pod-template or start-up script change, or removed)"]);

        // The replacement (same name, new UID): its controller refuses the old pod, still terminating,
        // as owned by another Sandbox (reconcilePod resourceOwnedByOther), a ReconcilerError until it is gone.
        const replacement = sandboxObject("envbox-dedicated-alice", [
            condition("Suspended", "False", "NotSuspended", "Sandbox is not suspended"),
            condition("Ready", "False", "ReconcilerError", `Error seen: pod "envbox-dedicated-alice" is owned by Sandbox/envbox-dedicated-alice (UID: ${deleting.metadata.uid}), not by sandbox "envbox-dedicated-alice"`),
        ]);
        await checkAll([replacement]);
        const waiting = agentSandboxStatus(replacement.metadata.namespace, replacement.metadata.name, replacement as AgentSandboxObject, [oldPod as PodObject]);
        assert.deepStrictEqual([waiting.phase, waiting.reason, waiting.pod],
            ["Pending", "waiting for the previous Sandbox's pod envbox-dedicated-alice to terminate (the Sandbox was replaced)", undefined]);
        // Once the old pod is gone and the controller has made the new one, the usual phases follow.
        const ready = sandboxObject("envbox-dedicated-alice", sandboxConditions.ready, { podIPs: ["10.42.0.18"] });
        const fresh = sandboxPod(ready, readyPod());
        assert.strictEqual(agentSandboxStatus(ready.metadata.namespace, ready.metadata.name, ready as AgentSandboxObject, [oldPod as PodObject, fresh as PodObject]).phase, "Ready");
    });

    it("follows an ephemeral member's SandboxClaim to the Sandbox it adopted (status.sandbox.name) and that Sandbox's pod, which carries the pool's label", async () => {
        const { members, claim, warmSandbox } = ephemeralTeam("envbox-ephemeral");
        const [first, second] = members;
        const claimed = claim(first);
        const adopted = warmSandbox("x7k2p", sandboxConditions.ready, claimed);
        claimed.metadata.annotations = { "agents.x-k8s.io/sandbox-name": adopted.metadata.name };
        claimed.status = { conditions: [condition("Ready", "True", "DependenciesReady", "Pod is Ready")], sandbox: { name: adopted.metadata.name, podIPs: ["10.42.1.5"] } };
        const unclaimed = claim(second);
        const spare = warmSandbox("9q2vd", sandboxConditions.ready);
        const pods = [sandboxPod(adopted, readyPod()), sandboxPod(spare, readyPod())];
        await checkAll([claimed, unclaimed, adopted, spare, ...pods]);
        // Pods carry the pool's sandbox label; only the claimed one has the member's.
        assert.strictEqual(pods[0].metadata.labels[labels.sandbox], warmPoolName("envbox-ephemeral"));
        assert.strictEqual(pods[0].metadata.labels[labels.poolMember], first.name);
        assert.strictEqual(pods[1].metadata.labels[labels.poolMember], undefined);

        const namespace = teamNamespace("envbox-ephemeral");
        const sandboxes = [adopted, spare] as AgentSandboxObject[];
        const ready = claimedMemberStatus(namespace, first.name, claimed as SandboxClaimObject, sandboxes, pods as PodObject[]);
        assert.deepStrictEqual(ready, { namespace, sandbox: first.name, phase: "Ready", pod: adopted.metadata.name, container: "envbox", restarts: 0, claimedSandbox: adopted.metadata.name });
        // Before the controller has written the claim's status, the Sandbox it controls is found by its ownerReference.
        const { status: _written, ...fresh } = claimed;
        assert.strictEqual(claimedMemberStatus(namespace, first.name, fresh as SandboxClaimObject, sandboxes, pods as PodObject[]).pod, adopted.metadata.name);

        const waiting = claimedMemberStatus(namespace, second.name, unclaimed as SandboxClaimObject, sandboxes, pods as PodObject[]);
        assert.deepStrictEqual(waiting, { namespace, sandbox: second.name, phase: "Pending", reason: `SandboxClaim ${second.name} has no Sandbox yet (the controller has not reconciled it)`, restarts: 0 });

        const refused = { ...unclaimed, status: { conditions: [condition("Ready", "False", "InvalidMetadata", "invalid additionalPodMetadata: failed to validate label \"sandbox-platform.io/pool-member\": label domain \"sandbox-platform.io\" is not in the allowlist")] } };
        const noPool = { ...unclaimed, status: { conditions: [condition("Ready", "False", "WarmPoolNotFound", `SandboxWarmPool "${warmPoolName("envbox-ephemeral")}" not found`)] } };
        const expired = { ...unclaimed, status: { conditions: [condition("Ready", "False", "ClaimExpired", "Claim expired. Sandbox cleanup initiated.")] } };
        const gone = { ...claimed, status: { ...claimed.status, sandbox: { name: `${warmPoolName("envbox-ephemeral")}-zz9zz` } } };
        await checkAll([refused, noPool, expired, gone]);
        const of = (object: Json) => claimedMemberStatus(namespace, object.metadata.name, object as SandboxClaimObject, sandboxes, pods as PodObject[]);
        assert.deepStrictEqual([of(refused).phase, of(refused).reason], ["Failing", `SandboxClaim ${second.name} has no Sandbox yet: ${refused.status.conditions[0].reason}: ${refused.status.conditions[0].message}`]);
        assert.deepStrictEqual([of(noPool).phase, of(noPool).reason], ["Pending", `SandboxClaim ${second.name} has no Sandbox yet: WarmPoolNotFound: SandboxWarmPool "envbox-ephemeral-pool" not found`]);
        assert.deepStrictEqual([of(expired).phase, of(expired).reason], ["Expired", "ClaimExpired: Claim expired. Sandbox cleanup initiated."]);
        assert.deepStrictEqual([of(gone).phase, of(gone).reason], ["Missing", `SandboxClaim ${first.name} names Sandbox envbox-ephemeral-pool-zz9zz, which does not exist (deleted?)`]);
        assert.deepStrictEqual(claimedMemberStatus(namespace, second.name, undefined, sandboxes, pods as PodObject[]),
            { namespace, sandbox: second.name, phase: "Missing", reason: `no SandboxClaim ${second.name} (not deployed yet, or deleted)`, restarts: 0 });
    });

    it("runs kubectl get for the agent-sandbox kinds at v1beta1 per team (claims only for ephemeral teams), never for Deployments, and reads the start-up log from the Sandbox's pod", async () => {
        const alice = sandboxObject("envbox-dedicated-alice", sandboxConditions.ready, { podIPs: ["10.42.0.17"] });
        const bob = sandboxObject("envbox-dedicated-bob", sandboxConditions.suspended, { operatingMode: "Suspended" });
        const { members, claim, warmSandbox } = ephemeralTeam("envbox-ephemeral");
        const claimed = claim(members[0]);
        const adopted = warmSandbox("x7k2p", sandboxConditions.ready, claimed);
        claimed.status = { conditions: [condition("Ready", "True", "DependenciesReady", "Pod is Ready")], sandbox: { name: adopted.metadata.name } };
        const unclaimed = claim(members[1]);
        const spare = warmSandbox("9q2vd", sandboxConditions.ready);
        const byNamespace: Record<string, { objects: Json[]; pods: Json[] }> = {
            [teamNamespace("envbox-dedicated")]: { objects: [alice, bob], pods: [sandboxPod(alice, readyPod())] },
            [teamNamespace("envbox-ephemeral")]: { objects: [claimed, unclaimed, adopted, spare], pods: [sandboxPod(adopted, readyPod()), sandboxPod(spare, readyPod())] },
        };
        await checkAll(Object.values(byNamespace).flatMap((n) => [...n.objects, ...n.pods]));
        const startLog = logWrittenByTheScript([
            `log "starting sandbox envbox-dedicated-alice as coder (workspace image)"`,
            `step sshd; step_done "listening on port 2222 (pid 42)"`,
            `log "ready in 1900 ms"`,
        ].join("\n"));
        const calls: string[][] = [];
        const list = (items: Json[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } });
        const fakeKubectl = async (args: string[]) => {
            calls.push(args);
            const served = byNamespace[args[3]] ?? { objects: [], pods: [] };
            if (args[0] === "get" && args[1] === "pods") {
                return list(served.pods);
            }
            if (args[0] === "get" && args[1].startsWith(agentSandboxResources.sandboxes)) {
                const kinds = args[1].split(",").map((kind) => (kind === agentSandboxResources.sandboxes ? "Sandbox" : kind === agentSandboxResources.claims ? "SandboxClaim" : assert.fail(kind)));
                return list(served.objects.filter((object) => kinds.includes(object.kind)));
            }
            if (args[0] === "exec") {
                return startLog;
            }
            throw new Error(`unexpected kubectl ${args.join(" ")}`);
        };
        const stdout = sink(), stderr = sink();
        const code = await statusMain(["agentsandbox"], stdout, stderr, fakeKubectl);
        assert.strictEqual(stderr.text, "");
        assert.strictEqual(code, statusExitCodes.notReady, stdout.text);
        assert.ok(!calls.some((c) => c.join(" ").includes("deployments")), JSON.stringify(calls));
        assert.deepStrictEqual(calls.find((c) => c[3] === teamNamespace("envbox-dedicated")), ["get", "sandboxes.v1beta1.agents.x-k8s.io", "-n", teamNamespace("envbox-dedicated"), "-o", "json"]);
        assert.deepStrictEqual(calls.find((c) => c[3] === teamNamespace("envbox-ephemeral")), ["get", "sandboxes.v1beta1.agents.x-k8s.io,sandboxclaims.v1beta1.extensions.agents.x-k8s.io", "-n", teamNamespace("envbox-ephemeral"), "-o", "json"]);
        assert.ok(calls.some((c) => c.join(" ") === `get pods -n ${teamNamespace("envbox-ephemeral")} -l ${labels.sandbox} -o json`), JSON.stringify(calls));
        assert.ok(calls.some((c) => c.join(" ") === `exec -n ${teamNamespace("envbox-ephemeral")} ${adopted.metadata.name} -c envbox -- cat ${startLogPath}`), JSON.stringify(calls));

        const line = (name: string) => stdout.text.split("\n").find((l) => l.split("  ")[0].endsWith(`/${name}`)) ?? assert.fail(`no line for ${name}:\n${stdout.text}`);
        assert.match(line("envbox-dedicated-alice"), /^sbx-envbox-dedicated\/envbox-dedicated-alice {2}Ready {2}steps: sshd \d+ ms; ready in 1900 ms$/);
        assert.strictEqual(line("envbox-dedicated-bob"), "sbx-envbox-dedicated/envbox-dedicated-bob  Suspended  operatingMode: Suspended (Sandbox is suspended)");
        assert.match(line(members[0].name), /^sbx-envbox-ephemeral\/envbox-ephemeral-pool-0 {2}Ready {2}steps: sshd \d+ ms; ready in 1900 ms$/);
        assert.strictEqual(line(members[1].name), "sbx-envbox-ephemeral/envbox-ephemeral-pool-1  Pending  SandboxClaim envbox-ephemeral-pool-1 has no Sandbox yet (the controller has not reconciled it)");
        assert.strictEqual(line("kata-dedicated-judy"), "sbx-kata-dedicated/kata-dedicated-judy  Missing  no Sandbox kata-dedicated-judy (not deployed yet, or deleted)");
        assert.strictEqual(line("kata-ephemeral-pool-1"), "sbx-kata-ephemeral/kata-ephemeral-pool-1  Missing  no SandboxClaim kata-ephemeral-pool-1 (not deployed yet, or deleted)");
        assert.doesNotMatch(stdout.text, /no Deployment/);
        assert.match(stdout.text, new RegExp(`^2/${plans.size} sandboxes ready$`, "m"));

        const json = sink();
        await statusMain(["agentsandbox", "--json"], json, sink(), fakeKubectl);
        const parsed = JSON.parse(json.text) as { sandbox: string; claimedSandbox?: string }[];
        assert.strictEqual(parsed.find((r) => r.sandbox === members[0].name)?.claimedSandbox, adopted.metadata.name);
    });

    it("asks for the agent-sandbox kinds only for teams on that backend: a cluster without the CRDs reports Deployment-backed teams as before, and names the missing CRDs for the others", async () => {
        const noCrds = (inner: (args: string[]) => Promise<string>) => async (args: string[]) => {
            if (args[0] === "get" && args[1].includes("agents.x-k8s.io")) {
                throw new Error(`error: the server doesn't have a resource type "${args[1].split(".")[0]}"\n`);
            }
            return inner(args);
        };
        const emptyList = async (args: string[]) => {
            if (args[0] === "get") {
                return JSON.stringify({ apiVersion: "v1", kind: "List", items: [], metadata: { resourceVersion: "" } });
            }
            throw new Error(`unexpected kubectl ${args.join(" ")}`);
        };
        const calls: string[][] = [];
        const recorded = async (args: string[]) => { calls.push(args); return noCrds(emptyList)(args); };
        const stdout = sink(), stderr = sink();
        assert.strictEqual(await statusMain(["dev-app-team-alpha"], stdout, stderr, recorded), statusExitCodes.notReady);
        assert.strictEqual(stderr.text, "");
        assert.ok(calls.every((c) => c[1] === "deployments.apps,pods"), JSON.stringify(calls));
        assert.match(stdout.text, /Missing {2}no Deployment \(not deployed yet, or deleted\)$/m);

        const failed = sink();
        assert.strictEqual(await statusMain(["agentsandbox"], sink(), failed, noCrds(emptyList)), statusExitCodes.kubectl);
        assert.match(failed.text, /^kubectl get in sbx-envbox-dedicated failed: error: the server doesn't have a resource type "sandboxes" \(team envbox-dedicated has backend: agent-sandbox: its CRDs and controller come with agentSandbox.enabled on the platform stack\)$/m);
    });
});
