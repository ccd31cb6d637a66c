// Which stacks make up an environment, read from the stack files (no Pulumi CLI, no backend).
// An environment <env> has a platform stack <env> (stacks/Pulumi.<env>.yaml with
// `sandbox-platform:stack: platform`) and team stacks <env>-<team> (stacks/Pulumi.<env>-<team>.yaml
// with `sandbox-platform:stack: team`); a stack file named after the environment without the key
// is an all-in-one stack, which has no team stacks. Every problem is a DeployPlanError naming
// the file and the key (the deploy command exits 2 on it, before any stack is touched).

import * as fs from "fs";
import * as path from "path";
import { configNamespace } from "../components/config/errors";
import { dns1123Label } from "../components/config/formats";
import { StackFileError, readStackConfig, stackFilePath } from "./stack-config";

export type StackRole = "platform" | "team" | "all-in-one";

/** The config key that says which kind of stack a file is. */
export const stackKindKey = `${configNamespace}:stack`;
const environmentKey = `${configNamespace}:environment`;

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
    /** For a team stack: the team whose identity it deploys with (the name after `<env>-`). */
    team?: string;
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
    if (value === "platform" || value === "team") {
        return value;
    }
    throw new DeployPlanError(`${relativeFile(root, stack)}: ${stackKindKey} is ${JSON.stringify(value)}; accepted: platform, team (or no key for an all-in-one stack)`);
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

/**
 * The environment's stacks. A team stack file `<env>-<team>` belongs to the longest platform
 * stack name it extends, so environments `prod` and `prod-eu` never claim each other's teams.
 */
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
        throw new DeployPlanError(`${platformFile}: ${stackKindKey} is "team"; the stack named after environment ${environment} must be its platform stack (${stackKindKey}: platform) or an all-in-one stack (no ${stackKindKey} key)`);
    }
    const configs = new Map<string, Record<string, string>>();
    const platformNames = new Set<string>();
    for (const name of names) {
        const config = name === environment ? platformConfig : readConfig(root, name);
        configs.set(name, config);
        if (config[stackKindKey] === "platform") {
            platformNames.add(name);
        }
    }
    const owner = (name: string): string | undefined =>
        [...platformNames].filter((platform) => name.startsWith(`${platform}-`)).sort((a, b) => b.length - a.length)[0];
    const teams: PlannedStack[] = [];
    for (const name of names) {
        const config = configs.get(name)!;
        if (name === environment || roleOf(root, name, config) !== "team" || (owner(name) ?? (name.startsWith(`${environment}-`) ? environment : undefined)) !== environment) {
            continue;
        }
        const file = relativeFile(root, name);
        if (platformRole === "all-in-one") {
            throw new DeployPlanError(`${file}: a team stack (${stackKindKey}: team) of environment ${environment}, whose stack ${platformFile} has no ${stackKindKey} key (an all-in-one stack); set ${stackKindKey}: platform in ${platformFile}, or remove the team stack`);
        }
        const declared = config[environmentKey];
        if (declared !== undefined && platformConfig[environmentKey] !== undefined && declared !== platformConfig[environmentKey]) {
            throw new DeployPlanError(`${file}: ${environmentKey} is ${JSON.stringify(declared)} but its platform stack ${platformFile} says ${JSON.stringify(platformConfig[environmentKey])}; a team stack belongs to the environment of its platform stack`);
        }
        const credentials = teamCredentialKeys.filter((key) => config[key] !== undefined);
        if (credentials.length > 0) {
            throw new DeployPlanError(`${file}: ${credentials.join(", ")}: a team stack deploys with its team's identity from the platform stack's secret output; a credential in the team stack file would take precedence over it: remove ${credentials.length === 1 ? "it" : "them"}`);
        }
        teams.push({ name, role: "team", file, team: name.slice(environment.length + 1) });
    }
    const platform: PlannedStack = { name: environment, role: platformRole, file: platformFile };
    const all = [platform, ...teams].map((stack) => stack.name);
    const unknown = only.filter((name) => !all.includes(name));
    if (unknown.length > 0) {
        throw new DeployPlanError(`--stack ${unknown.join(", ")}: not a stack of environment ${environment}; its stacks: ${all.join(", ")}`);
    }
    return { environment, platform, teams, selected: only.length === 0 ? all : all.filter((name) => only.includes(name)) };
}
