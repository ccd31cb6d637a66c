// Platform stacks and team stacks (DESIGN.md "per-team stacks"). Pure: no Pulumi resources.
//
// A platform stack declares its teams (name, runtime, per-sandbox resources, egress, capacity) and
// exports, as plain stack outputs, what team stacks build on: its own config sections and the
// declared teams. A team stack names only its teams' rosters and workspaces; its full config is the
// platform's sections plus its own teams, validated by the same loader as an all-in-one stack, and
// then checked against what the platform declared for each team (the team may not exceed the
// quota the platform sized, nor change what the platform owns: runtime, egress, capacity).

import { ConfigError, ConfigIssue, configNamespace } from "./errors";
import { Raw, keyPath, validatePlatformConfig } from "./load";
import { PlatformConfig, TeamConfig } from "./schema";
import { parseQuantity } from "./quantity";
import { planTeamSandboxes } from "../sandboxes/plan";
import { secretKeys } from "./constants";
import { teamNamespace } from "../naming";
import { teamSshMount } from "../access/vault-policies";

/** The stack output a platform stack exports for its team stacks (plain data, no secrets). */
export const platformOutputName = "platform";

/** Top-level keys a team stack file may set; everything else belongs to its platform stack. */
export const teamStackKeys = ["environment", "stack", "platformStack", "teams", ...secretKeys] as const;
/** Keys of a declared team that only the platform stack sets (security boundaries and quota). */
export const platformOwnedTeamKeys = ["capacity", "egress", "egressPresets", "egressInternet"] as const;

/** What a team stack reads from its platform stack (the `platform` output). */
export interface PlatformExport {
    environment: string;
    /** The platform stack's config sections as written (raw, defaults not filled), secrets and teams left out. */
    config: Raw;
    /** The declared teams, with the platform's defaults filled in. */
    teams: DeclaredTeam[];
    /** Per team: ids and names a team stack attaches to (filled by the platform at deploy time). */
    access: Record<string, TeamAccessExport>;
}

export interface TeamAccessExport {
    namespace: string;
    /** Vault SSH mount of the team's own CA (split stacks), when Vault is enabled. */
    vaultMount?: string;
    /** Boundary org scope and the team's project scope, when Boundary is enabled. */
    boundaryOrgId?: string;
    boundaryProjectId?: string;
}

/** A team as its platform stack declares it: what the platform sized and secured for it. */
export interface DeclaredTeam {
    name: string;
    runtime: TeamConfig["runtime"];
    /** The most one sandbox of the team may have (the namespace's LimitRange). */
    resources: TeamConfig["resources"];
    egress: TeamConfig["egress"];
    egressPresets: TeamConfig["egressPresets"];
    egressInternet?: boolean;
    capacity: NonNullable<TeamConfig["capacity"]>;
}

export function declaredTeams(config: PlatformConfig): DeclaredTeam[] {
    return config.teams.map((team) => ({
        name: team.name, runtime: team.runtime, resources: team.resources, egress: team.egress,
        egressPresets: team.egressPresets, ...(team.egressInternet !== undefined ? { egressInternet: team.egressInternet } : {}),
        capacity: team.capacity ?? { sandboxes: 0, gpus: 0, images: 1 },
    }));
}

/** Ids a platform stack's services assign (Boundary's org and project scopes), per team. */
export interface PlatformIds<T> {
    boundaryOrgId?: T;
    boundaryProjectIds: Record<string, T>;
}

/** Per declared team, what its team stack attaches to. */
export function teamAccess<T>(config: PlatformConfig, ids: PlatformIds<T>): Record<string, { namespace: string; vaultMount?: string; boundaryOrgId?: T; boundaryProjectId?: T }> {
    return Object.fromEntries(config.teams.map((team) => [team.name, {
        namespace: teamNamespace(team.name),
        ...(config.vault.enabled ? { vaultMount: teamSshMount(config.vault.sshMount, team.name) } : {}),
        ...(config.boundary.enabled && ids.boundaryOrgId !== undefined ? { boundaryOrgId: ids.boundaryOrgId, boundaryProjectId: ids.boundaryProjectIds[team.name] } : {}),
    }]));
}

/** The `platform` output of a platform stack. */
export function platformExport(config: PlatformConfig, raw: Raw, access: Record<string, TeamAccessExport>): PlatformExport {
    return { environment: config.environment, config: platformExportConfig(raw), teams: declaredTeams(config), access };
}

/** The platform part of a platform stack's raw config: every section but teams and secrets. */
export function platformExportConfig(raw: Raw): Raw {
    const excluded = new Set<string>(["teams", ...secretKeys]);
    return Object.fromEntries(Object.entries(raw).filter(([key]) => !excluded.has(key)));
}

/**
 * The `platform` output a team stack read from its platform stack (a StackReference's output
 * details: `value`, or `secretValue` when the output is secret), or a ConfigError naming the
 * platformStack key when the stack has none.
 */
export function platformExportFrom(details: { value?: unknown; secretValue?: unknown }, stackName: string): PlatformExport {
    const exported = (details.value ?? details.secretValue) as PlatformExport | undefined;
    if (!exported || typeof exported !== "object" || !Array.isArray(exported.teams)) {
        throw new ConfigError(`${configNamespace}:platformStack`,
            `platform stack ${JSON.stringify(stackName)} has no output "${platformOutputName}": deploy it first (it is a stack with sandbox-platform:stack: platform), or name the right one in platformStack`);
    }
    return exported;
}

/** The default StackReference name of a team stack's platform: the environment's name. */
export function platformStackName(raw: Raw): string {
    return typeof raw.platformStack === "string" ? raw.platformStack : String(raw.environment ?? "");
}

function issue(path: (string | number)[], detail: string): ConfigIssue {
    return { key: `${configNamespace}:${keyPath(path)}`, detail };
}

/**
 * A team stack's whole config: its own file (`own`, raw) on top of its platform's export.
 * Reports every problem at once, each naming the team stack's key; throws ConfigError.
 */
export function teamStackConfig(own: Raw, platform: PlatformExport): PlatformConfig {
    const issues: ConfigIssue[] = [];
    const source = platformStackName(own);
    for (const key of Object.keys(own)) {
        if (!(teamStackKeys as readonly string[]).includes(key)) {
            issues.push(issue([key], `is set in the platform stack ${JSON.stringify(source)}, which this team stack reads; remove it here (a team stack sets only ${teamStackKeys.join(", ")})`));
        }
    }
    if (own.environment !== undefined && own.environment !== platform.environment) {
        issues.push(issue(["environment"], `${JSON.stringify(own.environment)} is not the environment of platform stack ${JSON.stringify(source)} (${JSON.stringify(platform.environment)})`));
    }
    const declared = new Map(platform.teams.map((team) => [String(team.name), team]));
    const ownTeams = Array.isArray(own.teams) ? own.teams : [];
    if (!Array.isArray(own.teams) || own.teams.length === 0) {
        issues.push(issue(["teams"], `a team stack needs at least one team, declared in platform stack ${JSON.stringify(source)} (declared: ${[...declared.keys()].join(", ") || "none"})`));
    }
    const merged = ownTeams.map((entry, i) => {
        if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
            return entry; // the loader names the type error
        }
        const team = entry as Raw;
        const platformTeam = declared.get(String(team.name));
        if (platformTeam === undefined) {
            issues.push(issue(["teams", i, "name"], `team ${JSON.stringify(team.name)} is not declared in platform stack ${JSON.stringify(source)} (declared: ${[...declared.keys()].join(", ") || "none"}); add it there with its capacity first`));
            return team;
        }
        for (const key of platformOwnedTeamKeys) {
            if (team[key] !== undefined) {
                issues.push(issue(["teams", i, key], `is set for team ${JSON.stringify(team.name)} in platform stack ${JSON.stringify(source)}; remove it here`));
            }
        }
        if (team.runtime !== undefined && platformTeam.runtime !== team.runtime) {
            issues.push(issue(["teams", i, "runtime"], `${JSON.stringify(team.runtime)} is not the runtime platform stack ${JSON.stringify(source)} declares for team ${JSON.stringify(team.name)} (${JSON.stringify(platformTeam.runtime)}); its namespace's Pod Security level follows that runtime`));
        }
        // What the platform owns comes from it; the team's own keys go on top.
        return {
            runtime: platformTeam.runtime, egress: platformTeam.egress, egressPresets: platformTeam.egressPresets ?? [],
            ...(platformTeam.egressInternet !== undefined ? { egressInternet: platformTeam.egressInternet } : {}), resources: platformTeam.resources, ...team,
        };
    });
    const raw: Raw = {
        ...platform.config,
        ...Object.fromEntries(Object.entries(own).filter(([key]) => (secretKeys as readonly string[]).includes(key))),
        environment: platform.environment,
        stack: "team",
        ...(own.platformStack !== undefined ? { platformStack: own.platformStack } : {}),
        teams: merged,
    };
    const { config, issues: loaderIssues } = validatePlatformConfig(raw);
    issues.push(...loaderIssues);
    if (config) {
        issues.push(...capacityIssues(config, platform, source));
    }
    if (issues.length > 0) {
        throw new ConfigError(issues[0].key, issues[0].detail, issues);
    }
    return config!;
}

/** A team stack may not run more, or larger, sandboxes than its platform stack sized the quota for. */
function capacityIssues(config: PlatformConfig, platform: PlatformExport, source: string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const declared = new Map(platform.teams.map((team) => [String(team.name), team]));
    config.teams.forEach((team: TeamConfig, i) => {
        const platformTeam = declared.get(team.name);
        if (!platformTeam) {
            return;
        }
        const limits = platformTeam.capacity;
        const sandboxes = planTeamSandboxes(team);
        const where = `platform stack ${JSON.stringify(source)} teams.${team.name}`;
        if (sandboxes.length > limits.sandboxes) {
            issues.push(issue(["teams", i, team.allocation === "dedicated" ? "developers" : "poolSize"],
                `team ${team.name} would run ${sandboxes.length} sandboxes; ${where}.capacity.sandboxes allows ${limits.sandboxes} (its quota is sized for that): ask the platform owner to raise it`));
        }
        const gpus = sandboxes.reduce((sum, sandbox) => sum + sandbox.gpu, 0);
        if (gpus > limits.gpus) {
            issues.push(issue(["teams", i, "developers"], `team ${team.name} would request ${gpus} GPU(s); ${where}.capacity.gpus allows ${limits.gpus}`));
        }
        const images = new Set(sandboxes.map((sandbox) => sandbox.image)).size;
        if (images > limits.images) {
            issues.push(issue(["teams", i, "image"], `team ${team.name} uses ${images} distinct workspace images; ${where}.capacity.images allows ${limits.images} (each is pre-pulled on every node within the quota)`));
        }
        sandboxes.forEach((sandbox) => {
            for (const key of ["cpu", "memory", "disk", "dockerCache"] as const) {
                const asked = parseQuantity(sandbox.resources[key])!;
                const allowed = parseQuantity(platformTeam.resources[key])!;
                if (asked > allowed) {
                    const developer = team.developers.findIndex((entry) => entry.name === sandbox.developer);
                    const path = developer >= 0 ? ["teams", i, "developers", developer, "resources", key] : ["teams", i, "resources", key];
                    issues.push(issue(path, `${sandbox.resources[key]} for sandbox ${sandbox.name} is above ${where}.resources.${key} (the most one sandbox of the team may have there)`));
                }
            }
        });
    });
    return issues;
}
