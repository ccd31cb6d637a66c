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
