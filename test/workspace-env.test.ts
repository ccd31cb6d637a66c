// Workspace variables (teams[]/developers[] env and secretEnv) and the coding-agent egress
// preset, from the config to the rendered objects: which names are refused and why, where a
// developer's Secret may land (their own sandbox only), how each runtime carries the values
// (envbox's CODER_INNER_ENVS for plain ones, Secret volume files for secrets), and the
// codingagents stack rendered with its keys as secret references only.

import * as assert from "assert";
import { ConfigError } from "../components/config/errors";
import { parsePlatformConfig } from "../components/config/load";
import { buildTeamNetworkPolicies, egressAllowProblem, metadataAddresses } from "../components/cluster/network-policies";
import { egressPresets } from "../components/cluster/egress-presets";
import { planTeamSandboxes } from "../components/sandboxes/plan";
import { buildEnvboxPodSpec } from "../components/sandboxes/envbox";
import { buildIsolatedPodSpec } from "../components/sandboxes/isolated";
import { buildSandboxConfigMap } from "../components/sandboxes/workspace";
import { buildSandboxDeployment } from "../components/sandboxes/workload";
import { workspaceSecretsDir } from "../components/sandboxes/workspace-env";
import { envboxProblems } from "../policy/rules/envbox";
import { readWorkload } from "../policy/rules/workloads";
import { policyConfigDefaults } from "../policy/config";
import { keyPath } from "../components/config/load";
import { renderedStack } from "./helpers/stacks";
import { validateManifest } from "./helpers/schema";

const team = (fields: Record<string, unknown>) => ({
    environment: "dev",
    runtimes: { sysbox: { enabled: true }, kata: { enabled: true } },
    teams: [{ name: "agents", developers: ["alice", "bob"], ...fields }],
});

function refuses(config: Record<string, unknown>, key: string, detail: RegExp): void {
    assert.throws(() => parsePlatformConfig(config), (error: unknown) => {
        assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
        assert.ok(error.issues.some((issue) => issue.key === `sandbox-platform:${key}` && detail.test(issue.detail)),
            `no issue at ${key} matching ${detail}: ${error.message}`);
        return true;
    });
}

const aliceKey = { ANTHROPIC_API_KEY: { secret: "alice-agent-keys", key: "anthropic" } };

describe("workspace variables: the config", () => {
    for (const [name, why] of [
        ["CODER_AGENT_TOKEN", /CODER_ belong to envbox and Coder's agent/],
        ["CODER_MOUNTS", /CODER_ belong to envbox/],
        ["SANDBOX_REPO_URL", /SANDBOX_ belong to the start-up script/],
        ["ENVBUILDER_INIT_SCRIPT", /ENVBUILDER_ belong to envbuilder/],
        ["LD_PRELOAD", /dynamic loader/],
        ["PATH", /reserved: HOME, USER/],
        ["HOME", /reserved/],
        ["SSH_AUTH_SOCK", /reserved/],
        ["1ST", /is not an environment variable name/],
        ["A-B", /is not an environment variable name/],
    ] as const) {
        it(`refuses ${name} as a workspace variable, naming the key, in env and in secretEnv, on a team and on a developer`, () => {
            refuses(team({ env: { [name]: "x" } }), keyPath(["teams", 0, "env", name]), why);
            refuses(team({ secretEnv: { [name]: { secret: "s", key: "k" } } }), keyPath(["teams", 0, "secretEnv", name]), why);
            refuses(team({ developers: [{ name: "alice", env: { [name]: "x" } }] }), keyPath(["teams", 0, "developers", 0, "env", name]), why);
        });
    }

    it("refuses a plain value that spans lines (sshd's ~/.ssh/environment holds one line per variable)", () => {
        refuses(team({ env: { MCP: "a\nb" } }), "teams[0].env.MCP", /spans lines/);
    });

    it("refuses one name as both plain and secret at the same level", () => {
        refuses(team({ env: { KEY: "x" }, secretEnv: { KEY: { secret: "s", key: "k" } } }), "teams[0].secretEnv.KEY", /either plain \(env\) or secret/);
    });

    it("refuses a secret reference that is not a Secret name and key", () => {
        refuses(team({ secretEnv: { KEY: { secret: "Not_A_Name", key: "k" } } }), "teams[0].secretEnv.KEY.secret", /DNS-1123 subdomain/);
        refuses(team({ secretEnv: { KEY: { secret: "s", key: "a/b" } } }), "teams[0].secretEnv.KEY.key", /Secret data key/);
        refuses(team({ secretEnv: { KEY: "sk-ant-inline-value" } }), "teams[0].secretEnv.KEY", /expected object|expected/);
    });

    it("lets a developer's variable replace the team's of the same name, plain or secret", () => {
        const config = parsePlatformConfig(team({
            env: { MODEL: "team-model", KEY: "team-plain" },
            secretEnv: { TOKEN: { secret: "team-token", key: "t" } },
            developers: [{ name: "alice", env: { MODEL: "alice-model", TOKEN: "alice-plain" }, secretEnv: { KEY: { secret: "alice-keys", key: "k" } } }, "bob"],
        }));
        const [alice, bob] = config.teams[0].developers;
        assert.deepStrictEqual(alice.env, { MODEL: "alice-model", TOKEN: "alice-plain" });
        assert.deepStrictEqual(alice.secretEnv, { KEY: { secret: "alice-keys", key: "k" } });
        assert.deepStrictEqual(bob.env, { MODEL: "team-model", KEY: "team-plain" });
        assert.deepStrictEqual(bob.secretEnv, { TOKEN: { secret: "team-token", key: "t" } });
    });

    describe("a developer's Secret reaches no teammate's sandbox", () => {
        it("accepts a Secret only that developer names", () => {
            const config = parsePlatformConfig(team({ developers: [{ name: "alice", secretEnv: aliceKey }, { name: "bob", secretEnv: { ANTHROPIC_API_KEY: { secret: "bob-agent-keys", key: "anthropic" } } }] }));
            assert.deepStrictEqual(config.teams[0].developers.map((d) => d.secretEnv.ANTHROPIC_API_KEY.secret), ["alice-agent-keys", "bob-agent-keys"]);
        });

        const shared: [string, Record<string, unknown>, RegExp][] = [
            ["another developer's secretEnv (even another key)", { developers: [{ name: "alice", secretEnv: aliceKey }, { name: "bob", secretEnv: { OTHER: { secret: "alice-agent-keys", key: "other" } } }] }, /developer bob's secretEnv/],
            ["the team's secretEnv (every sandbox)", { secretEnv: { MCP: { secret: "alice-agent-keys", key: "mcp" } }, developers: [{ name: "alice", secretEnv: aliceKey }, "bob"] }, /the team's secretEnv/],
            ["the team's repo.secret (mounted whole in every sandbox)", { repo: { url: "https://git.example.com/app.git", secret: "alice-agent-keys" }, developers: [{ name: "alice", secretEnv: aliceKey }, "bob"] }, /the team's repo.secret \(developer bob's sandbox\)/],
            ["the team's imagePullSecret", { imagePullSecret: "alice-agent-keys", developers: [{ name: "alice", secretEnv: aliceKey }, "bob"] }, /imagePullSecret/],
            ["another developer's repo.secret", { developers: [{ name: "alice", secretEnv: aliceKey }, { name: "bob", repo: { url: "https://git.example.com/b.git", secret: "alice-agent-keys" } }] }, /developer bob's repo.secret/],
        ];
        for (const [what, fields, detail] of shared) {
            it(`refuses one also named by ${what}`, () => {
                refuses(team(fields), "teams[0].developers[0].secretEnv.ANTHROPIC_API_KEY.secret", detail);
            });
        }

        it("accepts a developer's own repo.secret as the source of their variable (it is in their sandbox only)", () => {
            parsePlatformConfig(team({ developers: [{ name: "alice", repo: { url: "https://git.example.com/a.git", secret: "alice-agent-keys" }, secretEnv: aliceKey }, "bob"] }));
        });

        it("refuses developer variables on a pool or an ephemeral pool, whose members serve any developer", () => {
            for (const allocation of ["pool", "ephemeral"]) {
                refuses(team({ allocation, poolSize: 2, developers: [{ name: "alice", secretEnv: aliceKey }] }), "teams[0].developers[0].secretEnv", /pool members serve any developer/);
                refuses(team({ allocation, poolSize: 2, developers: [{ name: "alice", env: { A: "1" } }] }), "teams[0].developers[0].env", /pool members serve any developer/);
            }
        });
    });
});

describe("workspace variables: what each runtime's pod carries", () => {
    const config = parsePlatformConfig(team({
        env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
        secretEnv: { MCP_CONFIG: { secret: "agents-mcp", key: "mcp.json" } },
        developers: [{ name: "alice", secretEnv: aliceKey }, "bob"],
    }));
    const [alice, bob] = planTeamSandboxes(config.teams[0]);
    const envbox = buildEnvboxPodSpec(alice, config.devices);
    const outer = envbox.containers[0];

    it("passes plain variables into envbox's inner container by exact name through CODER_INNER_ENVS, and no secret at all", () => {
        const env = Object.fromEntries(outer.env!.map((e) => [e.name, e]));
        assert.deepStrictEqual(env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, { name: "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", value: "1" });
        // coder/envbox 0.6.7 cli/docker.go filterElements: exact names, or a prefix with a trailing '*'.
        assert.strictEqual(env.CODER_INNER_ENVS.value, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC");
        assert.doesNotMatch(env.CODER_INNER_ENVS.value!, /\*/);
        assert.ok(!("ANTHROPIC_API_KEY" in env) && !("MCP_CONFIG" in env), "a secret is never an env var: envbox would copy it into docker inspect");
        assert.ok(outer.env!.every((e) => e.valueFrom?.secretKeyRef === undefined || e.name === "CODER_IMAGE_PULL_SECRET"));
    });

    it("mounts only the referenced keys of only the developer's own Secrets, read-only, passed to the inner container through CODER_MOUNTS", () => {
        const secrets = envbox.volumes!.filter((v) => v.secret && v.name.startsWith("workspace-secret-"));
        assert.deepStrictEqual(secrets.map((v) => ({ secret: v.secret!.secretName, items: v.secret!.items, mode: v.secret!.defaultMode, optional: v.secret!.optional })), [
            { secret: "agents-mcp", items: [{ key: "mcp.json", path: "MCP_CONFIG" }], mode: 0o444, optional: true },
            { secret: "alice-agent-keys", items: [{ key: "anthropic", path: "ANTHROPIC_API_KEY" }], mode: 0o444, optional: true },
        ]);
        for (const secret of ["agents-mcp", "alice-agent-keys"]) {
            assert.ok(outer.volumeMounts!.some((m) => m.mountPath === `${workspaceSecretsDir}/${secret}` && m.readOnly), secret);
        }
        const mounts = outer.env!.find((e) => e.name === "CODER_MOUNTS")!.value!.split(",");
        assert.ok(mounts.includes(`${workspaceSecretsDir}/alice-agent-keys:${workspaceSecretsDir}/alice-agent-keys:ro`), mounts.join(","));
        const bobSpec = buildEnvboxPodSpec(bob, config.devices);
        assert.ok(!JSON.stringify(bobSpec).includes("alice-agent-keys"), "bob's sandbox names alice's Secret");
        assert.ok(JSON.stringify(bobSpec).includes("agents-mcp"), "the team's Secret is in every sandbox");
    });

    it("keeps the envbox pod within the policy pack's hardened shape (Secret-backed CODER_MOUNTS only)", () => {
        const workload = readWorkload("kubernetes:apps/v1:Deployment", buildSandboxDeployment(alice, envbox) as Record<string, any>)!;
        const ref = workload.containers.find((c) => c.container.name === "envbox")!;
        assert.deepStrictEqual(envboxProblems(ref, workload, policyConfigDefaults), []);
        // The check sees the new mounts: a Secret directory passed without its volume is refused.
        const broken = JSON.parse(JSON.stringify(buildSandboxDeployment(alice, envbox)));
        broken.spec.template.spec.containers[0].volumeMounts = broken.spec.template.spec.containers[0].volumeMounts.filter((m: any) => !m.name.startsWith("workspace-secret-"));
        const brokenWorkload = readWorkload("kubernetes:apps/v1:Deployment", broken)!;
        assert.notDeepStrictEqual(envboxProblems(brokenWorkload.containers.find((c) => c.container.name === "envbox")!, brokenWorkload, policyConfigDefaults), []);
    });

    it("gives sysbox and kata pods the plain variables as env and the Secret files 0400 (the script reads them as root)", () => {
        for (const runtime of ["sysbox", "kata"] as const) {
            const spec = buildIsolatedPodSpec({ ...alice, runtime }, config);
            const container = spec.containers[0];
            assert.deepStrictEqual(container.env, [{ name: "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", value: "1" }]);
            const volume = spec.volumes!.find((v) => v.secret?.secretName === "alice-agent-keys")!;
            assert.strictEqual(volume.secret!.defaultMode, 0o400);
            assert.deepStrictEqual(volume.secret!.items, [{ key: "anthropic", path: "ANTHROPIC_API_KEY" }]);
            assert.ok(container.volumeMounts!.some((m) => m.name === volume.name && m.mountPath === `${workspaceSecretsDir}/alice-agent-keys` && m.readOnly));
        }
    });

    it("gives envbuilder's container the plain variables after its own and the Secret files 0444 (its init script runs as the devcontainer's user)", () => {
        const spec = buildIsolatedPodSpec({ ...alice, runtime: "sysbox", workspace: "envbuilder", repo: { url: "https://git.example.com/app.git" } }, config);
        const env = spec.containers[0].env!;
        assert.ok(env.findIndex((e) => e.name === "ENVBUILDER_INIT_SCRIPT") < env.findIndex((e) => e.name === "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"));
        assert.strictEqual(spec.volumes!.find((v) => v.secret?.secretName === "alice-agent-keys")!.secret!.defaultMode, 0o444);
    });

    it("carries plain values in the ConfigMap and names, never values, of secrets in the start-up settings; sshd takes exactly these names", () => {
        const data = buildSandboxConfigMap(alice, ["alice"]).data!;
        assert.strictEqual(data["env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"], "1");
        assert.match(data["sandbox.env"], /^SANDBOX_ENV_NAMES='CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC'$/m);
        assert.match(data["sandbox.env"], /^SANDBOX_SECRET_ENV='ANTHROPIC_API_KEY=alice-agent-keys MCP_CONFIG=agents-mcp'$/m);
        assert.match(data.sshd_config, /^PermitUserEnvironment ANTHROPIC_API_KEY,CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC,MCP_CONFIG$/m);
        const plain = buildSandboxConfigMap({ ...alice, env: undefined, secretEnv: undefined }, ["alice"]).data!;
        assert.match(plain.sshd_config, /^PermitUserEnvironment no$/m, "a sandbox without variables keeps sshd's user environment off");
        // The start-up script itself is the namespace's shared ConfigMap (start-script.ts), not each sandbox's.
        assert.deepStrictEqual(Object.keys(plain).sort(), ["principals", "sandbox.env", "sshd_config"]);
    });

    it("renders pods and ConfigMaps the Kubernetes schemas accept", async () => {
        await validateManifest(buildSandboxDeployment(alice, envbox));
        await validateManifest(buildSandboxDeployment(alice, buildIsolatedPodSpec({ ...alice, runtime: "kata" }, config)));
        await validateManifest(buildSandboxConfigMap(alice, ["alice"]));
    });
});

describe("coding-agent egress preset", () => {
    it("adds HTTPS to exactly the ranges Anthropic publishes to the team's own egress allowlist", () => {
        const config = parsePlatformConfig(team({ egressPresets: ["anthropic"], egress: [{ cidr: "10.20.30.0/24", ports: [443] }] }));
        assert.deepStrictEqual(config.teams[0].egress, [
            { cidr: "10.20.30.0/24", ports: [{ protocol: "TCP", port: 443 }] },
            // platform.claude.com/docs/en/api/ip-addresses (inbound; 153.61.224.0/22 from its de/ja versions), read 2026-12-06.
            { cidr: "160.79.104.0/23", ports: [{ protocol: "TCP", port: 443 }] },
            { cidr: "153.61.224.0/22", ports: [{ protocol: "TCP", port: 443 }] },
            { cidr: "2607:6bc0::/48", ports: [{ protocol: "TCP", port: 443 }] },
        ]);
        const policies = buildTeamNetworkPolicies(config.teams[0], config);
        assert.strictEqual(policies.filter((p) => p.metadata!.name === "allow-team-egress").length, 1, "one allowlist mechanism, not a second one");
    });

    it("opens no metadata, link-local or cluster range (every preset range passes the team allowlist's own check)", () => {
        const config = parsePlatformConfig(team({}));
        for (const [name, preset] of Object.entries(egressPresets)) {
            for (const cidr of preset.cidrs) {
                assert.strictEqual(egressAllowProblem(cidr, config), undefined, `${name} ${cidr}`);
            }
        }
        assert.ok(Object.values(metadataAddresses).flat().length > 5);
    });

    it("turns a team's internet egress off with egressInternet: false, leaving DNS, the allowlist and the presets", () => {
        const config = parsePlatformConfig(team({ egressPresets: ["anthropic"], egressInternet: false }));
        const names = buildTeamNetworkPolicies(config.teams[0], config).map((p) => p.metadata!.name);
        assert.deepStrictEqual(names.sort(), ["allow-access-ingress", "allow-dns", "allow-team-egress", "default-deny"]);
        const open = parsePlatformConfig(team({ egressPresets: ["anthropic"] }));
        assert.ok(buildTeamNetworkPolicies(open.teams[0], open).some((p) => p.metadata!.name === "allow-internet-egress"), "default: network.egressInternet");
    });

    it("refuses a preset it does not have, naming the ones it has", () => {
        refuses(team({ egressPresets: ["gemini"] }), "teams[0].egressPresets[0]", /is not one of anthropic/);
    });
});

describe("the codingagents stack", () => {
    it("renders every agent key as a Secret reference only: each developer's Secret in their own sandbox, no value anywhere", async () => {
        const result = await renderedStack("codingagents");
        const objects = result.run.resources.filter((r) => r.custom).map((r) => r.inputs);
        const mentions = (secret: string) => objects.filter((o) => JSON.stringify(o).includes(`"${secret}"`)).map((o) => `${o.kind}/${o.metadata?.name}`);
        assert.deepStrictEqual(mentions("alice-agent-keys"), ["Deployment/agents-alice"]);
        assert.deepStrictEqual(mentions("bob-agent-keys"), ["Deployment/agents-bob"]);
        assert.deepStrictEqual(mentions("agents-mcp").sort(), ["Deployment/agents-alice", "Deployment/agents-bob"]);
        for (const object of objects) {
            assert.doesNotMatch(JSON.stringify(object), /sk-ant-|AIza/, `${object.kind}/${object.metadata?.name} carries a key value`);
        }
        assert.deepStrictEqual(result.violations.filter((v) => v.level === "mandatory"), []);
        const agents = result.config.teams.find((t) => t.name === "agents")!;
        assert.strictEqual(agents.egressInternet, false);
        assert.deepStrictEqual(agents.egressPresets, ["anthropic"]);
    });
});
