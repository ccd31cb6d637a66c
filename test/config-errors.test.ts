import * as assert from "assert";
import { execFileSync } from "child_process";
import { keyPath, validatePlatformConfig } from "../components/config/load";
import { keyPattern, renamedKeys, renamedValues } from "../components/config/renames";
import { platformSections } from "../components/config/stack-schema";
import { repoRoot } from "../tools/repo-root";

const base = () => ({
    environment: "dev",
    runtimes: { kata: { enabled: false } },
    gpu: { enabled: false },
    teams: [{ name: "alpha", developers: ["alice", "bob"] }, { name: "beta", developers: ["carol"] }],
}) as Record<string, any>;

function reported(config: Record<string, unknown>): Map<string, string> {
    return new Map(validatePlatformConfig(config).issues.map((entry) => [entry.key.replace(/^sandbox-platform:/, ""), entry.detail]));
}

describe("stack config: every rule runs when another key is wrong", () => {
    it("reports a duplicate team name next to a malformed quantity in that team", () => {
        const config = base();
        config.teams[1].name = "alpha";
        config.teams[1].resources = { cpu: "lots" };
        const issues = reported(config);
        assert.match(issues.get("teams[1].name") ?? "", /duplicate team name "alpha"/);
        assert.match(issues.get("teams[1].resources.cpu") ?? "", /not a positive Kubernetes quantity/);
    });

    it("reports a duplicate developer next to another developer's malformed GPU count, naming that count's key", () => {
        const config = base();
        config.teams[0].developers = ["alice", "alice", { name: "bob", gpu: "x" }];
        const issues = reported(config);
        assert.match(issues.get("teams[0].developers[1]") ?? "", /duplicate developer "alice"/);
        assert.match(issues.get("teams[0].developers[2].gpu") ?? "", /whole number from 0 to 16, got "x"/);
    });

    it("reports a GPU asked for while gpu.enabled is false, next to a bad image and a bad gpu section key", () => {
        const config = base();
        config.teams[0].developers = ["alice", { name: "bob", gpu: 1 }];
        config.teams[0].image = "codercom/enterprise-base:latest";
        config.gpu.timeSlicingReplicas = 0;
        const issues = reported(config);
        assert.match(issues.get("teams[0].developers[1].gpu") ?? "", /asks for 1 GPU\(s\) but gpu.enabled is not true/);
        assert.match(issues.get("teams[0].image") ?? "", /latest tag/);
        assert.match(issues.get("gpu.timeSlicingReplicas") ?? "", /whole number from 1 to 64/);
    });

    it("reports a runtime that is not enabled next to a malformed flag of another runtime", () => {
        const config = base();
        config.teams[0].runtime = "kata";
        config.runtimes.sysbox = { enabled: "maybe" };
        const issues = reported(config);
        assert.match(issues.get("teams[0].runtime") ?? "", /runtimes.kata.enabled is not true/);
        assert.match(issues.get("runtimes.sysbox.enabled") ?? "", /true or false/);
    });

    it("concludes nothing from a key that is wrong: a malformed gpu.enabled or accessUrl is one problem, not two", () => {
        const config = base();
        config.gpu.enabled = "maybe";
        config.teams[0].developers = ["alice", { name: "bob", gpu: 1 }];
        config.coder = { enabled: true, accessUrl: "coder.example.com" };
        const issues = reported(config);
        assert.deepStrictEqual([...issues.keys()].sort(), ["coder.accessUrl", "gpu.enabled"]);
        assert.match(issues.get("coder.accessUrl")!, /is not a URL/);
    });

    it("reports a rule within a section once, whether the section parsed or not", () => {
        const config = base();
        config.coder = { enabled: true, namespace: "kube-system", postgres: { mode: "external" } };
        const issues = validatePlatformConfig(config).issues.map((entry) => entry.key);
        assert.deepStrictEqual(issues.sort(), ["sandbox-platform:coder.accessUrl", "sandbox-platform:coder.namespace", "sandbox-platform:coder.postgres.connectionUrlSecret"]);
    });
});

describe("stack config: renamed and removed keys name their replacement", () => {
    it("names network.accessFrom.namespace for the isolation work's network.accessFrom.namespaceLabels", () => {
        const issues = reported({ environment: "dev", network: { accessFrom: { namespaceLabels: { "kubernetes.io/metadata.name": "boundary" } } } });
        assert.match(issues.get("network.accessFrom.namespaceLabels") ?? "", /^was renamed to network\.accessFrom\.namespace \(commit 595d798\)/);
    });

    it("says boundary.developerAuthMethodId was removed and what to use", () => {
        const issues = reported({ environment: "dev", boundary: { developerAuthMethodId: "ampw_1234567890" } });
        assert.match(issues.get("boundary.developerAuthMethodId") ?? "", /^was removed \(commit d2b6d9b\).*boundary\.authMethodId/);
    });

    it("names clh for the kata shim cloud-hypervisor", () => {
        const issues = reported({ environment: "dev", runtimes: { kata: { enabled: true, shims: ["qemu", "cloud-hypervisor"] } } });
        assert.match(issues.get("runtimes.kata.shims[1]") ?? "", /"cloud-hypervisor" was renamed to clh \(commit 5c6d9ec\)/);
    });

    it("keeps unknown-key errors for keys that were never renamed", () => {
        assert.match(reported({ environment: "dev", network: { accessFrom: { namespaceLabel: {} } } }).get("network.accessFrom.namespaceLabel") ?? "", /^unknown key; accepted keys here: namespace, create/);
    });

    it("lists only keys the schema refuses today, with replacements it accepts", () => {
        const accepted = new Set<string>();
        const walk = (schema: any, path: string) => {
            const def = schema._zod.def;
            if (["default", "prefault", "optional", "nullable"].includes(def.type)) return walk(def.innerType, path);
            if (def.type === "pipe") return walk(def.in, path);
            if (def.type === "array") return walk(def.element, `${path}[]`);
            if (def.type === "union") return def.options.forEach((option: any) => walk(option, path));
            if (def.type === "object") {
                for (const [key, field] of Object.entries(def.shape)) {
                    const child = path === "" ? key : `${path}.${key}`;
                    accepted.add(child);
                    walk(field, child);
                }
            }
        };
        walk({ _zod: { def: { type: "object", shape: platformSections } } }, "");
        assert.ok(accepted.has("teams[].developers[].gpu"), "the walk reaches nested keys");
        for (const entry of renamedKeys) {
            assert.ok(!accepted.has(entry.key), `${entry.key} is still accepted`);
            assert.ok(entry.replacement === undefined || accepted.has(entry.replacement), `${entry.replacement} is not a key`);
        }
        for (const entry of renamedValues) {
            assert.match(validatePlatformConfig({ environment: "dev", runtimes: { kata: { shims: [entry.to] } } }).issues.map((i) => i.key).join(), /^$/, `${entry.to} is accepted`);
        }
        assert.strictEqual(keyPattern(keyPath(["teams", 3, "developers", 0, "x"])), "teams[].developers[].x");
    });

    it("names commits that removed the old key or value from the schema (git history)", function () {
        let shallow: string;
        try {
            shallow = execFileSync("git", ["rev-parse", "--is-shallow-repository"], { cwd: repoRoot, encoding: "utf8" }).trim();
        } catch {
            this.skip(); // not a git checkout (an unpacked release): nothing to check against
        }
        if (shallow! === "true") {
            this.skip(); // a shallow clone lacks the commits
        }
        for (const entry of [...renamedKeys.map((e) => ({ commit: e.commit, name: e.key.split(".").pop()! })), ...renamedValues.map((e) => ({ commit: e.commit, name: e.from }))]) {
            const diff = execFileSync("git", ["show", "--format=", entry.commit, "--", "components"], { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
            assert.ok(diff.split("\n").some((line) => line.startsWith("-") && line.includes(entry.name)), `commit ${entry.commit} removes no line with ${entry.name}`);
        }
    });
});

describe("stack files: values YAML readers disagree on, numbers Pulumi cannot store, empty secrets", () => {
    // Imported here so that the schema tests above need no stack-file reader.
    const { parseStackConfig } = require("../tools/stack-config") as typeof import("../tools/stack-config");
    const { loadStack } = require("../tools/render-stack") as typeof import("../tools/render-stack");
    const { goYamlV3Plain } = require("../tools/stack-yaml") as typeof import("../tools/stack-yaml");
    const issuesOf = (body: string) => new Map((parseStackConfig(`config:\n  sandbox-platform:environment: dev\n${body}`, "test").issues ?? []).map((entry) => [entry.key, entry.detail]));

    it("resolves plain scalars as go-yaml v3 does (Pulumi's stack reader): only true/false spellings are booleans, 0755 is octal, 1_000 is 1000, 1:30 is text", () => {
        assert.deepStrictEqual(["on", "yes", "y", "True", "0755", "0o17", "0x1F", "1_000", "1:30", "08", "1e3", "~", ".5"].map(goYamlV3Plain),
            ["on", "yes", "y", true, 493, 15, 31, 1000, "1:30", 8, 1000, null, 0.5]);
        assert.ok(goYamlV3Plain("2026-01-01") instanceof Date);
    });

    for (const [value, key, meaning] of [
        ["on", "gpu.enabled", /the text "on" to Pulumi \(go-yaml v3\), YAML 1\.2; the boolean true to Kubernetes/],
        ["yes", "devices.fuse", /the boolean true to Kubernetes/],
        ["0755", "gpu.timeSlicingReplicas", /the number 493 to Pulumi .*the number 755 to YAML 1\.2/],
        ["1_000", "cluster.maxNodes", /the text "1_000" to YAML 1\.2/],
        ["1:30", "vault.certTtl", /the number 90 to the YAML 1\.1 spec/],
        ["2026-01-01", "coder.chartVersion", /a timestamp to Pulumi/],
    ] as const) {
        it(`refuses ${key}: ${value} (read differently by YAML 1.1 and 1.2), naming the key, and accepts it quoted`, () => {
            const [section, field] = key.split(".");
            assert.match(issuesOf(`  sandbox-platform:${section}:\n    ${field}: ${value}\n`).get(`sandbox-platform:${key}`) ?? "", meaning);
            assert.deepStrictEqual([...issuesOf(`  sandbox-platform:${section}:\n    ${field}: "${value}"\n`).keys()], []);
        });
    }

    it("refuses a number Pulumi cannot store (.inf, .nan), naming the key", () => {
        assert.match(issuesOf("  sandbox-platform:teams:\n    - name: a\n      poolSize: .inf\n").get("sandbox-platform:teams[0].poolSize") ?? "", /Infinity, which Pulumi cannot store/);
        assert.match(issuesOf("  sandbox-platform:gpu: { timeSlicingReplicas: .nan }\n").get("sandbox-platform:gpu.timeSlicingReplicas") ?? "", /NaN/);
    });

    it("refuses an empty secure: value, naming the key, and keeps a real one secret", () => {
        const parsed = parseStackConfig("config:\n  sandbox-platform:environment: dev\n  sandbox-platform:boundaryToken:\n    secure: \"\"\n  sandbox-platform:boundaryPassword:\n    secure: v1:abc\n", "test");
        assert.deepStrictEqual(parsed.issues?.map((entry) => entry.key), ["sandbox-platform:boundaryToken"]);
        assert.match(parsed.issues![0].detail, /empty secure: value/);
        assert.ok(parsed.secretKeys.includes("sandbox-platform:boundaryPassword"));
    });

    it("reports those with every other problem of the config in one run (the render's loader)", () => {
        const stack = parseStackConfig("config:\n  sandbox-platform:environment: Dev\n  sandbox-platform:gpu: { enabled: off }\n  sandbox-platform:boundaryToken: { secure: '' }\n", "test");
        assert.throws(() => loadStack("test", stack), (error: any) => {
            assert.deepStrictEqual(error.issues.map((entry: { key: string }) => entry.key).sort(),
                ["sandbox-platform:boundaryToken", "sandbox-platform:environment", "sandbox-platform:gpu.enabled"]);
            return true;
        });
    });

    it("finds nothing to refuse in the shipped stacks", () => {
        for (const stack of ["dev", "prod", "repos"]) {
            const text = require("fs").readFileSync(require("path").join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), "utf8");
            assert.deepStrictEqual(parseStackConfig(text, stack).issues, [], stack);
        }
    });
});

describe("stack config: quantities that are not finite numbers", () => {
    const cpu = (value: string) => reported({ environment: "dev", teams: [{ name: "a", resources: { cpu: value, memory: value } }] });
    it("refuses a quantity whose exponent overflows or underflows, naming the key", () => {
        assert.match(cpu("1e400").get("teams[0].resources.cpu") ?? "", /"1e400" overflows/);
        assert.match(cpu("9".repeat(400)).get("teams[0].resources.memory") ?? "", /overflows/);
        assert.match(cpu("1e-400").get("teams[0].resources.cpu") ?? "", /underflows to zero/);
    });
});
