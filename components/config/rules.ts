// Rules across sections of the stack config: what one key means for another
// (runtimes and GPUs enabled, credentials consistent) and collisions of every name
// the platform generates. Each returns issues with a key path; none throws.

import { PlatformConfig, TeamConfig } from "./schema";
import { poolMemberName, sandboxName, teamNamespace } from "../naming";
import { egressAllowProblem } from "../cluster/network-policies";

export interface RuleIssue { path: (string | number)[]; message: string }

/** Namespaces Kubernetes itself owns. */
export const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;
/** Namespaces the platform creates besides coder.namespace and sbx-<team>. */
export const platformNamespaces = ["cnpg-system", "coder-workspaces"] as const;

/** Where in the config a developer's name sits (a plain name or an object's name). */
function developerPath(raw: unknown, team: number, developer: number): (string | number)[] {
    const entry = (raw as any)?.teams?.[team]?.developers?.[developer];
    return typeof entry === "string" ? ["teams", team, "developers", developer] : ["teams", team, "developers", developer, "name"];
}

/** The sections that parsed; a team that did not parse is a hole (so indices stay the config's). */
export type PartialConfig = Partial<Omit<PlatformConfig, "teams">> & { teams?: (TeamConfig | undefined)[] };

/** [index in the config, team] of every team that parsed. */
function parsedTeams(config: PartialConfig): [number, TeamConfig][] {
    return (config.teams ?? []).flatMap((team, i) => team ? [[i, team] as [number, TeamConfig]] : []);
}

export function crossSectionRules(config: PartialConfig, raw: unknown, secrets: { boundaryPassword?: unknown }): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const teams = parsedTeams(config);
    if (config.runtimes) {
        teams.forEach(([i, team]) => {
            if (team.runtime !== "envbox" && !config.runtimes![team.runtime].enabled) {
                issues.push({ path: ["teams", i, "runtime"], message: `${team.runtime} is used by team ${team.name} but runtimes.${team.runtime}.enabled is not true; enable it or use envbox` });
            }
        });
    }
    if (config.gpu && !config.gpu.enabled) {
        teams.forEach(([i, team]) => team.developers.forEach((developer, j) => {
            if (developer.gpu > 0) {
                issues.push({ path: ["teams", i, "developers", j, "gpu"], message: `developer ${developer.name} asks for ${developer.gpu} GPU(s) but gpu.enabled is not true` });
            }
        }));
    }
    if (config.boundary && config.vault && config.boundary.enabled && config.boundary.edition !== "community" && !config.vault.enabled) {
        issues.push({ path: ["boundary", "edition"], message: `${config.boundary.edition} injects Vault-signed SSH certificates and needs vault.enabled: true (or use edition: community)` });
    }
    if (config.boundary && secrets.boundaryPassword !== undefined && (!config.boundary.authMethodId || !config.boundary.loginName)) {
        issues.push({ path: ["boundary", "authMethodId"], message: "boundaryPassword needs boundary.authMethodId and boundary.loginName to log in" });
    }
    if (config.cluster) {
        const cluster = config.cluster;
        teams.forEach(([i, team]) => team.egress.forEach((rule, j) => {
            const problem = egressAllowProblem(rule.cidr, { cluster });
            if (problem) {
                issues.push({ path: ["teams", i, "egress", j, "cidr"], message: problem });
            }
        }));
        (config.network?.accessFrom.upstream.cidrs ?? []).forEach((cidr, i) => {
            const problem = egressAllowProblem(cidr, { cluster });
            if (problem) {
                issues.push({ path: ["network", "accessFrom", "upstream", "cidrs", i], message: `${problem} (the Boundary worker's upstream)` });
            }
        });
        teams.forEach(([i, team]) => team.egress.forEach((rule, j) => rule.ports.forEach((entry, k) => {
            if (entry.endPort !== undefined && entry.endPort < entry.port) {
                issues.push({ path: ["teams", i, "egress", j, "ports", k, "endPort"], message: `${entry.endPort} is below port ${entry.port}; a range ends at or after its start` });
            }
        })));
    }
    issues.push(...teamNameRules(teams), ...nameCollisions(config, raw), ...stackKindRules(config));
    return issues;
}

/**
 * What each kind of stack may hold: a platform stack declares teams by their capacity and leaves
 * rosters to the teams' own stacks; only a platform stack sizes a team by capacity; only a team
 * stack names a platform stack.
 */
function stackKindRules(config: PartialConfig): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const kind = config.stack ?? "all-in-one";
    for (const [i, team] of parsedTeams(config)) {
        if (kind === "platform") {
            if (team.developers.length > 0) {
                issues.push({ path: ["teams", i, "developers"], message: `a platform stack declares team ${team.name} by its capacity; its roster belongs in the team's own stack (stacks/Pulumi.${config.environment ?? "<env>"}-${team.name}.yaml with sandbox-platform:stack: team), which its team lead deploys` });
            }
            if (team.capacity === undefined) {
                issues.push({ path: ["teams", i, "capacity"], message: `is required in a platform stack: { sandboxes: N } is the most sandboxes team ${team.name}'s stack may run, and sizes its quota` });
            }
        } else if (team.capacity !== undefined) {
            issues.push({ path: ["teams", i, "capacity"], message: kind === "team"
                ? `is set by the platform stack for team ${team.name}; remove it here`
                : `only a platform stack sizes a team by capacity; an all-in-one stack sizes team ${team.name}'s quota from its roster (remove capacity, or set sandbox-platform:stack: platform)` });
        }
    }
    if (config.platformStack !== undefined && kind !== "team") {
        issues.push({ path: ["platformStack"], message: `only a team stack reads a platform stack; this stack is ${kind} (set sandbox-platform:stack: team, or remove platformStack)` });
    }
    return issues;
}

function teamNameRules(teams: [number, TeamConfig][]): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const seen = new Map<string, number>();
    teams.forEach(([i, team]) => {
        if (seen.has(team.name)) {
            issues.push({ path: ["teams", i, "name"], message: `duplicate team name ${JSON.stringify(team.name)} (also teams[${seen.get(team.name)}].name)` });
        } else {
            seen.set(team.name, i);
        }
    });
    return issues;
}

/**
 * Generated names must not collide: a sandbox's name (`<team>-<developer>`, `<team>-pool-<i>`)
 * names its Deployment, Service, PVCs, ConfigMap, Boundary host, host set, target and role and
 * their Pulumi resources, so it must be unique across teams (team `a` + developer `b-c` and
 * team `a-b` + developer `c` are both `a-b-c`); namespaces must not be one another's or the
 * system's.
 */
function nameCollisions(config: PartialConfig, raw: unknown): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const teams = parsedTeams(config);
    const sandboxes = new Map<string, { what: string; team: number }>();
    teams.forEach(([i, team]) => {
        const names: { name: string; path: (string | number)[]; what: string }[] = team.allocation !== "dedicated"
            ? Array.from({ length: team.poolSize }, (_, index) => ({ name: poolMemberName(team.name, index), path: ["teams", i, "name"], what: `pool member ${index} of team ${team.name}` }))
            : team.developers.map((developer, j) => ({ name: sandboxName(team.name, developer.name), path: developerPath(raw, i, j), what: `team ${team.name} developer ${developer.name}` }));
        for (const entry of names) {
            const other = sandboxes.get(entry.name);
            if (other !== undefined && other.team !== i) {
                issues.push({
                    path: entry.path,
                    message: `generated sandbox name ${JSON.stringify(entry.name)} (${entry.what}) is also the name of ${other.what} (teams[${other.team}]); it names Deployments, Services, PVCs and Boundary targets, so rename a team or developer`,
                });
            } else if (other === undefined) {
                sandboxes.set(entry.name, { what: entry.what, team: i });
            }
        }
    });
    // Namespaces the platform creates (and so owns): none may be another's or the system's.
    const owned: { path: (string | number)[]; namespace: string; what: string }[] = [];
    if (config.coder) {
        owned.push({ path: ["coder", "namespace"], namespace: config.coder.namespace, what: "coder.namespace" });
    }
    if (config.network?.accessFrom.create) {
        owned.push({ path: ["network", "accessFrom", "namespace"], namespace: config.network.accessFrom.namespace, what: "network.accessFrom.namespace" });
    }
    const claimed = new Map<string, string>(teams.map(([i, team]) => [teamNamespace(team.name), `the sandbox namespace of team ${team.name} (teams[${i}])`]));
    for (const namespace of platformNamespaces) {
        claimed.set(namespace, "a namespace the platform creates for Coder's workspaces or the CloudNativePG operator");
    }
    for (const entry of owned) {
        const quoted = JSON.stringify(entry.namespace);
        if ((systemNamespaces as readonly string[]).includes(entry.namespace)) {
            issues.push({ path: entry.path, message: `${quoted} is a Kubernetes system namespace; choose another, not one of ${systemNamespaces.join(", ")}` });
        } else if (claimed.has(entry.namespace)) {
            issues.push({ path: entry.path, message: `${quoted} is ${claimed.get(entry.namespace)}; choose another` });
        } else {
            claimed.set(entry.namespace, entry.what);
        }
    }
    return issues;
}
