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
