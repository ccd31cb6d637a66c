// `npm run deploy -- <env> [--preview] [--parallel N] [--refresh] [--stack NAME]... [--json]`:
// the platform stack of <env> first, then its team stacks, at most N at once (default 4), through
// the Automation API. Progress (each line prefixed with its stack) goes to stderr; the summary
// table, or with --json the outcomes as JSON, to stdout.
// Exit codes: 0 every stack succeeded; 1 a stack failed or was skipped (a failed platform stack
// skips the team stacks); 2 invalid arguments or environment (nothing ran); 3 the tool itself failed.

import { repoRoot } from "./repo-root";
import { DeployPlan, DeployPlanError, planEnvironment } from "./deploy-plan";
import { DeployDependencies, StackFactory, deployEnvironment, summaryTable } from "./deploy-run";

export const deployExitCodes = { ok: 0, stackFailed: 1, invalid: 2, failed: 3 } as const;

export const deployUsage = "usage: npm run deploy -- <env> [--preview] [--parallel N] [--refresh] [--stack NAME]... [--json]";
export const defaultParallel = 4;

export interface DeployArguments {
    environment: string;
    preview: boolean;
    parallel: number;
    refresh: boolean;
    stacks: string[];
    json: boolean;
}

class UsageError extends Error {}

export function parseDeployArguments(argv: string[]): DeployArguments {
    let environment: string | undefined;
    const args: Omit<DeployArguments, "environment"> = { preview: false, parallel: defaultParallel, refresh: false, stacks: [], json: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--preview") {
            args.preview = true;
        } else if (arg === "--refresh") {
            args.refresh = true;
        } else if (arg === "--json") {
            args.json = true;
        } else if (arg === "--parallel" || arg === "--stack") {
            const value = argv[++i];
            if (value === undefined || value === "" || value.startsWith("-")) {
                throw new UsageError(`${arg} needs a value; ${deployUsage}`);
            }
            if (arg === "--stack") {
                args.stacks.push(...value.split(",").map((name) => name.trim()).filter(Boolean));
            } else {
                if (!/^[1-9][0-9]{0,2}$/.test(value)) {
                    throw new UsageError(`--parallel ${value}: expected a whole number of stacks at once, 1 to 999`);
                }
                args.parallel = Number(value);
            }
        } else if (arg.startsWith("-") || environment !== undefined) {
            throw new UsageError(`unexpected argument ${arg}; ${deployUsage}`);
        } else {
            environment = arg;
        }
    }
    if (environment === undefined) {
        throw new UsageError(deployUsage);
    }
    return { environment, ...args };
}

export interface DeployIo {
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
}

export interface DeployMainOptions {
    /** The project root (holds Pulumi.yaml and stacks/). */
    root?: string;
    /** The stack factory; the real one (LocalWorkspace) unless a test gives its own. */
    factory?: StackFactory;
    signal?: AbortSignal;
    teamEnvironment?: DeployDependencies["teamEnvironment"];
}

/** Resolves once the stream has taken the text. */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
    return new Promise((resolve) => stream.write(text, () => resolve()));
}

export async function deployMain(argv: string[], io: DeployIo, options: DeployMainOptions = {}): Promise<number> {
    let args: DeployArguments;
    let plan: DeployPlan;
    try {
        args = parseDeployArguments(argv);
        plan = planEnvironment(options.root ?? repoRoot, args.environment, args.stacks);
    } catch (error) {
        if (error instanceof UsageError || error instanceof DeployPlanError) {
            await write(io.stderr, `deploy: ${error.message}\nnothing was deployed\n`);
            return deployExitCodes.invalid;
        }
        throw error;
    }
    // The Automation API is loaded only when a real deploy runs (it starts nothing on import, but is large).
    const factory = options.factory ?? (await import("./deploy-workspace")).localStackFactory(options.root ?? repoRoot);
    const teams = plan.teams.filter((team) => plan.selected.includes(team.name)).map((team) => team.name);
    await write(io.stderr, `deploy: environment ${plan.environment}: ${plan.platform.role} stack ${plan.platform.name}` +
        `${plan.selected.includes(plan.platform.name) ? "" : " (not selected: its outputs are read)"}` +
        `${plan.platform.role === "platform" ? `, ${teams.length} team stack(s)${teams.length > 0 ? ` (${teams.join(", ")}), ${args.parallel} at once` : ""}` : ""}` +
        `; ${args.preview ? "preview" : "update"}${args.refresh ? " with refresh" : ""}\n`);
    const outcomes = await deployEnvironment(plan, { preview: args.preview, parallel: args.parallel, refresh: args.refresh, signal: options.signal }, {
        factory,
        progress: (line) => io.stderr.write(`${line}\n`),
        teamEnvironment: options.teamEnvironment,
    });
    const code = outcomes.every((outcome) => outcome.result === "succeeded") ? deployExitCodes.ok : deployExitCodes.stackFailed;
    if (args.json) {
        await write(io.stdout, `${JSON.stringify({ environment: plan.environment, operation: args.preview ? "preview" : "update", exitCode: code, stacks: outcomes }, null, 2)}\n`);
    } else {
        await write(io.stdout, `${summaryTable(outcomes)}\n`);
    }
    return code;
}
