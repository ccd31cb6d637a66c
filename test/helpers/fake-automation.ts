// A fake of the Automation API's stacks for the deploy orchestration (tools/deploy-run.ts): a
// backend holding stacks and their outputs, and per-stack scripts of what `pulumi up`/`preview`
// do. Results and errors have the SDK's real shapes, from @pulumi/pulumi 3.270.0:
// - UpResult { stdout, stderr, outputs, summary } (automation/stack.d.ts; stack.js up(): summary is
//   the newest `pulumi stack history --json` entry, UpdateSummary with kind/startTime/message/
//   environment/config/result/endTime/version/resourceChanges, dates revived as Date);
// - PreviewResult { stdout, stderr, changeSummary } (stack.js preview(): SummaryEvent.resourceChanges);
// - OutputMap { [key]: { value, secret } } (localWorkspace.js stackOutputs: secret when the masked
//   `stack output --json` shows "[secret]");
// - a failed command: automation/cmd.js exec() awaits execa, which rejects on a non-zero exit, and
//   wraps that rejection as createCommandError(new CommandResult("", execaError.message, -2, execaError));
//   execa 5.1.1 lib/error.js makeError: message = `Command failed with exit code N: <command>`,
//   then stderr, then stdout. The errors here are made by the SDK's own createCommandError, so the
//   subclass (StackNotFoundError, ConcurrentUpdateError, ...) is chosen by the SDK's rules.
// - onOutput/onError get chunks of the CLI's output (cmd.js: execa's 'data' events), not lines: the
//   fake cuts its output mid-line on purpose.
// The CLI's display text itself (the lines a script prints) is a GUESS at its look, except the
// "Diagnostics:" layout of an error (pulumi/pulumi pkg/backend/display/progress.go) and the
// messages quoted with their source below.

import type { OpMap, OutputMap, PreviewOptions, PreviewResult, UpOptions, UpResult, UpdateSummary } from "@pulumi/pulumi/automation";
import { DeployStack, StackFactory, StackRequest } from "../../tools/deploy-run";

// Both are marked @internal (absent from the .d.ts files) but exported by the modules: the fake
// builds its errors with the SDK's own code rather than an imitation of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as { CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => object };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError: (result: object) => Error };

export interface StackScript {
    /** Resource changes the operation reports. */
    changes?: OpMap;
    /** Outputs the stack has after a successful update. */
    outputs?: OutputMap;
    /** The operation fails: what the CLI printed, its exit code. */
    fail?: { stderr?: string; stdout?: string; exitCode?: number };
    /** How long the operation takes (ms). */
    delayMs?: number;
}

export interface RecordedOperation {
    stack: string;
    kind: "up" | "preview";
    options: UpOptions | PreviewOptions;
    envVars: Record<string, string>;
    /** Values of the team credential files while the operation ran (KUBECONFIG's content). */
    kubeconfig?: string;
    kubeconfigMode?: number;
    start: number;
    end?: number;
}

let clock = 0;
/** A monotonic sequence number: orders events without depending on the machine's speed. */
const tick = () => ++clock;

/** The error automation/cmd.js exec() throws when the CLI exits non-zero (see the file comment). */
export function cliFailure(args: string[], exitCode: number, stderr: string, stdout = ""): Error {
    const command = ["pulumi", ...args].join(" ");
    const execaMessage = [`Command failed with exit code ${exitCode}: ${command}`, stderr, stdout].filter(Boolean).join("\n");
    const execaError = Object.assign(new Error(execaMessage), { exitCode, stdout, stderr });
    return createCommandError(new CommandResult("", execaMessage, -2, execaError));
}

/** Emits text through a callback in uneven chunks that cut lines (as pipe reads do). */
function emitChunks(text: string, emit?: (chunk: string) => void): void {
    if (!emit || text === "") {
        return;
    }
    for (let i = 0; i < text.length; i += 7) {
        emit(text.slice(i, i + 7));
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeBackend {
    /** Stacks that exist in the backend, with their outputs. */
    readonly stacks = new Map<string, OutputMap>();
    readonly scripts = new Map<string, StackScript>();
    readonly requests: (StackRequest & { at: number })[] = [];
    readonly created: string[] = [];
    readonly operations: RecordedOperation[] = [];
    /** Operations running now, and the most ever at once. */
    inFlight = 0;
    maxInFlight = 0;
    /** Selections (stack select / init) running now, and the most ever at once. */
    selecting = 0;
    maxSelecting = 0;
    private version = 0;

    constructor(existing: string[] = []) {
        existing.forEach((name) => this.stacks.set(name, {}));
    }

    script(name: string, script: StackScript): this {
        this.scripts.set(name, script);
        return this;
    }

    /** The factory tools/deploy-run.ts takes: Stack.select, or Stack.createOrSelect. */
    readonly factory: StackFactory = async (request) => {
        this.requests.push({ ...request, at: tick() });
        this.selecting++;
        this.maxSelecting = Math.max(this.maxSelecting, this.selecting);
        try {
            await sleep(3);
            if (!this.stacks.has(request.name)) {
                if (!request.create) {
                    // pulumi/pulumi pkg/cmd/pulumi/stack/stack_select.go: `no stack named '%s' found`; the CLI prints errors as "error: ...".
                    throw cliFailure(["stack", "select", "--stack", request.name, "--non-interactive"], 255, `error: no stack named '${request.name}' found`);
                }
                this.stacks.set(request.name, {});
                this.created.push(request.name);
            }
            return this.stack(request);
        } finally {
            this.selecting--;
        }
    };

    private stack(request: StackRequest): DeployStack {
        const run = async (kind: "up" | "preview", options: UpOptions | PreviewOptions = {}) => {
            const script = this.scripts.get(request.name) ?? {};
            const recorded: RecordedOperation = { stack: request.name, kind, options, envVars: request.envVars, start: tick() };
            if (request.envVars.KUBECONFIG) {
                const fs = await import("fs");
                recorded.kubeconfig = fs.readFileSync(request.envVars.KUBECONFIG, "utf8");
                recorded.kubeconfigMode = fs.statSync(request.envVars.KUBECONFIG).mode & 0o777;
            }
            this.operations.push(recorded);
            this.inFlight++;
            this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
            try {
                const verb = kind === "up" ? "Updating" : "Previewing update";
                emitChunks(`${verb} (${request.name})\n\n`, options.onOutput);
                await sleep(script.delayMs ?? 5);
                const args = kind === "up" ? ["up", "--yes", "--skip-preview", "--exec-kind", "auto.local", "--stack", request.name, "--non-interactive"]
                    : ["preview", "--exec-kind", "auto.local", "--stack", request.name, "--non-interactive"];
                if (script.fail) {
                    emitChunks(script.fail.stdout ?? "", options.onOutput);
                    emitChunks(script.fail.stderr ?? "", options.onError);
                    throw cliFailure(args, script.fail.exitCode ?? 255, script.fail.stderr ?? "", script.fail.stdout ?? "");
                }
                const changes = script.changes ?? { same: 1 };
                const stdout = `${verb} (${request.name})\n\nResources:\n${Object.entries(changes).map(([op, n]) => `    ${n} ${op}`).join("\n")}\n`;
                emitChunks(stdout.slice(`${verb} (${request.name})\n\n`.length), options.onOutput);
                if (kind === "preview") {
                    const result: PreviewResult = { stdout, stderr: "", changeSummary: changes };
                    return result;
                }
                this.stacks.set(request.name, script.outputs ?? {});
                const startTime = new Date(Date.UTC(2026, 11, 6, 17, 0, 0));
                const summary: UpdateSummary = {
                    kind: "update", startTime, message: "", environment: { "exec.kind": "auto.local" }, config: {},
                    result: "succeeded", endTime: new Date(startTime.getTime() + 1000), version: ++this.version, resourceChanges: changes,
                };
                const result: UpResult = { stdout, stderr: "", outputs: this.stacks.get(request.name)!, summary };
                return result;
            } finally {
                this.inFlight--;
                recorded.end = tick();
            }
        };
        return {
            up: (options) => run("up", options) as Promise<UpResult>,
            preview: (options) => run("preview", options) as Promise<PreviewResult>,
            outputs: async () => this.stacks.get(request.name) ?? {},
        };
    }
}
