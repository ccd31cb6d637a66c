import * as assert from "assert";
import { parsePlatformConfig, rawFromPulumiConfig } from "../components/config/load";
import { ConfigError } from "../components/config/errors";
import { validatePlatformConfig } from "../components/config/load";
import { parseQuantity } from "../components/config/quantity";
import { parseDuration } from "../components/config/duration";

const valid = () => ({
    environment: "dev",
    teams: [{ name: "alpha", developers: ["alice", { name: "bob", resources: { cpu: "4" } }] }],
}) as Record<string, any>;

function refuses(config: Record<string, any>, key: string, detail: RegExp): void {
    assert.throws(() => parsePlatformConfig(config), (error: unknown) => {
        assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
        assert.strictEqual(error.key, `sandbox-platform:${key}`);
        assert.match(error.message, detail);
        assert.ok(error.message.startsWith(`sandbox-platform:${key}: `), error.message);
        return true;
    });
}

describe("stack config contract v1", () => {
    it("fills K3s defaults and accepts developers as names or objects", () => {
        const config = parsePlatformConfig(valid());
        assert.strictEqual(config.cluster.distribution, "k3s");
        assert.strictEqual(config.cluster.storageClass, "local-path");
        assert.strictEqual(config.cluster.ingressClass, "traefik");
        assert.strictEqual(config.teams[0].runtime, "envbox");
        assert.strictEqual(config.teams[0].allocation, "dedicated");
        assert.deepStrictEqual(config.teams[0].developers.map((d) => d.name), ["alice", "bob"]);
        assert.strictEqual(config.teams[0].developers[1].resources.cpu, "4");
        assert.strictEqual(config.teams[0].developers[1].resources.memory, config.teams[0].resources.memory, "unset fields inherit the team's");
        assert.strictEqual(config.vault.certTtlSeconds, 8 * 3600);
        assert.strictEqual(config.boundary.sessionMaxSeconds, 28800);
    });

    it("reads Pulumi's flat config map, parsing structured values and ignoring other namespaces", () => {
        const raw = rawFromPulumiConfig({
            "sandbox-platform:environment": "dev",
            "sandbox-platform:teams": JSON.stringify([{ name: "alpha", developers: ["alice"] }]),
            "kubernetes:context": "k3s",
        });
        assert.deepStrictEqual(Object.keys(raw).sort(), ["environment", "teams"]);
        assert.strictEqual(parsePlatformConfig(raw).teams[0].developers[0].name, "alice");
    });

    it("refuses a missing required key", () => {
        const config = valid();
        delete config.environment;
        refuses(config, "environment", /is required/);
    });

    it("refuses a malformed required key", () => {
        refuses({ ...valid(), teams: { name: "alpha" } }, "teams", /expected a list/);
    });

    it("refuses an unknown top-level key (a typo is never ignored)", () => {
        refuses({ ...valid(), team: [] }, "team", /unknown key; accepted keys: .*teams/);
    });

    it("refuses an unknown nested key and names its path", () => {
        const config = valid();
        config.teams[0].developers[1].resource = { cpu: "4" };
        refuses(config, "teams[0].developers[1].resource", /unknown key; accepted keys here: name, gpu, image, suspended, resources/);
    });

    it("refuses an uppercase developer name with the DNS-1123 rule", () => {
        const config = valid();
        config.teams[0].developers[1].name = "Bob";
        refuses(config, "teams[0].developers[1].name", /"Bob" is not a DNS-1123 label.*at most 40/);
    });

    it("refuses a developer name longer than 40 characters", () => {
        const config = valid();
        config.teams[0].developers[0] = "a".repeat(41);
        refuses(config, "teams[0].developers[0]", /at most 40 characters/);
    });

    it("refuses a team name that cannot prefix a Service name", () => {
        const config = valid();
        config.teams[0].name = "1team";
        refuses(config, "teams[0].name", /DNS-1035 label/);
    });

    it("refuses duplicate team names", () => {
        const config = valid();
        config.teams.push({ name: "alpha", developers: [] });
        refuses(config, "teams[1].name", /duplicate team name "alpha" \(also teams\[0\]\.name\)/);
    });

    it("refuses duplicate developers within a team", () => {
        const config = valid();
        config.teams[0].developers.push("alice");
        refuses(config, "teams[0].developers[2]", /duplicate developer "alice"/);
    });

    it("refuses an unknown enum value and lists the accepted ones", () => {
        const config = valid();
        config.teams[0].runtime = "docker";
        refuses(config, "teams[0].runtime", /"docker" is not one of envbox \| sysbox \| kata/);
    });

    it("refuses a runtime that is not enabled", () => {
        const config = valid();
        config.teams[0].runtime = "kata";
        refuses(config, "teams[0].runtime", /runtimes\.kata\.enabled is not true/);
    });

    it("refuses GPUs when gpu.enabled is not set", () => {
        const config = valid();
        config.teams[0].developers[1].gpu = 1;
        refuses(config, "teams[0].developers[1].gpu", /gpu\.enabled is not true/);
    });

    it("refuses GPUs for sysbox and kata sandboxes (only envbox passes them in)", () => {
        const config: Record<string, any> = { ...valid(), gpu: { enabled: true }, runtimes: { sysbox: { enabled: true } } };
        config.teams[0].runtime = "sysbox";
        config.teams[0].developers[1].gpu = 1;
        refuses(config, "teams[0].developers[1].gpu", /only into envbox sandboxes; this team's runtime is sysbox/);
    });

    it("refuses an invalid Kubernetes quantity", () => {
        const config = valid();
        config.teams[0].resources = { memory: "8GB" };
        refuses(config, "teams[0].resources.memory", /"8GB" is not a positive Kubernetes quantity/);
    });

    it("refuses an invalid duration", () => {
        refuses({ ...valid(), vault: { certTtl: "8 hours" } }, "vault.certTtl", /not a positive duration/);
    });

    it("refuses certTtl longer than certMaxTtl", () => {
        refuses({ ...valid(), vault: { certTtl: "48h", certMaxTtl: "24h" } }, "vault.certTtl", /longer than vault\.certMaxTtl/);
    });

    it("refuses allocation: pool with poolSize below 1", () => {
        const config = valid();
        config.teams[0] = { name: "alpha", allocation: "pool", developers: ["alice"] };
        refuses(config, "teams[0].poolSize", /at least 1, got 0/);
    });

    it("refuses a pool with more developers than members", () => {
        const config = valid();
        config.teams[0] = { name: "alpha", allocation: "pool", poolSize: 1, developers: ["alice", "bob"] };
        refuses(config, "teams[0].developers", /2 developers but poolSize 1/);
    });

    it("refuses Coder enabled without its access URL", () => {
        refuses({ ...valid(), coder: { enabled: true } }, "coder.accessUrl", /is required/);
    });

    it("accepts Boundary enabled without its address: BOUNDARY_ADDR may give it at deploy time (DESIGN.md credentials contract)", () => {
        const config = parsePlatformConfig({ ...valid(), boundary: { enabled: true } });
        assert.strictEqual(config.boundary.address, undefined);
    });

    it("accepts Boundary enabled with no credentials: they are deploy-time inputs (DESIGN.md contract)", () => {
        const config = parsePlatformConfig({ ...valid(), boundary: { enabled: true, edition: "enterprise", address: "https://boundary.example.com" }, vault: { enabled: true } });
        assert.strictEqual(config.boundary.enabled, true);
        assert.strictEqual(config.vault.address, undefined);
    });

    it("refuses an external Postgres without its connection secret", () => {
        refuses({ ...valid(), coder: { postgres: { mode: "external" } } }, "coder.postgres.connectionUrlSecret", /required when coder\.postgres\.mode is external/);
    });

    it("refuses an inner image on the latest tag or without a tag", () => {
        const config = valid();
        config.teams[0].image = "codercom/enterprise-base:latest";
        refuses(config, "teams[0].image", /latest tag; pin a version/);
        config.teams[0].image = "codercom/enterprise-base";
        refuses(config, "teams[0].image", /pinned tag or digest/);
    });

    it("refuses pool members with per-developer resources", () => {
        const config = valid();
        config.teams[0] = { name: "alpha", allocation: "pool", poolSize: 2, developers: [{ name: "alice", resources: { cpu: "8" } }] };
        refuses(config, "teams[0].developers[0]", /pool members are identical/);
    });
});

describe("quantities and durations", () => {
    it("parses Kubernetes quantities into base units", () => {
        assert.strictEqual(parseQuantity("500m"), 0.5);
        assert.strictEqual(parseQuantity("8Gi"), 8 * 2 ** 30);
        assert.strictEqual(parseQuantity("1.5"), 1.5);
        assert.strictEqual(parseQuantity("2k"), 2000);
        assert.strictEqual(parseQuantity("1e3"), 1000);
        assert.strictEqual(parseQuantity("8GB"), undefined);
        assert.strictEqual(parseQuantity("-1"), undefined);
    });

    it("parses Vault durations into seconds", () => {
        assert.strictEqual(parseDuration("8h"), 28800);
        assert.strictEqual(parseDuration("1h30m"), 5400);
        assert.strictEqual(parseDuration("90"), 90);
        assert.strictEqual(parseDuration("8 hours"), undefined);
        assert.strictEqual(parseDuration(""), undefined);
    });
});

describe("stack config: every error at once, values as the receiving systems define them", () => {
    const keysOf = (config: Record<string, any>) => validatePlatformConfig(config).issues.map((issue) => issue.key.replace("sandbox-platform:", ""));

    it("reports every problem in one run, each naming its key path and the value", () => {
        const config = {
            environment: "Dev", cluster: { storageClass: "Local_Path", podCidr: "0.0.0.0/0" }, coder: { chartVersion: ">=2.0" },
            vault: { sshMount: "sys/ssh" }, gpu: { enabled: "yes" }, boundaryToken: "",
            teams: [{ name: "alpha", developers: [{ name: "x", resources: { cpu: "1e308" } }] }],
        };
        const { config: parsed, issues } = validatePlatformConfig(config);
        assert.strictEqual(parsed, undefined);
        assert.deepStrictEqual(issues.map((issue) => issue.key.replace("sandbox-platform:", "")), [
            "environment", "cluster.storageClass", "cluster.podCidr", "coder.chartVersion", "gpu.enabled", "vault.sshMount",
            "teams[0].developers[0].resources.cpu", "boundaryToken",
        ]);
        for (const [issue, value] of issues.map((issue, i) => [issue, ["\"Dev\"", "\"Local_Path\"", "\"0.0.0.0/0\"", "\">=2.0\"", "\"yes\"", "\"sys/ssh\"", "\"1e308\"", "empty"][i]] as const)) {
            assert.ok(issue.detail.includes(value), `${issue.key}: ${issue.detail}`);
        }
        assert.throws(() => parsePlatformConfig(config), (error: unknown) => error instanceof ConfigError && error.issues.length === 8 && error.message.split("\n").length === 8);
    });

    it("refuses generated-name collisions instead of crashing: team a + developer b-c vs team a-b + developer c", () => {
        assert.deepStrictEqual(keysOf({ environment: "d", teams: [{ name: "a", developers: ["b-c"] }, { name: "a-b", developers: ["c"] }] }), ["teams[1].developers[0]"]);
    });

    it("refuses a pool member name that another team's developer also generates (team x pool vs team x-pool)", () => {
        assert.deepStrictEqual(keysOf({ environment: "d", teams: [{ name: "x", allocation: "pool", poolSize: 1 }, { name: "x-pool", developers: [{ name: "0" }] }] }), ["teams[1].developers[0].name"]);
    });

    for (const namespace of ["kube-system", "kube-public", "kube-node-lease", "default", "cnpg-system", "coder-workspaces", "sbx-alpha"]) {
        it(`refuses coder.namespace ${namespace} (a system or generated namespace)`, () => {
            assert.deepStrictEqual(keysOf({ ...valid(), coder: { namespace } }), ["coder.namespace"]);
        });
    }

    for (const [key, value, section] of [
        ["storageClass", "Fast SSD", "cluster"], ["ingressClass", "-nginx", "cluster"], ["podCidr", "0.0.0.0/0", "cluster"],
        ["serviceCidr", "10.43.0.1/16", "cluster"], ["chartVersion", "^2.33", "coder"], ["chartVersion", "2.33", "coder"],
        ["sshMount", "auth/ssh", "vault"], ["sshMount", "identity", "vault"], ["sshMount", "cubbyhole/x", "vault"], ["certTtl", "8 hours", "vault"],
        ["certTtl", 0, "vault"],
    ] as const) {
        it(`refuses ${section}.${key}: ${JSON.stringify(value)}`, () => {
            assert.deepStrictEqual(keysOf({ ...valid(), [section]: { [key]: value } }), [`${section}.${key}`]);
        });
    }

    for (const [field, value] of [["image", "codercom/enterprise-base:"], ["image", "codercom/X:1"], ["image", "a//b:1"], ["image", "x:1@sha256:abc"]] as const) {
        it(`refuses a malformed image reference ${JSON.stringify(value)} (distribution/reference grammar)`, () => {
            const config = valid();
            config.teams[0][field] = value;
            assert.deepStrictEqual(keysOf(config), [`teams[0].${field}`]);
        });
    }

    it("refuses quantities out of range instead of rendering Infinitym", () => {
        const config = valid();
        config.teams[0].resources = { cpu: "1e308", memory: "1e400", disk: 0 };
        assert.deepStrictEqual(keysOf(config), ["teams[0].resources.cpu", "teams[0].resources.memory", "teams[0].resources.disk"]);
    });

    it("refuses environment: null, __proto__ keys, empty secrets and a misspelt secure:", () => {
        assert.deepStrictEqual(keysOf({ ...valid(), environment: null }), ["environment"]);
        assert.deepStrictEqual(keysOf({ ...valid(), cluster: JSON.parse('{"__proto__": {"polluted": true}}') }), ["cluster.__proto__"]);
        assert.strictEqual(({} as any).polluted, undefined);
        assert.deepStrictEqual(keysOf({ ...valid(), boundaryToken: "" }), ["boundaryToken"]);
        assert.deepStrictEqual(keysOf({ ...valid(), boundaryToken: { secrue: "v1:abc" } }), ["boundaryToken"]);
    });

    it("accepts certTtl as a number of seconds, days and Go durations, as Vault's ParseDurationSecond does", () => {
        const config = parsePlatformConfig({ ...valid(), vault: { certTtl: 3600, certMaxTtl: "2d" } });
        assert.strictEqual(config.vault.certTtlSeconds, 3600);
        assert.strictEqual(config.vault.certMaxTtlSeconds, 172800);
        assert.strictEqual(parsePlatformConfig({ ...valid(), vault: { certTtl: "1.5h" } }).vault.certTtlSeconds, 5400);
    });

    it("accepts a team with no developers yet", () => {
        const config = parsePlatformConfig({ environment: "d", teams: [{ name: "empty", developers: [] }, { name: "none" }] });
        assert.deepStrictEqual(config.teams.map((team) => team.developers.length), [0, 0]);
    });
});
