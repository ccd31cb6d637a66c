// The sandbox's generated sshd_config, run by a real OpenSSH sshd on loopback, with
// certificates signed by `ssh-keygen -s` (the OpenSSH certificate format Vault's SSH
// CA issues). sshd runs unprivileged as one user, exactly as inside a sandbox.

import * as assert from "assert";
import { ChildProcess, execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sshdBinary as sshd, startSshd } from "./helpers/sshd";
import { buildPrincipals, buildSshdConfig, sshCaDir, sshCaKeyFile, sshdConfigDir } from "../components/access/sshd";

const testUser = "sbx-sshtest";

describe("sandbox sshd with OpenSSH (real sshd, ssh and ssh-keygen)", function () {
    let dir: string;
    let port: number;
    let daemon: ChildProcess;
    let daemonLog = "";
    let loginUser: string;

    before(async function () {
        if (!fs.existsSync(sshd) || spawnSync("ssh", ["-V"]).error || spawnSync("ssh-keygen", ["-?"]).error) {
            // .ci/run installs openssh-server and openssh-client; elsewhere say why this did not run.
            this.skip();
        }
        const root = process.getuid?.() === 0;
        if (root && spawnSync("id", ["-u", testUser]).status !== 0) {
            execFileSync("useradd", ["--create-home", "--shell", "/bin/sh", testUser]);
        }
        loginUser = root ? testUser : os.userInfo().username;
        // StrictModes wants every directory on the way to the principals file to be
        // unwritable by others: /tmp is not, so the files live in the login user's home.
        const home = root ? `/home/${testUser}` : os.homedir();
        dir = fs.mkdtempSync(path.join(home, ".sandbox-sshd-test-"));
        for (const sub of ["sshd", "ca", "keys"]) {
            fs.mkdirSync(path.join(dir, sub));
        }
        const config = buildSshdConfig()
            .replaceAll(sshdConfigDir, path.join(dir, "sshd"))
            .replaceAll(sshCaDir, path.join(dir, "ca"));
        fs.writeFileSync(path.join(dir, "sshd", "sshd_config"), config);
        fs.writeFileSync(path.join(dir, "sshd", "principals"), buildPrincipals(["alice"]));
        const keygen = (...args: string[]) => execFileSync("ssh-keygen", ["-q", ...args], { stdio: "pipe" });
        keygen("-t", "ed25519", "-N", "", "-C", "test-ca", "-f", path.join(dir, "keys", "ca"));
        fs.copyFileSync(path.join(dir, "keys", "ca.pub"), path.join(dir, "ca", sshCaKeyFile));
        keygen("-t", "ed25519", "-N", "", "-f", path.join(dir, "sshd", "host_key"));
        for (const who of ["alice", "bob", "alice-expired"]) {
            keygen("-t", "ed25519", "-N", "", "-C", who, "-f", path.join(dir, "keys", who));
        }
        const sign = (who: string, principal: string, validity: string) =>
            keygen("-s", path.join(dir, "keys", "ca"), "-I", `vault-${who}`, "-n", principal, "-V", validity, path.join(dir, "keys", `${who}.pub`));
        sign("alice", "alice", "-5m:+30m");
        sign("bob", "bob", "-5m:+30m");
        sign("alice-expired", "alice", "20200101:20200102");
        fs.chmodSync(dir, 0o755);
        if (root) {
            execFileSync("chown", ["-R", `${testUser}:${testUser}`, dir]);
            for (const key of ["ca", "alice", "bob", "alice-expired"]) {
                execFileSync("chown", ["root:root", path.join(dir, "keys", key)]);
            }
        }
        ({ daemon, port } = await startSshd(dir, root ? testUser : undefined, (chunk) => { daemonLog += chunk; }));
    });

    after(() => {
        daemon?.kill();
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    function ssh(key: string | undefined, extra: string[] = []) {
        const identity = key ? ["-i", path.join(dir, "keys", key), "-o", `CertificateFile=${path.join(dir, "keys", `${key}-cert.pub`)}`] : [];
        return spawnSync("ssh", [
            "-F", "/dev/null", "-p", String(port), ...identity, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", ...extra,
            `${loginUser}@127.0.0.1`, "echo logged-in-as-$(id -un)",
        ], { encoding: "utf8", timeout: 20000 });
    }

    it("sshd -t accepts the generated sshd_config", () => {
        const args = ["-t", "-f", path.join(dir, "sshd", "sshd_config"), "-h", path.join(dir, "sshd", "host_key")];
        const check = process.getuid?.() === 0
            ? spawnSync("runuser", ["-u", testUser, "--", sshd, ...args], { encoding: "utf8" })
            : spawnSync(sshd, args, { encoding: "utf8" });
        assert.strictEqual(check.status, 0, check.stderr);
    });

    it("lets the owner in with a certificate signed by the trusted CA", () => {
        const result = ssh("alice");
        assert.strictEqual(result.status, 0, `${result.stderr}\n${daemonLog}`);
        assert.strictEqual(result.stdout.trim(), `logged-in-as-${loginUser}`);
    });

    it("refuses another developer's certificate from the same CA (principal not authorized)", () => {
        const result = ssh("bob");
        assert.strictEqual(result.status, 255);
        assert.match(result.stderr, /Permission denied \(publickey\)/);
    });

    it("refuses the owner's expired certificate", () => {
        const result = ssh("alice-expired");
        assert.strictEqual(result.status, 255);
        assert.match(result.stderr, /Permission denied \(publickey\)/);
    });

    it("refuses the owner's bare key without a certificate (no authorized_keys)", () => {
        const result = spawnSync("ssh", ["-F", "/dev/null", "-p", String(port), "-i", path.join(dir, "keys", "alice"), "-o", "IdentitiesOnly=yes",
            "-o", "CertificateFile=none", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            `${loginUser}@127.0.0.1`, "true"], { encoding: "utf8", timeout: 20000 });
        assert.strictEqual(result.status, 255);
    });

    it("refuses passwords: the server offers public-key authentication only", () => {
        const result = ssh(undefined, ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"]);
        assert.strictEqual(result.status, 255);
        assert.match(result.stderr, /Permission denied \(publickey\)/);
    });
});
