// Which stacks make up an environment, read from the stack files (no Pulumi CLI, no backend).
// An environment <env> has a platform stack <env> (stacks/Pulumi.<env>.yaml with
// `sandbox-platform:stack: platform`) and team stacks (stacks/Pulumi.<env>-<team>.yaml by
// convention, `sandbox-platform:stack: team`) whose platform stack is <env>: the program reads
// `sandbox-platform:platformStack` (a stack name, possibly `<org>/<project>/<stack>`), else
// `sandbox-platform:environment`, as the StackReference of a team stack (index.ts teamStack,
// components/config/team-stack.ts platformStackName). A stack file named after the environment
// with `stack: all-in-one` or no `stack` key is an all-in-one stack, which has no team stacks.
// Every problem is a DeployPlanError naming the file and the key (the deploy command exits 2 on
// it, before any stack is touched).

import * as fs from "fs";
import * as path from "path";
import { configNamespace } from "../components/config/errors";
import { dns1123Label } from "../components/config/formats";
import { StackFileError, readStackConfig, stackFilePath } from "./stack-config";

export type StackRole = "platform" | "team" | "all-in-one";

/** The config key that says which kind of stack a file is. */
export const stackKindKey = `${configNamespace}:stack`;
const environmentKey = `${configNamespace}:environment`;
const platformStackKey = `${configNamespace}:platformStack`;
const teamsKey = `${configNamespace}:teams`;

/**
 * Keys a team stack file may not set: each would make the team stack's providers use a
 * credential other than the team identity the platform stack exports (a stack config value
 * takes precedence over the environment variable the deploy sets for the team).
 */
export const teamCredentialKeys = [
    "kubernetes:kubeconfig",
    "kubernetes:context",
    "kubernetes:cluster",
    "vault:token",
    `${configNamespace}:boundaryToken`,
    `${configNamespace}:boundaryPassword`,
];

export interface PlannedStack {
    /** The Pulumi stack name (also the stack file's middle part). */
    name: string;
    role: StackRole;
    /** stacks/Pulumi.<name>.yaml, relative to the project root. */
    file: string;
    /** For a team stack: the teams it declares (`sandbox-platform:teams[].name`); it deploys with their identity. */
    teams?: string[];
}

export interface DeployPlan {
    environment: string;
    /** The platform stack, or the all-in-one stack. */
    platform: PlannedStack;
    /** Team stacks of the environment, sorted by name (none for an all-in-one stack). */
    teams: PlannedStack[];
    /** Stacks the run drives (all of them unless --stack narrowed it), in the plan's order. */
    selected: string[];
}

/** An environment or a selection that cannot be deployed; the message names the file and key. */
export class DeployPlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DeployPlanError";
    }
}

function relativeFile(root: string, stack: string): string {
    return path.relative(root, stackFilePath(root, stack));
}

function readConfig(root: string, stack: string): Record<string, string> {
    try {
        return readStackConfig(stackFilePath(root, stack)).config;
    } catch (error) {
        if (error instanceof StackFileError) {
            throw new DeployPlanError(error.message);
        }
        throw error;
    }
}

/** The kind of stack a file declares, or an error naming the key and the accepted values. */
function roleOf(root: string, stack: string, config: Record<string, string>): StackRole {
    const value = config[stackKindKey];
    if (value === undefined) {
        return "all-in-one";
    }
    if (value === "platform" || value === "team" || value === "all-in-one") {
        return value;
    }
    throw new DeployPlanError(`${relativeFile(root, stack)}: ${stackKindKey} is ${JSON.stringify(value)}; accepted: all-in-one (the default), platform, team`);
}

/** Stack names that have a file under stacks/ (Pulumi.<name>.yaml). */
function stackNames(root: string): string[] {
    const dir = path.join(root, "stacks");
    let entries: string[];
    try {
        entries = fs.readdirSync(dir);
    } catch (error) {
        throw new DeployPlanError(`read ${path.relative(root, dir) || dir}: ${(error as Error).message}`);
    }
    return entries.map((entry) => /^Pulumi\.(.+)\.yaml$/.exec(entry)?.[1]).filter((name): name is string => name !== undefined).sort();
}

/** The stack a team stack reads as its platform: platformStack's stack name, else its environment. */
function platformOf(config: Record<string, string>): string | undefined {
    const reference = config[platformStackKey];
    return reference !== undefined ? reference.split("/").pop() : config[environmentKey];
}

/** The names of the teams a team stack declares. */
function teamNames(file: string, config: Record<string, string>): string[] {
    let teams: unknown;
    try {
        teams = JSON.parse(config[teamsKey] ?? "[]");
    } catch {
        teams = undefined;
    }
    const names = Array.isArray(teams) ? teams.map((team) => (team && typeof team === "object" ? (team as { name?: unknown }).name : undefined)) : [];
    if (names.length === 0 || names.some((name) => typeof name !== "string" || name === "")) {
        throw new DeployPlanError(`${file}: ${teamsKey}: a team stack lists its teams, each with a name (found ${config[teamsKey] ?? "no key"})`);
    }
    return names as string[];
}

/** The environment's stacks: its platform (or all-in-one) stack and every team stack that reads it. */
export function planEnvironment(root: string, environment: string, only: string[] = []): DeployPlan {
    if (!dns1123Label.test(environment) || environment.length > 63) {
        throw new DeployPlanError(`environment ${JSON.stringify(environment)} is not a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`);
    }
    const names = stackNames(root);
    const platformFile = relativeFile(root, environment);
    if (!names.includes(environment)) {
        throw new DeployPlanError(`${platformFile}: no such stack file; environment ${environment} needs a platform stack (${stackKindKey}: platform) or an all-in-one stack named ${environment}`);
    }
    const platformConfig = readConfig(root, environment);
    const platformRole = roleOf(root, environment, platformConfig);
    if (platformRole === "team") {
        throw new DeployPlanError(`${platformFile}: ${stackKindKey} is "team"; the stack named after environment ${environment} must be its platform stack (${stackKindKey}: platform) or an all-in-one stack (${stackKindKey}: all-in-one, or no key)`);
    }
    const teams: PlannedStack[] = [];
    for (const name of names) {
        if (name === environment) {
            continue;
        }
        const config = readConfig(root, name);
        if (roleOf(root, name, config) !== "team" || platformOf(config) !== environment) {
            continue;
        }
        const file = relativeFile(root, name);
        if (platformRole === "all-in-one") {
            throw new DeployPlanError(`${file}: a team stack (${stackKindKey}: team) of environment ${environment}, whose stack ${platformFile} is an all-in-one stack (${stackKindKey} ${platformConfig[stackKindKey] === undefined ? "not set" : "all-in-one"}); set ${stackKindKey}: platform in ${platformFile}, or remove the team stack`);
        }
        const credentials = teamCredentialKeys.filter((key) => config[key] !== undefined);
        if (credentials.length > 0) {
            throw new DeployPlanError(`${file}: ${credentials.join(", ")}: a team stack deploys with its team's identity from the platform stack's secret output; a credential in the team stack file would take precedence over it: remove ${credentials.length === 1 ? "it" : "them"}`);
        }
        teams.push({ name, role: "team", file, teams: teamNames(file, config) });
    }
    const platform: PlannedStack = { name: environment, role: platformRole, file: platformFile };
    const all = [platform, ...teams].map((stack) => stack.name);
    const unknown = only.filter((name) => !all.includes(name));
    if (unknown.length > 0) {
        throw new DeployPlanError(`--stack ${unknown.join(", ")}: not a stack of environment ${environment}; its stacks: ${all.join(", ")}`);
    }
    return { environment, platform, teams, selected: only.length === 0 ? all : all.filter((name) => only.includes(name)) };
}
