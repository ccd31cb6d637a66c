// Drives the stacks of one environment through the Automation API: the platform stack first,
// then the team stacks, at most `parallel` at once. Pure orchestration over a stack factory
// (tools/deploy-workspace.ts gives the real one: LocalWorkspace over this project), so that
// tests drive it with a fake whose results have the SDK's shapes.
//
// What the SDK gives (@pulumi/pulumi 3.270.0, automation/stack.js and stack.d.ts):
// - Stack.up resolves to UpResult { stdout, stderr, outputs: OutputMap, summary: UpdateSummary }
//   where summary comes from `pulumi stack history` (summary.resourceChanges: OpMap, may be absent);
// - Stack.preview resolves to PreviewResult { stdout, stderr, changeSummary: OpMap } (from the
//   engine's SummaryEvent);
// - a failed command rejects with CommandError (or its subclasses StackNotFoundError,
//   StackAlreadyExistsError, ConcurrentUpdateError, chosen from the CLI's stderr by
//   automation/errors.js createCommandError) whose message is the CommandResult's text
//   (`code: ...\n stdout: ...\n stderr: ...\n err?: ...`, automation/cmd.js);
// - onOutput/onError receive the CLI's stdout/stderr in chunks, not lines (cmd.js exec).

import type { OpMap, OpType, OutputMap, PreviewOptions, PreviewResult, UpOptions, UpResult } from "@pulumi/pulumi/automation";
import { CommandError } from "@pulumi/pulumi/automation/errors";
import { DeployPlan, PlannedStack, StackRole } from "./deploy-plan";
import { CredentialDir, TeamIdentity, teamEnvironment, teamIdentityFrom } from "./deploy-identity";

/** What the deploy uses of an Automation API Stack (automation.Stack has all of it). */
export interface DeployStack {
    up(options?: UpOptions): Promise<UpResult>;
    preview(options?: PreviewOptions): Promise<PreviewResult>;
    outputs(): Promise<OutputMap>;
}

export interface StackRequest {
    name: string;
    /** Create the stack in the backend when it does not exist (createOrSelect); else select only. */
    create: boolean;
    /** Environment of the stack's pulumi process, on top of this process's (the team's credentials). */
    envVars: Record<string, string>;
}

/** Gives a selected (or created) stack; rejects as the SDK does (StackNotFoundError, CommandError). */
export type StackFactory = (request: StackRequest) => Promise<DeployStack>;

export type Operation = "update" | "preview";
export type StackResult = "succeeded" | "failed" | "skipped";

export interface StackOutcome {
    stack: string;
    role: StackRole;
    operation: Operation;
    result: StackResult;
    /** Resource changes by operation (UpdateSummary.resourceChanges or PreviewResult.changeSummary). */
    changes: OpMap;
    durationMs: number;
    /** Why it failed or was skipped, in one line. */
    reason?: string;
}

export interface DeployOptions {
    /** preview instead of up. */
    preview: boolean;
    /** Team stacks at once (at least 1). */
    parallel: number;
    /** Refresh each stack's state before the operation (pulumi up/preview --refresh). */
    refresh: boolean;
    /**
     * Once aborted, no further stack starts. Running operations are not signalled from here: a
     * Ctrl-C on a terminal already reaches every `pulumi` process of the foreground process group,
     * and the CLI takes a second SIGINT as "terminate immediately", which may orphan resources
     * (pulumi/pulumi pkg/cmd/pulumi cancellationScope). So the SDK's own `signal` option, which
     * sends SIGINT (automation/cmd.js exec), is never passed.
     */
    signal?: AbortSignal;
}

export interface DeployDependencies {
    factory: StackFactory;
    /** One line of progress (already prefixed with the stack's name). */
    progress: (line: string) => void;
    /** Turns a team's identity into its pulumi process's environment (default: teamEnvironment). */
    teamEnvironment?: (identity: TeamIdentity, team: string, files: CredentialDir) => Promise<Record<string, string>>;
    now?: () => number;
    /** This process's environment: BOUNDARY_ADDR when neither the identity nor the platform names Boundary's address. */
    env?: Record<string, string | undefined>;
}

/** Splits chunks into lines and hands each complete line on; flush() hands on the rest. */
export class LineSplitter {
    private pending = "";

    constructor(private readonly emit: (line: string) => void) {}

    push(chunk: string): void {
        const parts = (this.pending + chunk).split(/\r?\n/);
        this.pending = parts.pop()!;
        parts.forEach((line) => this.emit(line));
    }

    flush(): void {
        if (this.pending !== "") {
            this.emit(this.pending);
            this.pending = "";
        }
    }
}

/**
 * One line saying why a stack failed. A CommandError's message holds the whole CLI transcript;
 * the engine's own error lines (`error: ...`, also indented under "Diagnostics:" in the update's
 * display: pulumi/pulumi pkg/backend/display/progress.go printDiagnostics) are what a user needs.
 */
export function failureReason(error: unknown): string {
    if (error instanceof CommandError) {
        const lines = error.message.split("\n").map((line) => /^\s*error: (.*\S)\s*$/.exec(line)?.[1]).filter((line): line is string => line !== undefined);
        const distinct = [...new Set(lines)];
        const prefix = error.name === "CommandError" ? "" : `${error.name}: `;
        if (distinct.length > 0) {
            return `${prefix}${distinct.join("; ")}`;
        }
        const stderr = /\n stderr: ([^\n]*)/.exec(error.message)?.[1]?.trim();
        return `${prefix}${stderr || error.message.split("\n")[0]}`;
    }
    return error instanceof Error ? error.message : String(error);
}

/** Runs fn over items with at most `limit` running at once; never rejects (fn handles its own errors). */
export async function runBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const item = items[next++];
            await fn(item);
        }
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}

/**
 * Serializes selections: `pulumi stack select` records the workspace's current stack in one file
 * per project (pulumi/pulumi pkg/cmd/pulumi/stack/stack_select.go, state.SetCurrentStack), so
 * parallel selects would race on it. Operations themselves name their stack (`--stack`, automation/
 * stack.js runPulumiCmd) and run in parallel.
 */
class Mutex {
    private tail: Promise<void> = Promise.resolve();

    run<T>(fn: () => Promise<T>): Promise<T> {
        const result = this.tail.then(fn);
        this.tail = result.then(() => undefined, () => undefined);
        return result;
    }
}

export async function deployEnvironment(plan: DeployPlan, options: DeployOptions, deps: DeployDependencies): Promise<StackOutcome[]> {
    const now = deps.now ?? (() => performance.now());
    const operation: Operation = options.preview ? "preview" : "update";
    const selection = new Mutex();
    const files = new CredentialDir();
    const toEnvironment = deps.teamEnvironment ?? ((identity, team, dir) => teamEnvironment(identity, team, dir));
    const outcomes = new Map<string, StackOutcome>();
    const say = (stack: string, text: string) => deps.progress(`[${stack}] ${text}`);
    const record = (planned: PlannedStack, result: StackResult, started: number, changes: OpMap = {}, reason?: string): StackOutcome => {
        const outcome: StackOutcome = { stack: planned.name, role: planned.role, operation, result, changes, durationMs: Math.round(now() - started), ...(reason ? { reason } : {}) };
        outcomes.set(planned.name, outcome);
        say(planned.name, result === "succeeded" ? `${operation} succeeded in ${seconds(outcome.durationMs)} (${formatChanges(changes)})` : `${result}: ${reason}`);
        return outcome;
    };
    const select = (planned: PlannedStack, envVars: Record<string, string>) =>
        selection.run(() => deps.factory({ name: planned.name, create: !options.preview, envVars }));

    /** Selects and runs one stack; the outputs of an update, or undefined. */
    const drive = async (planned: PlannedStack, envVars: () => Promise<Record<string, string>>): Promise<{ stack?: DeployStack; outputs?: OutputMap; ok: boolean }> => {
        const started = now();
        if (options.signal?.aborted) {
            record(planned, "skipped", started, {}, "interrupted before it started");
            return { ok: false };
        }
        let stack: DeployStack | undefined;
        const out = new LineSplitter((line) => say(planned.name, line));
        const err = new LineSplitter((line) => say(planned.name, line));
        try {
            const env = await envVars();
            say(planned.name, `${options.preview ? "selecting" : "selecting (or creating)"} stack`);
            stack = await select(planned, env);
            say(planned.name, `${operation} started`);
            const common = { onOutput: (chunk: string) => out.push(chunk), onError: (chunk: string) => err.push(chunk), color: "never" as const, refresh: options.refresh };
            if (options.preview) {
                const result = await stack.preview(common);
                out.flush(); err.flush();
                record(planned, "succeeded", started, result.changeSummary ?? {});
                return { stack, ok: true };
            }
            const result = await stack.up(common);
            out.flush(); err.flush();
            record(planned, "succeeded", started, result.summary?.resourceChanges ?? {});
            return { stack, outputs: result.outputs, ok: true };
        } catch (error) {
            out.flush(); err.flush();
            record(planned, "failed", started, {}, failureReason(error));
            return { stack, ok: false };
        }
    };

    try {
        const teams = plan.teams.filter((team) => plan.selected.includes(team.name));
        let platformOutputs: Promise<OutputMap> | undefined;
        if (plan.selected.includes(plan.platform.name)) {
            const platform = await drive(plan.platform, async () => ({}));
            if (!platform.ok) {
                const started = now();
                for (const team of teams) {
                    record(team, "skipped", started, {}, `platform stack ${plan.platform.name} did not succeed; team stacks read its outputs, so none ran`);
                }
                return order(plan, outcomes);
            }
            platformOutputs = platform.outputs ? Promise.resolve(platform.outputs) : platform.stack!.outputs();
        } else if (teams.length > 0) {
            // Teams alone (--stack): their identities come from the platform stack's last update.
            platformOutputs = selection.run(() => deps.factory({ name: plan.platform.name, create: false, envVars: {} })).then((stack) => stack.outputs());
        }
        platformOutputs?.catch(() => undefined);
        await runBounded(teams, options.parallel, async (team) => {
            await drive(team, async () => {
                let outputs: OutputMap;
                try {
                    outputs = await platformOutputs!;
                } catch (error) {
                    throw new Error(`read platform stack ${plan.platform.name} outputs: ${failureReason(error)}`);
                }
                const [name, ...others] = team.teams!;
                if (others.length > 0) {
                    // Each identity is limited to its own team's namespace, mount and project scope.
                    throw new Error(`declares teams ${team.teams!.join(", ")}: each team's identity reaches only its own namespace and scopes, so a stack of several teams has none to deploy with; split it into one stack per team`);
                }
                return toEnvironment(teamIdentityFrom(outputs, plan.platform.name, name, (deps.env ?? process.env).BOUNDARY_ADDR), name, files);
            });
        });
        return order(plan, outcomes);
    } finally {
        files.remove();
    }
}

function order(plan: DeployPlan, outcomes: Map<string, StackOutcome>): StackOutcome[] {
    return plan.selected.map((name) => outcomes.get(name)).filter((outcome): outcome is StackOutcome => outcome !== undefined);
}

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}

/** The order a reader expects: what changes first, then what stays. */
const opOrder: OpType[] = ["create", "update", "replace", "delete", "create-replacement", "delete-replaced", "import", "import-replacement",
    "read", "read-replacement", "refresh", "discard", "discard-replaced", "remove-pending-replace", "same"];

/** `create 3, update 1, same 120`, or `no changes`. */
export function formatChanges(changes: OpMap): string {
    const keys = Object.keys(changes) as OpType[];
    const known = opOrder.filter((op) => (changes[op] ?? 0) > 0);
    const other = keys.filter((op) => !opOrder.includes(op) && (changes[op] ?? 0) > 0).sort();
    const parts = [...known, ...other].map((op) => `${op} ${changes[op]}`);
    return parts.length > 0 ? parts.join(", ") : "no changes";
}

/** The summary table: stack, role, result, resource changes, duration; failure reasons below it. */
export function summaryTable(outcomes: StackOutcome[]): string {
    const rows = [["STACK", "ROLE", "RESULT", "CHANGES", "DURATION"],
        ...outcomes.map((o) => [o.stack, o.role, o.result, o.result === "succeeded" ? formatChanges(o.changes) : "-", seconds(o.durationMs)])];
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    const lines = rows.map((row) => row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column])).join("  ").trimEnd());
    const reasons = outcomes.filter((o) => o.reason).map((o) => `  ${o.stack}: ${o.reason}`);
    const failed = outcomes.filter((o) => o.result !== "succeeded").length;
    const tail = failed === 0 ? `all ${outcomes.length} stack(s) succeeded` : `${failed} of ${outcomes.length} stack(s) did not succeed:`;
    return [...lines, "", tail, ...reasons].join("\n");
}
