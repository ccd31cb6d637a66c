// Principals are bound to people: for every shipped stack, a developer's token can obtain
// a certificate for their own principal only (Vault's role and ACL checks modelled from its
// source in helpers/vault-ssh-oracle.ts), each team's Boundary token signs on its own team's
// roles only, and a real OpenSSH sshd with the sandbox's principals file refuses what a
// teammate can obtain. Certificates are signed by `ssh-keygen -s` with exactly the
// principals the oracle grants (the OpenSSH certificate format Vault issues).

import * as assert from "assert";
import { ChildProcess, execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadStack, repoRoot } from "../tools/render-stack";
import { PlatformConfig } from "../components/config/schema";
import { buildPrincipals, buildSshdConfig, sshCaDir, sshCaKeyFile, sshdConfigDir } from "../components/access/sshd";
import { developerPolicyName, developerRoleName } from "../components/access/vault-policies";
import { SshRoleSpec, buildBoundaryTokens, buildDeveloperPolicies, buildSshRoles } from "../components/access/vault-roles";
import { sshdBinary as sshd, startSshd } from "./helpers/sshd";
import { OracleRole, SignResult, vaultSign } from "./helpers/vault-ssh-oracle";

const stacks = fs.readdirSync(path.join(repoRoot, "stacks"))
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined);

function vaultState(config: PlatformConfig) {
    const injection = config.boundary.enabled && config.boundary.edition !== "community";
    const roles = buildSshRoles(config.teams, injection);
    const oracleRoles: Record<string, OracleRole> = Object.fromEntries(roles.map((r: SshRoleSpec) => [r.name, { allowedUsers: r.allowedUsers, defaultUser: r.defaultUser || undefined }]));
    const policies = Object.fromEntries(buildDeveloperPolicies(config).map((p) => [p.name, p.policy]));
    const tokens = injection ? buildBoundaryTokens(config, roles) : [];
    return { roles, oracleRoles, policies, tokens, mount: config.vault.sshMount };
}

function granted(result: SignResult): string[] | undefined {
    return "principals" in result ? result.principals : undefined;
}

describe("principals bound to people (Vault SSH roles and tokens, every shipped stack)", () => {
    for (const stack of stacks) {
        describe(`stack ${stack}`, () => {
            const { config } = loadStack(stack);
            const state = vaultState(config);

            it("lets each developer sign their own principal, with or without naming it", () => {
                for (const team of config.teams) {
                    for (const developer of team.developers) {
                        const ask = (validPrincipals?: string) => vaultSign(state.oracleRoles, {
                            policies: [state.policies[developerPolicyName(team.name, developer.name)]], mount: state.mount,
                            role: developerRoleName(team.name, developer.name), validPrincipals,
                        });
                        assert.deepStrictEqual(granted(ask()), [developer.name]);
                        assert.deepStrictEqual(granted(ask(developer.name)), [developer.name]);
                    }
                }
            });

            it("gives no developer a certificate for a teammate's principal, on any role their token can use", () => {
                let pairs = 0;
                for (const team of config.teams) {
                    for (const a of team.developers) {
                        for (const b of team.developers.filter((d) => d.name !== a.name)) {
                            pairs += 1;
                            const policies = [state.policies[developerPolicyName(team.name, a.name)]];
                            for (const role of state.roles) {
                                for (const validPrincipals of [b.name, `${a.name},${b.name}`, `${b.name},${a.name}`]) {
                                    const result = vaultSign(state.oracleRoles, { policies, mount: state.mount, role: role.name, validPrincipals });
                                    assert.ok("error" in result, `${a.name} got ${validPrincipals} on ${role.name}`);
                                }
                            }
                            const onTeammatesRole = vaultSign(state.oracleRoles, { policies, mount: state.mount, role: developerRoleName(team.name, b.name) });
                            assert.deepStrictEqual(onTeammatesRole, { error: "permission denied" });
                        }
                    }
                }
                assert.ok(pairs > 0, "the stack has teammates to test");
            });

            it("scopes each Boundary credential-store token to its own team's roles", function () {
                if (state.tokens.length === 0) {
                    this.skip(); // community edition: Boundary holds no Vault token
                }
                assert.strictEqual(new Set(state.tokens.map((t) => t.policyName)).size, state.tokens.length, "one token (and policy) per team");
                for (const token of state.tokens) {
                    for (const role of state.roles) {
                        const result = vaultSign(state.oracleRoles, { policies: [token.policy], mount: state.mount, role: role.name, validPrincipals: role.developer ?? role.allowedUsers.split(",")[0] });
                        assert.strictEqual("principals" in result, role.team === token.team, `${token.team}'s token on ${role.name}: ${JSON.stringify(result)}`);
                    }
                }
            });
        });
    }

    it("the oracle reproduces the finding: a team-wide role lets alice sign bob's principal", () => {
        const roles = { alpha: { allowedUsers: "alice,bob" } };
        const policy = 'path "ssh/sign/alpha" {\n  capabilities = ["create", "update"]\n}\n';
        assert.deepStrictEqual(granted(vaultSign(roles, { policies: [policy], mount: "ssh", role: "alpha", validPrincipals: "bob" })), ["bob"]);
        assert.deepStrictEqual(vaultSign(roles, { policies: [policy], mount: "ssh", role: "alpha" }), { error: "empty valid principals not allowed by role" });
    });
});

describe("principals bound to people, with a real OpenSSH sshd (pool member assigned to bob, dedicated sandbox of alice)", function () {
    const testUser = "sbx-isotest";
    let dir: string;
    let port: number;
    let daemon: ChildProcess | undefined;
    let log = "";
    let loginUser: string;
    const { config } = loadStack("dev");
    const state = vaultState(config);
    const team = config.teams.find((t) => t.developers.length >= 2)!;
    const [alice, bob] = team.developers.map((d) => d.name);

    before(async function () {
        if (!fs.existsSync(sshd) || spawnSync("ssh", ["-V"]).error || spawnSync("ssh-keygen", ["-?"]).error) {
            this.skip(); // .ci/run installs openssh-server and openssh-client
        }
        const root = process.getuid?.() === 0;
        if (root && spawnSync("id", ["-u", testUser]).status !== 0) {
            execFileSync("useradd", ["--create-home", "--shell", "/bin/sh", testUser]);
        }
        loginUser = root ? testUser : os.userInfo().username;
        const home = root ? `/home/${testUser}` : os.homedir();
        dir = fs.mkdtempSync(path.join(home, ".sandbox-isolation-test-"));
        for (const sub of ["sshd", "ca", "keys"]) {
            fs.mkdirSync(path.join(dir, sub));
        }
        fs.writeFileSync(path.join(dir, "sshd", "sshd_config"), buildSshdConfig().replaceAll(sshdConfigDir, path.join(dir, "sshd")).replaceAll(sshCaDir, path.join(dir, "ca")));
        fs.writeFileSync(path.join(dir, "sshd", "principals"), buildPrincipals([alice]));
        const keygen = (...args: string[]) => execFileSync("ssh-keygen", ["-q", ...args], { stdio: "pipe" });
        keygen("-t", "ed25519", "-N", "", "-C", "vault-ca", "-f", path.join(dir, "keys", "ca"));
        fs.copyFileSync(path.join(dir, "keys", "ca.pub"), path.join(dir, "ca", sshCaKeyFile));
        keygen("-t", "ed25519", "-N", "", "-f", path.join(dir, "sshd", "host_key"));
        // Sign exactly what the Vault oracle grants alice's token; what it refuses is never signed.
        const asks: [string, string | undefined][] = [["own", undefined], ["teammate", bob], ["both", `${alice},${bob}`]];
        for (const [name, validPrincipals] of asks) {
            keygen("-t", "ed25519", "-N", "", "-C", name, "-f", path.join(dir, "keys", name));
            const result = vaultSign(state.oracleRoles, {
                policies: [state.policies[developerPolicyName(team.name, alice)]], mount: state.mount,
                role: developerRoleName(team.name, alice), validPrincipals,
            });
            if ("principals" in result) {
                keygen("-s", path.join(dir, "keys", "ca"), "-I", `vault-${name}`, "-n", result.principals.join(","), "-V", "-5m:+30m", path.join(dir, "keys", `${name}.pub`));
            }
        }
        fs.chmodSync(dir, 0o755);
        if (root) {
            execFileSync("chown", ["-R", `${testUser}:${testUser}`, dir]);
            for (const key of ["ca", "own", "teammate", "both"]) {
                execFileSync("chown", ["root:root", path.join(dir, "keys", key)]);
            }
        }
        ({ daemon, port } = await startSshd(dir, root ? testUser : undefined, (chunk) => { log += chunk; }));
    });

    after(() => {
        daemon?.kill();
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    function login(key: string, sandboxPrincipals: string[]) {
        fs.writeFileSync(path.join(dir, "sshd", "principals"), buildPrincipals(sandboxPrincipals));
        return spawnSync("ssh", [
            "-F", "/dev/null", "-p", String(port), "-i", path.join(dir, "keys", key), "-o", `CertificateFile=${path.join(dir, "keys", `${key}-cert.pub`)}`,
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5",
            `${loginUser}@127.0.0.1`, "echo in",
        ], { encoding: "utf8", timeout: 20000 });
    }

    it("signs alice's own principal only: the teammate and both-principal requests got no certificate", () => {
        assert.ok(fs.existsSync(path.join(dir, "keys", "own-cert.pub")));
        assert.ok(!fs.existsSync(path.join(dir, "keys", "teammate-cert.pub")));
        assert.ok(!fs.existsSync(path.join(dir, "keys", "both-cert.pub")));
        const listed = execFileSync("ssh-keygen", ["-L", "-f", path.join(dir, "keys", "own-cert.pub")], { encoding: "utf8" });
        assert.match(listed, new RegExp(`Principals:\\s*\\n\\s*${alice}\\s*\\n`));
    });

    it("logs alice into her own sandbox with the certificate she can obtain", () => {
        const result = login("own", [alice]);
        assert.strictEqual(result.status, 0, `${result.stderr}\n${log}`);
    });

    // A dedicated sandbox of bob and a pool member assigned to bob carry the same principals
    // file ("bob"), so picking bob's member with -host-id gets alice no further.
    it("refuses alice's certificate at bob's sandbox (dedicated, or the pool member assigned to bob)", () => {
        const result = login("own", [bob]);
        assert.strictEqual(result.status, 255);
        assert.match(result.stderr, /Permission denied \(publickey\)/);
    });
});
