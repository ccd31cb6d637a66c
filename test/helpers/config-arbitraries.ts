// fast-check generators of stack configs: valid ones (the schema must accept them and the
// program must render them) and mutations of those (the tools must refuse them cleanly).

import fc from "fast-check";

const label = (max: number) => fc.stringMatching(/^[a-z]([-a-z0-9]{0,8}[a-z0-9])?$/).filter((text) => text.length <= max);

const cpu = fc.constantFrom("500m", "1", "2", "1.5", "250m", "4");
const bytes = fc.constantFrom("512Mi", "1Gi", "4Gi", "8Gi", "20Gi", "1e9", "2G");
const resources = fc.record({ cpu, memory: bytes, disk: bytes, dockerCache: bytes }, { requiredKeys: [] });
const duration = fc.constantFrom<[string | number, string | number]>(["8h", "24h"], [3600, "1d"], ["30m", "1h"], ["1h30m", 7200], ["90", "90s"]);

const developerNames = fc.uniqueArray(fc.constantFrom("alice", "bob", "carol", "dave", "erin", "frank", "grace", "x1", "b-c"), { maxLength: 4 });
/** Team names that cannot generate colliding sandbox names with the developer names above. */
const teamNames = fc.uniqueArray(fc.constantFrom("alpha", "beta", "team-gamma", "delta9", "ops"), { minLength: 0, maxLength: 3 });

export const validConfig = fc.record({
    kata: fc.boolean(), sysbox: fc.boolean(), gpu: fc.boolean(), vault: fc.boolean(), boundary: fc.boolean(),
    edition: fc.constantFrom("community", "enterprise", "hcp"), coder: fc.boolean(), durations: duration,
    environment: label(20), teams: teamNames,
    teamShapes: fc.array(fc.record({
        runtime: fc.constantFrom("envbox", "sysbox", "kata"), pool: fc.boolean(), extraPool: fc.integer({ min: 0, max: 2 }),
        developers: developerNames, resources, objectDevelopers: fc.boolean(), gpuFirst: fc.boolean(),
    }), { minLength: 3, maxLength: 3 }),
    postgres: fc.constantFrom("cloudnative-pg", "bitnami"), helm: fc.constantFrom("pulumi", "helm-controller"),
    fuse: fc.boolean(), tun: fc.boolean(), egressInternet: fc.boolean(),
}).map((c) => {
    const teams = c.teams.map((name, i) => {
        const shape = c.teamShapes[i];
        const runtime = shape.runtime === "kata" && !c.kata ? "envbox" : shape.runtime === "sysbox" && !c.sysbox ? "envbox" : shape.runtime;
        const team: Record<string, unknown> = { name, runtime, resources: shape.resources };
        if (shape.pool) {
            team.allocation = "pool";
            team.poolSize = Math.max(1, shape.developers.length + shape.extraPool);
            team.developers = shape.developers;
        } else {
            team.developers = shape.developers.map((developer, j) => shape.objectDevelopers
                ? { name: developer, ...(j === 0 && shape.gpuFirst && c.gpu && runtime === "envbox" ? { gpu: 1 } : {}) }
                : developer);
        }
        return team;
    });
    return {
        environment: c.environment,
        cluster: { distribution: "k3s", helm: c.helm },
        coder: c.coder ? { enabled: true, accessUrl: "https://coder.example.com", postgres: { mode: c.postgres } } : { enabled: false },
        runtimes: { kata: { enabled: c.kata }, sysbox: { enabled: c.sysbox } },
        gpu: { enabled: c.gpu },
        devices: { fuse: c.fuse, tun: c.tun },
        vault: { enabled: c.vault || (c.boundary && c.edition !== "community"), certTtl: c.durations[0], certMaxTtl: c.durations[1] },
        boundary: c.boundary ? { enabled: true, edition: c.edition, address: "https://boundary.example.com" } : { enabled: false },
        network: { egressInternet: c.egressInternet },
        teams,
    } as Record<string, any>;
});

/** Values a user might put anywhere by mistake. */
const wrongValue = fc.oneof(
    fc.constantFrom<unknown>(null, "", " ", "null", "true", 0, -1, 1e308, Number.NaN, [], {}, "__proto__", "../..", "0.0.0.0/0",
        ">=2.0", "latest", "Bob", "a".repeat(300), "sys/ssh", "1e308", "8 hours", { secure: "" }, { secrue: "v1:x" }, "kube-system"),
    fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(),
    fc.jsonValue({ maxDepth: 2 }),
);

/** Every path (as keys) to a value inside `value`. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    const result: (string | number)[][] = [prefix];
    if (Array.isArray(value)) {
        value.forEach((entry, i) => result.push(...paths(entry, [...prefix, i])));
    } else if (value && typeof value === "object") {
        for (const [key, entry] of Object.entries(value)) {
            result.push(...paths(entry, [...prefix, key]));
        }
    }
    return result;
}

type Mutation = { kind: "set" | "delete" | "add"; pick: number; value: unknown; key: string };

function apply(config: Record<string, any>, mutation: Mutation): Record<string, any> {
    const copy = JSON.parse(JSON.stringify(config));
    const all = paths(copy).filter((p) => p.length > 0);
    const at = all[mutation.pick % all.length];
    const parent = at.slice(0, -1).reduce((node: any, key) => node[key], copy);
    const last = at[at.length - 1];
    if (mutation.kind === "delete") {
        Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
    } else if (mutation.kind === "add" && parent && typeof parent === "object" && !Array.isArray(parent)) {
        Object.defineProperty(parent, mutation.key, { value: mutation.value, enumerable: true, writable: true, configurable: true });
    } else {
        parent[last] = mutation.value;
    }
    return copy;
}

const mutation = fc.record({
    kind: fc.constantFrom<Mutation["kind"]>("set", "set", "delete", "add"), pick: fc.nat(), value: wrongValue,
    key: fc.constantFrom("__proto__", "secure", "enabeld", "namespace", "name", "x"),
});

/** A valid config with one to three mistakes. */
export const mutatedConfig = fc.tuple(validConfig, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([config, mutations]) => mutations.reduce(apply, config));

/** A stack file's text for a config of short keys. */
export function stackFileText(config: Record<string, unknown>): string {
    const lines = ["config:"];
    for (const [key, value] of Object.entries(config)) {
        lines.push(`  sandbox-platform:${key}: ${JSON.stringify(value) ?? "null"}`);
    }
    return `${lines.join("\n")}\n`;
}

// ---- targeted mistakes, each refused under one known key ----

type KeyPath = (string | number)[];

/** One mistake applied to a copy of a config: the key it must be reported under, and what it wrote and read. */
export interface Mistake {
    /** The key path the problem must be reported under. */
    key: KeyPath;
    /** Keys whose values the mistake changed. */
    writes: KeyPath[];
    /** Other keys whose values make it a mistake (gpu.enabled for a GPU asked for). */
    reads: KeyPath[];
}

/** Applies a mistake to `config` in place (choosing its target with `pick`), or answers undefined when it does not apply. */
type MistakeMaker = (config: Record<string, any>, pick: number) => Mistake | undefined;

const teamAt = (config: Record<string, any>, pick: number, test: (team: Record<string, any>) => boolean = () => true): number | undefined => {
    const candidates = (config.teams as Record<string, any>[]).flatMap((team, i) => test(team) ? [i] : []);
    return candidates.length === 0 ? undefined : candidates[pick % candidates.length];
};

/**
 * Mistakes a user makes, one key each: a bad value, a rule between keys broken (duplicate
 * team or developer, a GPU or runtime not enabled, a TTL over its maximum, a pool of none,
 * an enabled service with no URL), an unknown key. Named so a failing case says which.
 */
export const mistakes: Record<string, MistakeMaker> = {
    "a CPU that is not a quantity": (config, pick) => {
        const i = teamAt(config, pick);
        if (i === undefined) return undefined;
        config.teams[i].resources = { ...config.teams[i].resources, cpu: "lots" };
        return { key: ["teams", i, "resources", "cpu"], writes: [["teams", i, "resources", "cpu"]], reads: [] };
    },
    "an image on the latest tag": (config, pick) => {
        const i = teamAt(config, pick);
        if (i === undefined) return undefined;
        config.teams[i].image = "codercom/enterprise-base:latest";
        return { key: ["teams", i, "image"], writes: [["teams", i, "image"]], reads: [] };
    },
    "a team name that is not a DNS label": (config, pick) => {
        const i = teamAt(config, pick);
        if (i === undefined) return undefined;
        config.teams[i].name = "Team_One";
        return { key: ["teams", i, "name"], writes: [["teams", i, "name"]], reads: [] };
    },
    "a duplicate team name": (config, pick) => {
        const i = teamAt(config, pick, (team) => team !== config.teams[0]);
        if (i === undefined) return undefined;
        config.teams[i].name = config.teams[0].name;
        return { key: ["teams", i, "name"], writes: [["teams", i, "name"]], reads: [["teams", 0, "name"]] };
    },
    "a duplicate developer": (config, pick) => {
        const i = teamAt(config, pick, (team) => team.developers.length > 0 && typeof team.developers[0] === "string");
        if (i === undefined) return undefined;
        const j = config.teams[i].developers.length;
        config.teams[i].developers.push(config.teams[i].developers[0]);
        return { key: ["teams", i, "developers", j], writes: [["teams", i, "developers", j]], reads: [["teams", i, "developers", 0]] };
    },
    "a GPU while gpu.enabled is false": (config, pick) => {
        const i = teamAt(config, pick, (team) => team.developers.length > 0 && (team.allocation ?? "dedicated") === "dedicated");
        if (i === undefined || config.gpu.enabled !== false) return undefined;
        const j = pick % config.teams[i].developers.length;
        const entry = config.teams[i].developers[j];
        config.teams[i].developers[j] = { ...(typeof entry === "string" ? { name: entry } : entry), gpu: 1 };
        return { key: ["teams", i, "developers", j, "gpu"], writes: [["teams", i, "developers", j, "gpu"]], reads: [["gpu", "enabled"]] };
    },
    "a runtime that is not enabled": (config, pick) => {
        const i = teamAt(config, pick);
        if (i === undefined || config.runtimes.kata.enabled !== false) return undefined;
        config.teams[i].runtime = "kata";
        return { key: ["teams", i, "runtime"], writes: [["teams", i, "runtime"]], reads: [["runtimes", "kata", "enabled"]] };
    },
    "a pool of no members": (config, pick) => {
        const i = teamAt(config, pick);
        if (i === undefined) return undefined;
        config.teams[i].allocation = "pool";
        config.teams[i].poolSize = 0;
        return { key: ["teams", i, "poolSize"], writes: [["teams", i, "allocation"], ["teams", i, "poolSize"]], reads: [] };
    },
    "a port range that ends before it starts": (config, pick) => {
        const i = teamAt(config, pick);
        if (i === undefined) return undefined;
        config.teams[i].egress = [{ cidr: "203.0.113.0/24", ports: [{ port: 9000, endPort: 8000 }] }];
        return { key: ["teams", i, "egress", 0, "ports", 0, "endPort"], writes: [["teams", i, "egress"]], reads: [] };
    },
    "a flag that is not true or false": (config) => {
        config.gpu.enabled = "maybe";
        return { key: ["gpu", "enabled"], writes: [["gpu", "enabled"]], reads: [] };
    },
    "a number out of range": (config) => {
        config.gpu.timeSlicingReplicas = 0;
        return { key: ["gpu", "timeSlicingReplicas"], writes: [["gpu", "timeSlicingReplicas"]], reads: [] };
    },
    "a certificate TTL over its maximum": (config) => {
        config.vault.certTtl = "48h";
        config.vault.certMaxTtl = "24h";
        return { key: ["vault", "certTtl"], writes: [["vault", "certTtl"], ["vault", "certMaxTtl"]], reads: [] };
    },
    "a duration Vault cannot read": (config) => {
        config.vault.certMaxTtl = "8 hours";
        return { key: ["vault", "certMaxTtl"], writes: [["vault", "certMaxTtl"]], reads: [] };
    },
    "Coder enabled with no URL": (config) => {
        config.coder = { ...config.coder, enabled: true };
        delete config.coder.accessUrl;
        return { key: ["coder", "accessUrl"], writes: [["coder", "enabled"], ["coder", "accessUrl"]], reads: [] };
    },
    "a system namespace for Coder": (config) => {
        config.coder = { ...config.coder, namespace: "kube-system" };
        return { key: ["coder", "namespace"], writes: [["coder", "namespace"]], reads: [] };
    },
    "an edition that needs Vault while Vault is off": (config) => {
        config.boundary = { enabled: true, edition: "hcp", address: "https://boundary.example.com" };
        config.vault.enabled = false;
        return { key: ["boundary", "edition"], writes: [["boundary"], ["vault", "enabled"]], reads: [] };
    },
    "an environment that is not a DNS label": (config) => {
        config.environment = "Dev Env";
        return { key: ["environment"], writes: [["environment"]], reads: [] };
    },
    "an unknown key in a section": (config) => {
        config.cluster.storageclass = "local-path";
        return { key: ["cluster", "storageclass"], writes: [["cluster", "storageclass"]], reads: [] };
    },
};

/** Whether one key path is, contains or sits inside the other. */
function overlaps(a: KeyPath, b: KeyPath): boolean {
    const n = Math.min(a.length, b.length);
    return a.slice(0, n).every((part, i) => part === b[i]);
}

/** Two mistakes are independent when neither wrote what the other wrote or read. */
export function independent(a: Mistake, b: Mistake): boolean {
    return !a.writes.some((w) => [...b.writes, ...b.reads].some((p) => overlaps(w, p)))
        && !b.writes.some((w) => [...a.writes, ...a.reads].some((p) => overlaps(w, p)));
}
