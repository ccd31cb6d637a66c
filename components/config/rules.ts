// Rules across sections of the stack config: what one key means for another
// (runtimes and GPUs enabled, credentials consistent) and collisions of every name
// the platform generates. Each returns issues with a key path; none throws.
//
// They run on every section, parsed or not: a section or team that did not parse is
// given as what could be salvaged of it (salvage.ts), so each rule reads only the facts
// it needs and stays silent when one of them is unknown; a problem elsewhere never
// hides this one.

import { Allocation, PlatformConfig, SandboxRuntime } from "./schema";
import { poolMemberName, sandboxName, teamNamespace } from "../naming";
import { egressAllowProblem } from "../cluster/network-policies";
import { RuleIssue, known } from "./salvage";

export type { RuleIssue } from "./salvage";

/** Namespaces Kubernetes itself owns. */
export const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;
/** Namespaces the platform creates besides coder.namespace and sbx-<team>. */
export const platformNamespaces = ["cnpg-system", "coder-workspaces"] as const;
/** The agent-sandbox controller's namespace when agentSandbox.enabled (components/agent-sandbox/controller.ts). */
export const agentSandboxNamespaceName = "agent-sandbox-system";

/** Where in the config a developer's name sits (a plain name or an object's name). */
function developerPath(raw: unknown, team: number, developer: number): (string | number)[] {
    const entry = (raw as any)?.teams?.[team]?.developers?.[developer];
    return typeof entry === "string" ? ["teams", team, "developers", developer] : ["teams", team, "developers", developer, "name"];
}

/**
 * Each section as parsed or, when it did not parse, as salvaged (unknown fields absent or
 * partial); `network` is the section before its cluster-dependent defaults; a team of which
 * nothing is known is a hole, so indices stay the config's.
 */
export type PartialConfig = { [K in Exclude<keyof PlatformConfig, "teams">]?: unknown } & { teams?: unknown[] };

const record = (value: unknown): Record<string, any> | undefined => value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, any> : undefined;
const text = (value: unknown): string | undefined => typeof value === "string" ? value : undefined;
const count = (value: unknown): number | undefined => typeof value === "number" ? value : undefined;
const flagOf = (value: unknown): boolean | undefined => typeof value === "boolean" ? value : undefined;

interface DeveloperFacts { index: number; name?: string; gpu?: number }
interface TeamFacts {
    index: number;
    name?: string;
    runtime?: SandboxRuntime;
    allocation?: Allocation;
    poolSize?: number;
    backend?: string;
    /** Whether the team entry sets capacity (platform stacks size quotas by it). */
    capacity: boolean;
    /** Developers whose entry is known at least in part (a name given as text, or an object). */
    developers: DeveloperFacts[];
    egress: { index: number; cidr?: string; ports: { index: number; port?: number; endPort?: number }[] }[];
}

/** What is known of a team, parsed (developers as objects) or salvaged (names or objects, holes). */
function teamFacts(team: unknown, index: number): TeamFacts | undefined {
    const fields = record(team);
    if (!fields) {
        return undefined;
    }
    const developers: DeveloperFacts[] = [];
    (Array.isArray(fields.developers) ? fields.developers : []).forEach((entry: unknown, j: number) => {
        const developer = record(entry);
        if (typeof entry === "string") {
            developers.push({ index: j, name: entry, gpu: 0 });
        } else if (developer) {
            developers.push({ index: j, name: text(developer.name), gpu: count(developer.gpu) });
        }
    });
    const egress = (Array.isArray(fields.egress) ? fields.egress : []).flatMap((entry: unknown, j: number) => {
        const rule = record(entry);
        if (!rule) {
            return [];
        }
        const ports = (Array.isArray(rule.ports) ? rule.ports : []).flatMap((port: unknown, k: number): TeamFacts["egress"][number]["ports"] => {
            const range = record(port);
            return typeof port === "number" ? [{ index: k, port }] : range ? [{ index: k, port: count(range.port), endPort: count(range.endPort) }] : [];
        });
        return [{ index: j, cidr: text(rule.cidr), ports }];
    });
    return {
        index, name: text(fields.name), runtime: text(fields.runtime) as SandboxRuntime | undefined,
        allocation: text(fields.allocation) as Allocation | undefined, poolSize: count(fields.poolSize), developers, egress,
        backend: text(fields.backend), capacity: fields.capacity !== undefined,
    };
}

export function crossSectionRules(config: PartialConfig, raw: unknown, secrets: { boundaryPassword?: unknown }): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const teams = (config.teams ?? []).flatMap((team, i) => teamFacts(team, i) ?? []);
    const runtimes = record(config.runtimes);
    teams.forEach((team) => {
        const enabled = team.runtime === undefined || team.runtime === "envbox" ? undefined : flagOf(record(runtimes?.[team.runtime])?.enabled);
        if (enabled === false) {
            issues.push({ path: ["teams", team.index, "runtime"], message: `${team.runtime} is used by team ${team.name ?? `teams[${team.index}]`} but runtimes.${team.runtime}.enabled is not true; enable it or use envbox` });
        }
    });
    if (flagOf(record(config.agentSandbox)?.enabled) === false) {
        teams.forEach((team) => {
            if (team.backend === "agent-sandbox") {
                issues.push({ path: ["teams", team.index, "backend"], message: `agent-sandbox is used by team ${team.name ?? `teams[${team.index}]`} but agentSandbox.enabled is not true; enable it (the platform stack installs the controller) or use backend: deployment` });
            }
        });
    }
    if (flagOf(record(config.gpu)?.enabled) === false) {
        teams.forEach((team) => team.developers.forEach((developer) => {
            if (developer.gpu !== undefined && developer.gpu > 0) {
                issues.push({ path: ["teams", team.index, "developers", developer.index, "gpu"], message: `developer ${developer.name ?? `developers[${developer.index}]`} asks for ${developer.gpu} GPU(s) but gpu.enabled is not true` });
            }
        }));
    }
    const boundary = record(config.boundary);
    const edition = text(boundary?.edition);
    if (flagOf(boundary?.enabled) === true && edition !== undefined && edition !== "community" && flagOf(record(config.vault)?.enabled) === false) {
        issues.push({ path: ["boundary", "edition"], message: `${edition} injects Vault-signed SSH certificates and needs vault.enabled: true (or use edition: community)` });
    }
    if (boundary && secrets.boundaryPassword !== undefined
        && ((boundary.authMethodId === undefined && known(boundary, "authMethodId")) || (boundary.loginName === undefined && known(boundary, "loginName")))) {
        issues.push({ path: ["boundary", "authMethodId"], message: "boundaryPassword needs boundary.authMethodId and boundary.loginName to log in" });
    }
    const cluster = record(config.cluster);
    const network = record(config.network);
    const accessFrom = record(network?.accessFrom);
    if (typeof cluster?.podCidr === "string" && typeof cluster.serviceCidr === "string") {
        const networks = { cluster: { podCidr: cluster.podCidr, serviceCidr: cluster.serviceCidr } as PlatformConfig["cluster"] };
        teams.forEach((team) => team.egress.forEach((rule) => {
            const problem = rule.cidr === undefined ? undefined : egressAllowProblem(rule.cidr, networks);
            if (problem) {
                issues.push({ path: ["teams", team.index, "egress", rule.index, "cidr"], message: problem });
            }
        }));
        const upstream = record(accessFrom?.upstream)?.cidrs;
        (Array.isArray(upstream) ? upstream : []).forEach((cidr: unknown, i: number) => {
            const problem = typeof cidr === "string" ? egressAllowProblem(cidr, networks) : undefined;
            if (problem) {
                issues.push({ path: ["network", "accessFrom", "upstream", "cidrs", i], message: `${problem} (the Boundary worker's upstream)` });
            }
        });
    }
    teams.forEach((team) => team.egress.forEach((rule) => rule.ports.forEach((entry) => {
        if (entry.endPort !== undefined && entry.port !== undefined && entry.endPort < entry.port) {
            issues.push({ path: ["teams", team.index, "egress", rule.index, "ports", entry.index, "endPort"], message: `${entry.endPort} is below port ${entry.port}; a range ends at or after its start` });
        }
    })));
    const namespaces = {
        coder: text(record(config.coder)?.namespace),
        accessFrom: flagOf(accessFrom?.create) === true ? text(accessFrom?.namespace) : undefined,
        agentSandbox: flagOf(record(config.agentSandbox)?.enabled) === true,
    };
    issues.push(...teamNameRules(teams), ...nameCollisions(teams, namespaces, raw), ...stackKindRules(config, teams));
    return issues;
}

/**
 * What each kind of stack may hold: a platform stack declares teams by their capacity and leaves
 * rosters to the teams' own stacks; only a platform stack sizes a team by capacity; only a team
 * stack names a platform stack.
 */
function stackKindRules(config: PartialConfig, teams: TeamFacts[]): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const kind = text(config.stack) ?? "all-in-one";
    const environment = text(config.environment) ?? "<env>";
    for (const team of teams) {
        const name = team.name ?? `teams[${team.index}]`;
        if (kind === "platform") {
            if (team.developers.length > 0) {
                issues.push({ path: ["teams", team.index, "developers"], message: `a platform stack declares team ${name} by its capacity; its roster belongs in the team's own stack (stacks/Pulumi.${environment}-${name}.yaml with sandbox-platform:stack: team), which its team lead deploys` });
            }
            if (!team.capacity) {
                issues.push({ path: ["teams", team.index, "capacity"], message: `is required in a platform stack: { sandboxes: N } is the most sandboxes team ${name}'s stack may run, and sizes its quota` });
            }
        } else if (team.capacity) {
            issues.push({ path: ["teams", team.index, "capacity"], message: kind === "team"
                ? `is set by the platform stack for team ${name}; remove it here`
                : `only a platform stack sizes a team by capacity; an all-in-one stack sizes team ${name}'s quota from its roster (remove capacity, or set sandbox-platform:stack: platform)` });
        }
    }
    if (config.platformStack !== undefined && kind !== "team") {
        issues.push({ path: ["platformStack"], message: `only a team stack reads a platform stack; this stack is ${kind} (set sandbox-platform:stack: team, or remove platformStack)` });
    }
    return issues;
}

function teamNameRules(teams: TeamFacts[]): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const seen = new Map<string, number>();
    teams.forEach(({ index: i, name }) => {
        if (name === undefined) {
            return;
        }
        if (seen.has(name)) {
            issues.push({ path: ["teams", i, "name"], message: `duplicate team name ${JSON.stringify(name)} (also teams[${seen.get(name)}].name)` });
        } else {
            seen.set(name, i);
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
function nameCollisions(teams: TeamFacts[], namespaces: { coder?: string; accessFrom?: string; agentSandbox?: boolean }, raw: unknown): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const sandboxes = new Map<string, { what: string; team: number }>();
    teams.forEach(({ index: i, name: teamName, allocation, poolSize, developers }) => {
        if (teamName === undefined || allocation === undefined) {
            return;
        }
        const names: { name: string; path: (string | number)[]; what: string }[] = allocation !== "dedicated"
            ? Array.from({ length: poolSize ?? 0 }, (_, index) => ({ name: poolMemberName(teamName, index), path: ["teams", i, "name"], what: `pool member ${index} of team ${teamName}` }))
            : developers.flatMap(({ index: j, name }) => name === undefined ? []
                : [{ name: sandboxName(teamName, name), path: developerPath(raw, i, j), what: `team ${teamName} developer ${name}` }]);
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
    if (namespaces.coder !== undefined) {
        owned.push({ path: ["coder", "namespace"], namespace: namespaces.coder, what: "coder.namespace" });
    }
    if (namespaces.accessFrom !== undefined) {
        owned.push({ path: ["network", "accessFrom", "namespace"], namespace: namespaces.accessFrom, what: "network.accessFrom.namespace" });
    }
    const claimed = new Map<string, string>(teams.flatMap(({ index: i, name }) => name === undefined ? [] : [[teamNamespace(name), `the sandbox namespace of team ${name} (teams[${i}])`] as [string, string]]));
    for (const namespace of platformNamespaces) {
        claimed.set(namespace, "a namespace the platform creates for Coder's workspaces or the CloudNativePG operator");
    }
    if (namespaces.agentSandbox) {
        claimed.set(agentSandboxNamespaceName, "the agent-sandbox controller's namespace (fixed by its CRDs' conversion webhook; agentSandbox.enabled)");
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
