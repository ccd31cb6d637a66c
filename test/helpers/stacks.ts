// One render per stack per test process: several suites read the same stacks.
import * as fs from "fs";
import * as path from "path";
import { rawFromPulumiConfig } from "../../components/config/load";
import { RenderResult, renderStack, repoRoot } from "../../tools/render-stack";
import { readStackConfig } from "../../tools/stack-config";

const renders = new Map<string, Promise<RenderResult>>();

export function renderedStack(stack: string): Promise<RenderResult> {
    if (!renders.has(stack)) {
        renders.set(stack, renderStack(stack));
    }
    return renders.get(stack)!;
}

/** Every stack file in stacks/, by stack name, with what kind of stack it is and the environment it belongs to. */
export function shippedStacks(): { stack: string; kind: string; environment: string; platformStack?: string }[] {
    return fs.readdirSync(path.join(repoRoot, "stacks")).sort()
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((stack): stack is string => stack !== undefined)
        .map((stack) => {
            const raw = rawFromPulumiConfig(readStackConfig(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`)).config);
            const kind = typeof raw.stack === "string" ? raw.stack : "all-in-one";
            return { stack, kind, environment: String(raw.environment), ...(kind === "team" ? { platformStack: String(raw.platformStack ?? raw.environment).split("/").pop() } : {}) };
        });
}

/** The shipped environments, by the name of their all-in-one or platform stack. */
export function shippedEnvironments(): string[] {
    return shippedStacks().filter((entry) => entry.kind !== "team").map((entry) => entry.stack);
}

const environments = new Map<string, Promise<RenderResult>>();

/**
 * A whole environment as one render: an all-in-one stack as it is, or a platform stack together with
 * every team stack on it: every resource each creates, and a config whose teams are the team stacks'
 * (what an all-in-one stack of the same environment would say). What is deployed to one cluster is
 * judged together (network reachability, hardening, conformance), as the cluster sees it.
 */
export function renderedEnvironment(name: string): Promise<RenderResult> {
    if (!environments.has(name)) {
        environments.set(name, (async () => {
            const platform = await renderedStack(name);
            const teamStacks = shippedStacks().filter((entry) => entry.kind === "team" && entry.platformStack === name).map((entry) => entry.stack);
            if (teamStacks.length === 0) {
                return platform;
            }
            const teams: RenderResult[] = [];
            for (const stack of teamStacks) {
                teams.push(await renderedStack(stack));
            }
            return {
                ...platform,
                config: { ...platform.config, teams: teams.flatMap((team) => team.config.teams) },
                run: { ...platform.run, resources: [...platform.run.resources, ...teams.flatMap((team) => team.run.resources)] },
                violations: [...platform.violations, ...teams.flatMap((team) => team.violations)],
                deployWarnings: [...platform.deployWarnings, ...teams.flatMap((team) => team.deployWarnings)],
            };
        })());
    }
    return environments.get(name)!;
}
