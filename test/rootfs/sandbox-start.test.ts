// The sandbox start-up script (images/sandbox/sandbox-start.sh) run for real on a
// Debian bookworm system built from Debian's packages (test/rootfs/build.sh), in a
// chroot with its own network namespace: the script starts the real OpenSSH sshd with
// the rendered sshd_config, and a real ssh client logs in with a certificate signed by
// `ssh-keygen -s` (the OpenSSH certificate format Vault's SSH CA issues) through the
// port the sandbox Service targets. Repositories are local bare repositories (file://),
// one is served over ssh:// by a second sshd (the deploy-key path) and one over smart HTTP
// behind Basic authentication (the token path).

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPrincipals, buildSshdConfig, sshCaDir, sshCaKeyFile, sshdConfigDir } from "../../components/access/sshd";
import { readStartScript, renderStartSettings, startScriptPath, startSettingsFile } from "../../components/sandboxes/bootstrap";
import { buildSandboxService } from "../../components/sandboxes/workload";
import { SandboxPlan } from "../../components/sandboxes/plan";
import { startSettingsFor } from "../../components/sandboxes/workspace";
import { RootfsSystem, skipWithoutRootfs, startSandboxScript } from "../helpers/rootfs";

const plan: SandboxPlan = {
    name: "alpha-alice", namespace: "sbx-alpha", team: "alpha", runtime: "sysbox", developer: "alice",
    image: "example/sandbox:1", gpu: 0, suspended: false, resources: { cpu: "1", memory: "1Gi", disk: "1Gi", dockerCache: "1Gi" },
    workspace: "image", repo: { url: "file:///srv/git/app.git", ref: "main" },
};
/** The port the Service's `ssh` port forwards to: where a login must succeed. */
const servicePort = Number(buildSandboxService(plan).spec!.ports!.find((port) => port.name === "ssh")!.targetPort);

const sshOptions = "-F /dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5";

/** Lays out what the pod mounts (ConfigMap, CA ConfigMap), a CA, client keys and the bare repository. */
function prepare(system: RootfsSystem, settings: string): void {
    system.write(`${sshdConfigDir}/sshd_config`, buildSshdConfig());
    system.write(`${sshdConfigDir}/principals`, buildPrincipals(["alice"]));
    system.write(`${sshdConfigDir}/${startSettingsFile}`, settings);
    system.write(startScriptPath, readStartScript(), "0755");
    system.sh([
        "set -e",
        "mkdir -p /keys && cd /keys",
        "ssh-keygen -q -t ed25519 -N '' -C test-ca -f ca",
        "for who in alice bob; do ssh-keygen -q -t ed25519 -N '' -C $who -f $who; done",
        "ssh-keygen -q -s ca -I vault-alice -n alice -V -5m:+30m alice.pub",
        "ssh-keygen -q -s ca -I vault-bob -n bob -V -5m:+30m bob.pub",
        `mkdir -p ${sshCaDir} && cp ca.pub ${sshCaDir}/${sshCaKeyFile}`,
        // The team repository: a bare repo with a main branch and a feature branch.
        "git init -q --bare -b main /srv/git/app.git",
        "git init -q -b main /tmp/seed && cd /tmp/seed",
        "git config user.email ci@example.com && git config user.name ci",
        "echo 'repository readme' > README.md && mkdir src && echo 'int main(void) { return 0; }' > src/main.c",
        "git add . && git commit -q -m initial",
        "git checkout -q -b feature && echo feature > FEATURE && git add FEATURE && git commit -q -m feature && git checkout -q main",
        "git push -q /srv/git/app.git main feature",
    ].join("\n"));
}

function ensureUser(system: RootfsSystem): void {
    system.sh("id -u coder >/dev/null 2>&1 || useradd --create-home --shell /bin/sh --uid 1000 --user-group coder");
}


function ssh(system: RootfsSystem, who: string, user: string, command: string) {
    return system.run(`ssh ${sshOptions} -p ${servicePort} -i /keys/${who} -o CertificateFile=/keys/${who}-cert.pub ${user}@127.0.0.1 '${command}'`);
}

/** Stops the sshd a start-up run left behind, so the next run starts afresh. */
function stopSshd(system: RootfsSystem): void {
    system.sh("kill $(cat /home/coder/.sandbox/sshd.pid) 2>/dev/null; rm -f /home/coder/.sandbox/sshd.pid; true");
}

/**
 * A first start whose clone of `url` fails: the script exits non-zero with FAILED and leaves
 * no repository in the workspace. Returns the start log; stops the sshd it started.
 */
function failedFirstStart(system: RootfsSystem, url: string): string {
    try {
        const result = system.run(`env SANDBOX_FOREGROUND=false sh ${startScriptPath}`);
        assert.notStrictEqual(result.status, 0, result.stdout + result.stderr);
        assert.ok((result.stdout + result.stderr).includes(`FAILED: clone ${url} into /home/coder/app failed`), result.stdout + result.stderr);
        assert.strictEqual(system.exists("/home/coder/app/.git"), false);
        return system.read("/home/coder/.sandbox/start.log");
    } finally {
        stopSshd(system);
    }
}

describe("sandbox start-up script on a Debian bookworm root filesystem (real sshd, ssh, git)", function () {
    describe("as root, the way sysbox and kata pods run it, into an empty workspace", function () {
        let system: RootfsSystem;
        let firstRun: string;
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, renderStartSettings({ ...startSettingsFor(plan), repoDir: "/home/coder/app" }));
            firstRun = startSandboxScript(system);
        });
        after(() => system?.stop());

        it("starts sshd on the Service's target port and lets the owner in with a CA-signed certificate", () => {
            assert.match(firstRun, /step sshd: listening on port 2222/);
            const login = ssh(system, "alice", "coder", "id -un; pwd");
            assert.strictEqual(login.status, 0, `${login.stderr}\n${system.run("cat /home/coder/.sandbox/sshd.log").stdout}`);
            assert.deepStrictEqual(login.stdout.trim().split("\n"), ["coder", "/home/coder"]);
        });

        it("refuses another developer's certificate from the same CA", () => {
            const login = ssh(system, "bob", "coder", "true");
            assert.strictEqual(login.status, 255);
            assert.match(login.stderr, /Permission denied \(publickey\)/);
        });

        it("refuses a bare key and passwords", () => {
            const bare = system.run(`ssh ${sshOptions} -p ${servicePort} -i /keys/alice -o CertificateFile=none coder@127.0.0.1 true`);
            assert.strictEqual(bare.status, 255);
            const password = system.run(`ssh ${sshOptions} -p ${servicePort} -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive coder@127.0.0.1 true`);
            assert.match(password.stderr, /Permission denied \(publickey\)/);
        });

        it("gives the principal a login alias of the workspace user (Boundary-injected certificates log in as the developer)", () => {
            const login = ssh(system, "alice", "alice", "id -u; echo $HOME");
            assert.strictEqual(login.status, 0, login.stderr);
            assert.deepStrictEqual(login.stdout.trim().split("\n"), ["1000", "/home/coder"]);
        });

        it("clones the repository at the configured ref into the workspace, owned by nobody but the repository", () => {
            assert.match(firstRun, /step clone: cloned at main/);
            assert.strictEqual(system.read("/home/coder/app/README.md"), "repository readme\n");
            assert.strictEqual(system.sh("git -C /home/coder/app rev-parse --abbrev-ref HEAD").trim(), "main");
            assert.strictEqual(system.sh("git -C /home/coder/app status --porcelain"), "");
            assert.strictEqual(system.sh("git -C /home/coder/app rev-parse --abbrev-ref main@{upstream}").trim(), "origin/main");
        });

        it("logs every step with its duration and says when the image has no code-server", () => {
            for (const name of ["sshd", "clone", "code-server", "devcontainer"]) {
                assert.match(firstRun, new RegExp(`step ${name}: .* in \\d+ ms`));
            }
            assert.match(firstRun, /code-server is not in this image; port 13337 is not served/);
        });

        it("is idempotent: a second run keeps sshd, the host key and the workspace, and clones nothing", () => {
            const before = system.sh("ssh-keygen -l -f /home/coder/.sandbox/ssh_host_ed25519_key.pub");
            system.sh("echo 'my change' >> /home/coder/app/README.md");
            const again = system.sh(`SANDBOX_FOREGROUND=false sh ${startScriptPath} 2>&1`);
            assert.match(again, /step sshd: already running/);
            assert.match(again, /step clone: skipped \(\/home\/coder\/app already has a repository/);
            assert.strictEqual(system.sh("ssh-keygen -l -f /home/coder/.sandbox/ssh_host_ed25519_key.pub"), before);
            assert.strictEqual(system.read("/home/coder/app/README.md"), "repository readme\nmy change\n");
        });

        it("restarts after the container restarts (sshd gone) with the same host key and data", () => {
            const before = system.sh("ssh-keygen -l -f /home/coder/.sandbox/ssh_host_ed25519_key.pub");
            system.sh(`pkill -f '^sh ${startScriptPath}'; kill $(cat /home/coder/.sandbox/sshd.pid); sleep 0.5`);
            const out = startSandboxScript(system);
            assert.match(out, /step sshd: listening on port 2222/);
            assert.strictEqual(system.sh("ssh-keygen -l -f /home/coder/.sandbox/ssh_host_ed25519_key.pub"), before);
            assert.strictEqual(system.read("/home/coder/app/README.md"), "repository readme\nmy change\n");
            assert.strictEqual(ssh(system, "alice", "coder", "true").status, 0);
        });
    });

    describe("as the image's user, the way envbox runs it, into a workspace that already has files", function () {
        let system: RootfsSystem;
        let out: string;
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, renderStartSettings({ ...startSettingsFor({ ...plan, repo: { url: "file:///srv/git/app.git", ref: "feature" } }), repoDir: "/home/coder/app" }));
            ensureUser(system);
            // Work that is already on the volume: one file the repository also has, one it does not.
            system.sh("mkdir -p /home/coder/app && echo 'my own readme' > /home/coder/app/README.md && echo 'notes' > /home/coder/app/notes.txt && chown -R coder: /home/coder /srv/git");
            out = startSandboxScript(system, "coder");
        });
        after(() => system?.stop());

        it("runs sshd as the user and lets the owner in through the same port", () => {
            assert.match(out, /step sshd: listening on port 2222/);
            const login = ssh(system, "alice", "coder", "id -un");
            assert.strictEqual(login.status, 0, `${login.stderr}\n${system.run("cat /home/coder/.sandbox/sshd.log").stdout}`);
            assert.strictEqual(login.stdout.trim(), "coder");
            assert.strictEqual(system.sh("ps -o user= -p $(cat /home/coder/.sandbox/sshd.pid)").trim(), "coder");
        });

        it("never overwrites or deletes what was there, and adds the repository's other files", () => {
            assert.strictEqual(system.read("/home/coder/app/README.md"), "my own readme\n");
            assert.strictEqual(system.read("/home/coder/app/notes.txt"), "notes\n");
            assert.ok(system.exists("/home/coder/app/src/main.c"), `${out}\n${system.run("cat /home/coder/.sandbox/start.log; ls -la /home/coder/app").stdout}`);
            assert.strictEqual(system.read("/home/coder/app/src/main.c"), "int main(void) { return 0; }\n");
            assert.strictEqual(system.read("/home/coder/app/FEATURE"), "feature\n");
            assert.strictEqual(system.sh("runuser -u coder -- git -C /home/coder/app rev-parse --abbrev-ref HEAD").trim(), "feature");
            const status = system.sh("runuser -u coder -- git -C /home/coder/app status --porcelain").split("\n").filter(Boolean).sort();
            assert.deepStrictEqual(status, [" M README.md", "?? notes.txt"]);
            assert.match(out, /kept 1 existing file\(s\) that differ from the repository/);
        });
    });

    // A private repository over ssh://, as a Git host serves it: a second, plain sshd for
    // a `git` account that only the deploy key may use. The Secret mounted at
    // repo-credentials holds the key and, here, the host's known_hosts line.
    describe("cloning over ssh:// with the Secret's deploy key", function () {
        let system: RootfsSystem;
        const gitPort = 2022;
        const sshPlan: SandboxPlan = { ...plan, repo: { url: `ssh://git@127.0.0.1:${gitPort}/srv/git/app.git`, ref: "feature", secret: "app-deploy-key" } };
        const credentials = "/etc/sandbox/repo-credentials";
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, renderStartSettings({ ...startSettingsFor(sshPlan), repoDir: "/home/coder/app" }));
            system.sh([
                "set -e",
                // The Git host: an unlocked account (sshd without PAM refuses locked ones) whose only key is the deploy key.
                "useradd --create-home --shell /bin/sh git && usermod -p '*' git && chown -R git: /srv/git",
                "mkdir -p /srv/githost && cd /srv/githost",
                "ssh-keygen -q -t ed25519 -N '' -C githost -f host_key && ssh-keygen -q -t ed25519 -N '' -C deploy -f deploy && ssh-keygen -q -t ed25519 -N '' -C other -f other_host",
                "install -d -o git -m 700 /home/git/.ssh && install -o git -m 600 deploy.pub /home/git/.ssh/authorized_keys",
                `printf '%s\n' 'Port ${gitPort}' 'ListenAddress 127.0.0.1' 'HostKey /srv/githost/host_key' 'PidFile /srv/githost/sshd.pid' 'UsePAM no' 'PasswordAuthentication no' 'KbdInteractiveAuthentication no' 'AllowUsers git' > sshd_config`,
                "mkdir -p /run/sshd && /usr/sbin/sshd -f /srv/githost/sshd_config -E /srv/githost/sshd.log",
                // What the Secret holds: the deploy key and the host's key, pinned.
                `mkdir -p ${credentials} && install -m 444 deploy ${credentials}/ssh-privatekey`,
                `printf '[127.0.0.1]:${gitPort} %s\n' "$(cut -d' ' -f1-2 host_key.pub)" > ${credentials}/known_hosts`,
            ].join("\n"));
        });
        after(() => system?.stop());

        it("refuses a host whose key is not the pinned one, and leaves the workspace without a repository", () => {
            const pinned = system.read(`${credentials}/known_hosts`);
            system.sh(`printf '[127.0.0.1]:${gitPort} %s\n' "$(cut -d' ' -f1-2 /srv/githost/other_host.pub)" > ${credentials}/known_hosts`);
            try {
                assert.match(failedFirstStart(system, sshPlan.repo!.url), /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
                assert.deepStrictEqual(system.sh("ls -A /home/coder | grep -c '^app.clone' || true").trim(), "0");
            } finally {
                system.write(`${credentials}/known_hosts`, pinned);
            }
        });

        it("clones at the configured ref with the deploy key against the pinned host key, and writes no credential into the repository", () => {
            const out = startSandboxScript(system);
            assert.match(out, /step clone: cloned at feature/, `${out}\n${system.run("cat /home/coder/.sandbox/start.log /srv/githost/sshd.log").stdout}`);
            assert.strictEqual(system.read("/home/coder/app/FEATURE"), "feature\n");
            assert.strictEqual(system.sh("git -C /home/coder/app rev-parse --abbrev-ref HEAD").trim(), "feature");
            assert.strictEqual(system.sh("git -C /home/coder/app remote get-url origin").trim(), sshPlan.repo!.url);
            const config = system.read("/home/coder/app/.git/config");
            assert.doesNotMatch(config, /sshCommand|repo-key|IdentityFile|BEGIN OPENSSH/);
            assert.match(system.read("/srv/githost/sshd.log"), /Accepted publickey for git/);
        });
    });

    // A private repository over HTTP with a token, as Git hosts serve it: Basic
    // authentication in front of git's own `git http-backend` (test/helpers/git-http-server.py,
    // the host's python3 and git in the system's namespaces). The Secret holds `token` only,
    // so the script's credential helper offers the user name x-access-token.
    describe("cloning over HTTP with the Secret's token", function () {
        let system: RootfsSystem;
        let logDir: string;
        const httpPlan: SandboxPlan = { ...plan, repo: { url: "http://127.0.0.1:8080/app.git", ref: "main", secret: "app-token" } };
        const credentials = "/etc/sandbox/repo-credentials";
        const token = "ghp_0123456789abcdefSECRET";
        const serverLog = () => fs.readFileSync(path.join(logDir, "http.log"), "utf8");
        before(async function () {
            skipWithoutRootfs(this);
            if (spawnSync("python3", ["--version"]).status !== 0 || spawnSync("git", ["--version"]).status !== 0) {
                throw new Error("this test needs the host's python3 and git (.ci/run installs git; python3 is part of the machine)");
            }
            system = await RootfsSystem.start();
            prepare(system, renderStartSettings({ ...startSettingsFor(httpPlan), repoDir: "/home/coder/app" }));
            logDir = fs.mkdtempSync(path.join(os.tmpdir(), "git-http-"));
            system.hostProcess(["python3", path.join(__dirname, "../helpers/git-http-server.py"), `${system.root}/srv/git`, "x-access-token", token, "8080",
                path.join(logDir, "http.log")]);
            for (let i = 0; i < 100 && !(fs.existsSync(path.join(logDir, "http.log")) && serverLog().includes("listening")); i++) {
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            assert.match(serverLog(), /listening/);
        });
        after(() => {
            system?.stop();
            if (logDir) {
                fs.rmSync(logDir, { recursive: true, force: true });
            }
        });

        it("fails loudly with a wrong token and leaves the workspace without a repository", () => {
            system.write(`${credentials}/token`, "wrong-token\n", "0444");
            assert.match(failedFirstStart(system, httpPlan.repo!.url), /Authentication failed/);
            assert.doesNotMatch(serverLog(), / 200$/m);
        });

        it("clones with the token through the credential helper, and the token lands nowhere in the repository or the log", () => {
            system.write(`${credentials}/token`, `${token}\n`, "0444");
            const out = startSandboxScript(system);
            assert.match(out, /step clone: cloned at main/, `${out}\n${system.run("cat /home/coder/.sandbox/start.log").stdout}\n${serverLog()}`);
            assert.strictEqual(system.read("/home/coder/app/README.md"), "repository readme\n");
            assert.strictEqual(system.sh("git -C /home/coder/app remote get-url origin").trim(), httpPlan.repo!.url);
            // The server challenged first and then served the authenticated requests.
            assert.match(serverLog(), /^GET \/app\.git\/info\/refs\?service=git-upload-pack 401$/m);
            assert.match(serverLog(), /^GET \/app\.git\/info\/refs\?service=git-upload-pack 200$/m);
            assert.match(serverLog(), /^POST \/app\.git\/git-upload-pack 200$/m);
            assert.strictEqual(system.run(`grep -rl '${token}' /home/coder/app/.git /home/coder/.sandbox /home/coder/.gitconfig /root/.gitconfig /root/.git-credentials 2>/dev/null`).stdout, "");
        });
    });

    describe("an image without openssh-server", function () {
        let system: RootfsSystem;
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, renderStartSettings(startSettingsFor({ ...plan, repo: undefined })));
            ensureUser(system);
            system.sh("dpkg --purge --force-depends openssh-server >/dev/null 2>&1; test ! -e /usr/sbin/sshd");
            // Debian's packages, served from the .debs debootstrap fetched (no network here).
            system.write("/etc/apt/sources.list", "deb [trusted=yes] file:/srv/debs ./\n");
            system.sh("rm -f /etc/apt/sources.list.d/* 2>/dev/null; true");
        });
        after(() => system?.stop());

        it("fails loudly when the user can neither be root nor use sudo", () => {
            const result = system.run(`runuser -u coder -- env HOME=/home/coder SANDBOX_FOREGROUND=false sh ${startScriptPath}`);
            assert.strictEqual(result.status, 1);
            assert.match(result.stderr, /FAILED: install openssh-server: it is not in the image and coder is neither root nor has passwordless sudo/);
            assert.match(system.read("/home/coder/.sandbox/failed"), /install openssh-server/);
        });

        it("installs openssh-server with the image's package manager when it can, then serves certificate logins", () => {
            system.write("/etc/sudoers.d/coder", "coder ALL=(ALL) NOPASSWD:ALL\n", "0440");
            const out = startSandboxScript(system, "coder");
            assert.match(out, /openssh-server is not installed; installing it/);
            assert.ok(system.exists("/usr/sbin/sshd"));
            const login = ssh(system, "alice", "coder", "id -un");
            assert.strictEqual(login.status, 0, `${out}\n${login.stderr}`);
            assert.match(out, /step clone: skipped \(no repository configured\)/);
        });
    });

    describe("an ephemeral pool member (sysbox or kata: the container restarts)", function () {
        let system: RootfsSystem;
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, renderStartSettings({ ...startSettingsFor({ ...plan, runtime: "kata", ephemeral: true, idleSeconds: 1 }), repoDir: "/home/coder/app" }));
        });
        after(() => system?.stop());

        it("exits after the last session has gone, and the next start begins from a clean home with a fresh clone", () => {
            const first = startSandboxScript(system, undefined, "SANDBOX_WATCH_INTERVAL=0.2");
            assert.match(first, /step clone: cloned at main/);
            const session = ssh(system, "alice", "coder", "echo scratch > app/scratch.txt; echo leftover > leftover.txt; sleep 1");
            assert.strictEqual(session.status, 0, session.stderr);
            const exited = system.run(`for i in $(seq 100); do pgrep -f '^sh ${startScriptPath}' >/dev/null || exit 0; sleep 0.1; done; exit 1`).status === 0;
            assert.ok(exited, system.run("cat /tmp/start.out").stdout);
            assert.match(system.read("/tmp/start.out"), /session started[\s\S]*exiting so the sandbox restarts clean/);
            system.sh("kill $(cat /home/coder/.sandbox/sshd.pid) 2>/dev/null; sleep 0.3; true");
            const second = startSandboxScript(system, undefined, "SANDBOX_WATCH_INTERVAL=0.2");
            assert.match(second, /step clone: cloned at main/);
            assert.ok(!system.exists("/home/coder/leftover.txt"));
            assert.ok(!system.exists("/home/coder/app/scratch.txt"));
            assert.ok(system.exists("/home/coder/.sandbox/ssh_host_ed25519_key"), "the host key survives a recycle");
            assert.strictEqual(system.read("/home/coder/app/README.md"), "repository readme\n");
        });
    });

    describe("an ephemeral envbox pool member (the inner container outlives the script)", function () {
        let system: RootfsSystem;
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, renderStartSettings({ ...startSettingsFor({ ...plan, runtime: "envbox", ephemeral: true, idleSeconds: 1 }), repoDir: "/home/coder/app" }));
            ensureUser(system);
            system.sh("chown -R coder: /home/coder /srv/git");
        });
        after(() => system?.stop());

        it("recycles in place after the last session: home emptied, repository cloned again, sshd still serving", () => {
            const first = startSandboxScript(system, "coder", "SANDBOX_WATCH_INTERVAL=0.2");
            assert.match(first, /step clone: cloned at main/);
            const session = ssh(system, "alice", "coder", "echo scratch > app/scratch.txt; echo leftover > leftover.txt; sleep 1");
            assert.strictEqual(session.status, 0, session.stderr);
            const recycled = system.run("for i in $(seq 100); do grep -q 'recycling in place' /tmp/start.out && grep -c 'step clone: cloned' /tmp/start.out | grep -q 2 && exit 0; sleep 0.1; done; exit 1");
            assert.strictEqual(recycled.status, 0, system.read("/tmp/start.out"));
            assert.ok(!system.exists("/home/coder/leftover.txt"));
            assert.ok(!system.exists("/home/coder/app/scratch.txt"));
            assert.strictEqual(system.read("/home/coder/app/README.md"), "repository readme\n");
            assert.strictEqual(ssh(system, "alice", "coder", "true").status, 0);
        });
    });
});
