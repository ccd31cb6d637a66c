import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { connectInstructions } from "../components/access/connect";
import { boundaryCredentialStorePolicy } from "../components/access/vault-policies";
import { mandatory } from "../policy/evaluate";
import { boundaryItems } from "../tools/render-files";
import { repoRoot } from "../tools/render-stack";
import { renderedEnvironment } from "./helpers/stacks";
import { CapturedResource } from "../tools/program-runner";
import { baseConfig, named, runPlatform } from "./helpers/platform";

const withAccess = (edition: string, teams: unknown[]) => baseConfig({
    vault: { enabled: true, certTtl: "2h", certMaxTtl: "8h", address: "https://vault.internal:8200" },
    boundary: { enabled: true, edition, address: "https://boundary.example.com", sessionMaxSeconds: 3600 },
    boundaryToken: "[secret]",
    teams,
});
const byType = (resources: CapturedResource[], type: string) => resources.filter((r) => r.type === type);
const items = (resources: CapturedResource[], kind: string) => boundaryItems(resources).filter((item) => item.kind === kind) as Record<string, any>[];

describe("access path: Vault SSH CA", () => {
    it("mounts an ssh engine with a generated ed25519 CA and one CA role per developer, allowing only that developer", async () => {
        const run = await runPlatform(withAccess("community", [{ name: "alpha", developers: ["alice", "bob"] }, { name: "beta", developers: ["carol"] }]));
        assert.strictEqual(byType(run.resources, "vault:index/mount:Mount")[0].inputs.type, "ssh");
        assert.deepStrictEqual(byType(run.resources, "vault:ssh/secretBackendCa:SecretBackendCa")[0].inputs, { backend: "ssh-client-signer", generateSigningKey: true, keyType: "ed25519" });
        const roles = byType(run.resources, "vault:ssh/secretBackendRole:SecretBackendRole").map((r) => r.inputs);
        // A team-wide role let alice sign bob's principal (issue 16): each role now names one person.
        assert.deepStrictEqual(roles.map((r) => [r.name, r.allowedUsers, r.defaultUser]), [["alpha.alice", "alice", "alice"], ["alpha.bob", "bob", "bob"], ["beta.carol", "carol", "carol"]]);
        for (const role of roles) {
            assert.strictEqual(role.keyType, "ca");
            assert.strictEqual(role.allowUserCertificates, true);
            assert.strictEqual(role.allowHostCertificates, false);
            assert.deepStrictEqual([role.ttl, role.maxTtl], ["7200", "28800"]);
            assert.deepStrictEqual(Object.keys(role.defaultExtensions).sort(), ["permit-agent-forwarding", "permit-port-forwarding", "permit-pty"]);
            assert.strictEqual(role.algorithmSigner, undefined, "ed25519 keys take no algorithm signer");
        }
        const policies = byType(run.resources, "vault:index/policy:Policy").map((p) => p.inputs);
        const alice = policies.find((p) => p.name === "sandbox-ssh-alpha.alice")!;
        assert.match(alice.policy, /path "ssh-client-signer\/sign\/alpha\.alice"/);
        assert.ok(!alice.policy.includes("alpha.bob"), "alice's policy signs on her role only");
        assert.strictEqual(byType(run.resources, "vault:index/token:Token").length, 0, "community edition needs no credential-store token");
    });

    it("publishes the CA public key to every sandbox namespace as a ConfigMap", async () => {
        const run = await runPlatform(withAccess("community", [{ name: "alpha", developers: ["alice"] }, { name: "beta", developers: ["carol"] }]));
        const maps = run.resources.filter((r) => r.inputs.kind === "ConfigMap" && r.inputs.metadata.name === "vault-ssh-ca");
        assert.deepStrictEqual(maps.map((m) => m.inputs.metadata.namespace).sort(), ["sbx-alpha", "sbx-beta"]);
        assert.match(maps[0].inputs.data["trusted-user-ca-keys.pem"], /Vault SSH CA public key: generated at deploy/);
    });

    it("gives Boundary's credential store an orphan, periodic, renewable token with exactly the documented policy", async () => {
        const run = await runPlatform(withAccess("enterprise", [{ name: "alpha", developers: ["alice"] }]));
        const token = byType(run.resources, "vault:index/token:Token")[0];
        assert.deepStrictEqual([token.inputs.noParent, token.inputs.renewable, token.inputs.period], [true, true, "24h"]);
        const policy = boundaryCredentialStorePolicy("ssh-client-signer", ["alpha"]);
        for (const [pathName, capability] of [["auth/token/lookup-self", "read"], ["auth/token/renew-self", "update"], ["auth/token/revoke-self", "update"],
            ["sys/leases/renew", "update"], ["sys/leases/revoke", "update"], ["sys/capabilities-self", "update"], ["ssh-client-signer/sign/alpha", "create"]]) {
            assert.match(policy, new RegExp(`path "${pathName}" \\{\\n  capabilities = \\[[^\\]]*"${capability}"`));
        }
        const store = items(run.resources, "credential-store")[0];
        assert.strictEqual(store.attributes.token, "[secret]");
    });
});

describe("access path: sandbox sshd ConfigMap", () => {
    it("renders <sandbox>-sshd with sshd_config and only the owner as principal", async () => {
        const run = await runPlatform(baseConfig());
        const data = named(run.resources, "ConfigMap", "alpha-alice-sshd").inputs.data;
        assert.strictEqual(data.principals, "alice\n");
        assert.match(data.sshd_config, /^PasswordAuthentication no$/m);
        assert.match(data.sshd_config, /^PermitRootLogin no$/m);
        assert.match(data.sshd_config, /^TrustedUserCAKeys \/etc\/sandbox\/ssh-ca\/trusted-user-ca-keys\.pem$/m);
        assert.match(data.sshd_config, /^AuthorizedPrincipalsFile \/etc\/sandbox\/sshd\/principals$/m);
    });
});

describe("access path: Boundary layout", () => {
    it("community: org, a project per team, a host per sandbox Service, TCP targets and one-developer roles", async () => {
        const run = await runPlatform(withAccess("community", [{ name: "alpha", developers: ["alice", "bob"] }]));
        assert.deepStrictEqual(items(run.resources, "scope").map((s) => [s.name, s.scope]), [["sandboxes", "global"], ["alpha", "<id:boundary-org>"]]);
        assert.deepStrictEqual(items(run.resources, "host").map((h) => h.attributes.address), [
            "alpha-alice.sbx-alpha.svc.cluster.local", "alpha-bob.sbx-alpha.svc.cluster.local"]);
        const targets = items(run.resources, "target");
        assert.deepStrictEqual(targets.map((t) => [t.name, t.type, t.session_max_seconds, t.attributes.default_port]), [
            ["alpha-alice", "tcp", 3600, 22], ["alpha-bob", "tcp", 3600, 22]]);
        assert.strictEqual(items(run.resources, "credential-store").length, 0);
        const roles = items(run.resources, "role");
        assert.deepStrictEqual(roles.map((r) => [r.name, r.principal_ids]), [
            ["alpha-alice-access", ["<id:boundary-user-alice>"]], ["alpha-bob-access", ["<id:boundary-user-bob>"]]]);
        assert.deepStrictEqual(roles[0].grant_strings, ["ids=<id:boundary-target-alpha-alice>;actions=read,authorize-session"]);
    });

    it("enterprise: SSH targets inject a vault-ssh-certificate credential signed on that developer's own role", async () => {
        const run = await runPlatform(withAccess("enterprise", [{ name: "alpha", developers: ["alice"] }]));
        const library = items(run.resources, "credential-library")[0];
        assert.strictEqual(library.type, "vault-ssh-certificate");
        assert.deepStrictEqual([library.attributes.path, library.attributes.username, library.attributes.key_type], ["ssh-client-signer/sign/alpha.alice", "alice", "ed25519"]);
        const target = items(run.resources, "target")[0];
        assert.strictEqual(target.type, "ssh");
        assert.deepStrictEqual(target.injected_application_credential_source_ids, ["<id:boundary-library-alpha-alice>"]);
        assert.strictEqual(items(run.resources, "credential-store")[0].attributes.address, "https://vault.internal:8200");
    });

    it("pool teams: one pool target over a host set of all members, opened to the roster", async () => {
        const run = await runPlatform(withAccess("community", [{ name: "pool", allocation: "pool", poolSize: 3, developers: ["alice", "bob"] }]));
        const hostSet = items(run.resources, "host-set")[0];
        assert.strictEqual(hostSet.name, "pool-pool");
        assert.strictEqual((hostSet.host_ids as string[]).length, 3);
        const targets = items(run.resources, "target");
        assert.deepStrictEqual(targets.map((t) => t.name), ["pool-pool"]);
        assert.deepStrictEqual(items(run.resources, "role")[0].principal_ids, ["<id:boundary-user-alice>", "<id:boundary-user-bob>"]);
        const connect = run.outputs.connect as Record<string, any>;
        assert.match(connect["pool/bob"].steps[1], /boundary connect ssh -target-id <id:boundary-target-pool-pool> -host-id <id:boundary-host-pool-pool-1>/);
    });
});

describe("access path: connect instructions", () => {
    it("community: sign with Vault first, then boundary connect ssh as the workspace user", () => {
        const how = connectInstructions({ team: "alpha", developer: "alice", injected: false, sshMount: "ssh", targetId: "ttcp_1", namespace: "sbx-alpha", sandbox: "alpha-alice" });
        assert.match(how.steps[0], /^vault write -field=signed_key ssh\/sign\/alpha\.alice public_key=@~\/\.ssh\/id_ed25519\.pub valid_principals=alice/);
        assert.match(how.steps[1], /^boundary connect ssh -target-id ttcp_1 -username coder/);
        assert.match(how.sshConfig, /^Host sbx-alpha-alice\n  User coder\n/);
        assert.match(how.sshConfig, /ProxyCommand boundary connect -target-id ttcp_1 -exec nc -- \{\{boundary.ip\}\} \{\{boundary.port\}\}/);
        assert.strictEqual(how.vscodeUri, "vscode://vscode-remote/ssh-remote+sbx-alpha-alice/home/coder");
    });

    it("enterprise: one boundary connect ssh; the certificate is injected", () => {
        const how = connectInstructions({ team: "alpha", developer: "alice", injected: true, sshMount: "ssh", targetId: "tssh_1", namespace: "sbx-alpha", sandbox: "alpha-alice" });
        assert.deepStrictEqual(how.steps, ["boundary connect ssh -target-id tssh_1"]);
    });

    it("without Boundary: sign with Vault and port-forward the Service", () => {
        const how = connectInstructions({ team: "alpha", developer: "alice", injected: false, sshMount: "ssh", namespace: "sbx-alpha", sandbox: "alpha-alice" });
        assert.match(how.steps[1], /kubectl -n sbx-alpha port-forward svc\/alpha-alice 2222:22/);
    });
});

describe("access path: render", () => {
    it("shows Vault and Boundary for every environment and never the secret values", async () => {
        for (const stack of ["dev", "prod", "repos"]) {
            const result = await renderedEnvironment(stack);
            assert.ok(result.run.resources.some((r) => r.type === "vault:ssh/secretBackendRole:SecretBackendRole"), stack);
            assert.ok(boundaryItems(result.run.resources).some((item) => item.kind === "target"), stack);
            const text = JSON.stringify(result.run);
            assert.ok(!text.includes("placeholder-set-with-pulumi-config-set-secret"), "a secure: value leaked");
        }
    });

    it("exits 1 for a stack whose certificates outlive the pack's 24h bound, naming the role", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-broken-"));
        const file = path.join(dir, "Pulumi.broken.yaml");
        // An all-in-one stack: its roles are rendered with the environment's TTLs.
        fs.writeFileSync(file, fs.readFileSync(path.join(repoRoot, "test/fixtures/all-in-one/Pulumi.dev.yaml"), "utf8").replace("certMaxTtl: 24h", "certMaxTtl: 72h"));
        const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "tools/render.ts"), "broken", "--config", file, "--out", path.join(dir, "out")], { cwd: repoRoot, encoding: "utf8" });
        assert.strictEqual(run.status, 1, run.stderr);
        assert.match(run.stdout, /\[mandatory\] vault-ssh-roles: .*\n\s+Vault SSH role app-team-alpha\.alice: maxTtl 259200 must be set and at most 86400 s/);
        const plan = JSON.parse(fs.readFileSync(path.join(dir, "out", "plan.json"), "utf8"));
        // One violation per role: the dev stack's two developers each have their own role.
        assert.strictEqual(mandatory(plan.policy.violations).length, 2);
    });
});
