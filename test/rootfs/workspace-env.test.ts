// Workspace variables (teams[].env/secretEnv, developers[].env/secretEnv) on a real Debian
// bookworm system: the ConfigMap and the Secret volume laid out exactly as the builders
// render them (buildSandboxConfigMap, secretEnvVolumes), the start-up script run as root
// (sysbox, kata) and as the image's user (envbox), and the real OpenSSH sshd serving a
// certificate login. The secret must reach the workspace user's sessions and nothing else:
// not the logs, not the clone, not another user's view of /proc.

import * as assert from "assert";
import * as crypto from "crypto";
import { buildSshdConfig, sshCaDir, sshCaKeyFile, sshdConfigDir } from "../../components/access/sshd";
import { readStartScript, renderStartSettings, startScriptPath, startSettingsFile } from "../../components/sandboxes/bootstrap";
import { SandboxPlan } from "../../components/sandboxes/plan";
import { buildSandboxConfigMap, startSettingsFor } from "../../components/sandboxes/workspace";
import { secretEnvVolumes, workspaceEnvNames } from "../../components/sandboxes/workspace-env";
import { RootfsSystem, skipWithoutRootfs, startSandboxScript } from "../helpers/rootfs";

const secretValue = `sk-ant-api03-${crypto.randomBytes(16).toString("hex")}`;
/** A value that needs quoting in every form the script writes. */
const trickyValue = `it's "quoted" $HOME \`id\` \\ end ${crypto.randomBytes(4).toString("hex")}`;
const multiLineValue = `{"mcpServers": {"docs": {"command": "docs-mcp"}}}\nsecond line ${crypto.randomBytes(4).toString("hex")}`;

const plan: SandboxPlan = {
    name: "agents-alice", namespace: "sbx-agents", team: "agents", runtime: "sysbox", developer: "alice",
    image: "example/sandbox:1", gpu: 0, suspended: false, resources: { cpu: "1", memory: "1Gi", disk: "1Gi", dockerCache: "1Gi" },
    workspace: "image", repo: { url: "file:///srv/git/app.git", ref: "main" },
    env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", GIT_DIR: "/nonexistent" },
    secretEnv: {
        ANTHROPIC_API_KEY: { secret: "alice-agent-keys", key: "anthropic" },
        TRICKY: { secret: "alice-agent-keys", key: "tricky" },
        MCP_CONFIG: { secret: "alice-mcp", key: "config.json" },
    },
};
const secretData: Record<string, Record<string, string>> = {
    "alice-agent-keys": { anthropic: secretValue, tricky: trickyValue, unused: "never-projected" },
    "alice-mcp": { "config.json": multiLineValue },
};
const sshOptions = "-F /dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5";

/** The sandbox's ConfigMap and Secret volumes as the kubelet would mount them, a CA, alice's certificate, a repository. */
function prepare(system: RootfsSystem, sandbox: SandboxPlan, readableByAll: boolean): void {
    const configMap = buildSandboxConfigMap(sandbox, ["alice"]);
    for (const [key, value] of Object.entries(configMap.data!)) {
        system.write(`${sshdConfigDir}/${key}`, value, "0644");
    }
    // The script itself is the namespace's shared ConfigMap, mounted at its own path (start-script.ts).
    system.write(startScriptPath, readStartScript(), "0755");
    for (const volume of secretEnvVolumes(sandbox, readableByAll).volumes) {
        const mount = secretEnvVolumes(sandbox, readableByAll).mounts.find((m) => m.name === volume.name)!;
        for (const item of volume.secret!.items!) {
            system.write(`${mount.mountPath}/${item.path}`, secretData[volume.secret!.secretName!][item.key], (volume.secret!.defaultMode!).toString(8).padStart(4, "0"));
        }
    }
    system.sh([
        "set -e",
        "id -u coder >/dev/null 2>&1 || useradd --create-home --shell /bin/sh --uid 1000 --user-group coder",
        "mkdir -p /keys && cd /keys",
        "ssh-keygen -q -t ed25519 -N '' -C test-ca -f ca",
        "ssh-keygen -q -t ed25519 -N '' -C alice -f alice",
        "ssh-keygen -q -s ca -I vault-alice -n alice -V -5m:+30m alice.pub",
        `mkdir -p ${sshCaDir} && cp ca.pub ${sshCaDir}/${sshCaKeyFile}`,
        "git init -q --bare -b main /srv/git/app.git",
        "git init -q -b main /tmp/seed && cd /tmp/seed && git config user.email ci@example.com && git config user.name ci",
        "echo readme > README.md && git add . && git commit -q -m initial && git push -q /srv/git/app.git main",
        "chmod -R a+rX /srv/git",
    ].join("\n"));
}

function start(system: RootfsSystem, asUser?: string, env = ""): string {
    const out = startSandboxScript(system, asUser, env);
    assert.match(out, /ready in \d+ ms/, out);
    return out;
}

/** A session of alice's certificate; as root sshd logs her in through her login alias, as the user sshd only as coder. */
function ssh(system: RootfsSystem, command: string, user = "alice") {
    return system.run(`ssh ${sshOptions} -p 2222 -i /keys/alice -o CertificateFile=/keys/alice-cert.pub ${user}@127.0.0.1 '${command}'`);
}

/** Everything an unprivileged other user can read of every process's argv and environment, while a session holding the secret runs. */
function otherUsersViewOfProc(system: RootfsSystem, user = "alice"): { asNobody: string; asRoot: string } {
    system.sh(`ssh ${sshOptions} -p 2222 -i /keys/alice -o CertificateFile=/keys/alice-cert.pub ${user}@127.0.0.1 'sleep 21' >/dev/null 2>&1 &
        for i in $(seq 100); do pgrep -u coder -f '^sleep 21$' >/dev/null && break; sleep 0.1; done`);
    const dump = "for f in /proc/[0-9]*/cmdline /proc/[0-9]*/environ; do cat \"$f\" 2>/dev/null; printf '\\n'; done | tr '\\0' '\\n'";
    const asNobody = system.sh(`runuser -u nobody -- sh -c '${dump.replace(/'/g, "'\\''")}'`);
    const asRoot = system.sh(dump);
    system.sh("pkill -u coder -f '^sleep 21$' || true");
    return { asNobody, asRoot };
}

function assertNowhereElse(system: RootfsSystem, out: string): void {
    const places: Record<string, string> = {
        "the script's output": out,
        "start.log": system.read("/home/coder/.sandbox/start.log"),
        "sshd.log": system.run("cat /home/coder/.sandbox/sshd.log").stdout,
        "the clone (work tree and .git)": system.sh("cd /home/coder/app && find . -type f -exec cat {} + | gzip -dc -f 2>/dev/null; find . -type f -exec cat {} +"),
        "the ConfigMap": system.sh(`cat ${sshdConfigDir}/*`),
    };
    for (const [where, text] of Object.entries(places)) {
        for (const value of [secretValue, trickyValue, multiLineValue.split("\n")[1]]) {
            assert.ok(!text.includes(value), `a secret value is in ${where}`);
        }
    }
}

describe("workspace variables on a Debian bookworm root filesystem (real sshd, start-up script)", function () {
    describe("as root, the way sysbox and kata pods run the script (Secret files 0400)", function () {
        let system: RootfsSystem;
        let out: string;
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, plan, false);
            // The runtime also puts the plain variables into the container's environment (pod env):
            // GIT_DIR there must not steer the script's clone.
            out = start(system, undefined, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 GIT_DIR=/nonexistent");
        });
        after(() => system?.stop());

        it("renders sshd_config that takes exactly the workspace's variable names from ~/.ssh/environment", () => {
            assert.strictEqual(system.read(`${sshdConfigDir}/sshd_config`), buildSshdConfig(workspaceEnvNames(plan)));
            assert.match(system.read(`${sshdConfigDir}/sshd_config`), /^PermitUserEnvironment ANTHROPIC_API_KEY,CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC,GIT_DIR,MCP_CONFIG,TRICKY$/m);
        });

        it("gives an ssh session of the owner the secret and the plain settings in its environment", () => {
            assert.match(out, /step env: 5 variable\(s\) for the workspace user/);
            const session = ssh(system, "printenv ANTHROPIC_API_KEY; printenv CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC; printenv TRICKY");
            assert.strictEqual(session.status, 0, session.stderr);
            assert.strictEqual(session.stdout, `${secretValue}\n1\n${trickyValue}\n`);
        });

        it("lets a session have no variable sshd was not told to take, even one written into ~/.ssh/environment", () => {
            system.sh("echo 'NOT_CONFIGURED=1' >> /home/coder/.ssh/environment");
            const session = ssh(system, "printenv NOT_CONFIGURED || echo absent");
            assert.strictEqual(session.stdout.trim(), "absent");
        });

        it("writes ~/.sandbox/env, ~/.ssh/environment and the devcontainer secrets file 0600, owned by the workspace user, with exact values", () => {
            for (const file of ["/home/coder/.sandbox/env", "/home/coder/.ssh/environment", "/home/coder/.sandbox/devcontainer-secrets.json"]) {
                assert.strictEqual(system.sh(`stat -c '%a %U' ${file}`).trim(), "600 coder", file);
            }
            const sourced = system.sh("runuser -u coder -- sh -c '. /home/coder/.sandbox/env; printf \"%s\\n--\\n%s\\n--\\n%s\" \"$ANTHROPIC_API_KEY\" \"$TRICKY\" \"$MCP_CONFIG\"'");
            assert.strictEqual(sourced, `${secretValue}\n--\n${trickyValue}\n--\n${multiLineValue}`);
            const json = JSON.parse(system.read("/home/coder/.sandbox/devcontainer-secrets.json"));
            assert.deepStrictEqual(json, { ANTHROPIC_API_KEY: secretValue, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", GIT_DIR: "/nonexistent", MCP_CONFIG: multiLineValue, TRICKY: trickyValue });
            assert.match(out, /MCP_CONFIG span lines/);
            assert.ok(!system.read("/home/coder/.ssh/environment").includes("MCP_CONFIG"), "a multi-line value cannot be one ~/.ssh/environment line");
        });

        it("keeps GIT_DIR from the container's environment out of the script's own clone", () => {
            assert.match(out, /step clone: cloned at main/);
            assert.strictEqual(system.read("/home/coder/app/README.md"), "readme\n");
        });

        it("puts the secret nowhere else: not the log, the script's output, sshd's log, the ConfigMap or the clone", () => {
            assertNowhereElse(system, out);
        });

        it("shows another user no secret in any process's argv or environment while a session holding it runs", () => {
            const view = otherUsersViewOfProc(system);
            // Positive control: the session's environment does hold it (root sees it), so the scan can find it.
            assert.ok(view.asRoot.includes(secretValue), "root's view of /proc must show the session's environment");
            assert.ok(!view.asNobody.includes(secretValue) && !view.asNobody.includes(trickyValue), "nobody sees a secret value in /proc");
        });

        it("lets no other user read the Secret files or the files written from them", () => {
            for (const file of ["/etc/sandbox/workspace-secrets/alice-agent-keys/ANTHROPIC_API_KEY", "/home/coder/.sandbox/env", "/home/coder/.ssh/environment", "/home/coder/.sandbox/devcontainer-secrets.json"]) {
                assert.notStrictEqual(system.run(`runuser -u nobody -- cat ${file}`).status, 0, file);
            }
        });

        it("removes what it wrote once the variables are gone from the sandbox's config", () => {
            system.sh("pkill -f '^sh /etc/sandbox/sshd/sandbox-start' || true; kill $(cat /home/coder/.sandbox/sshd.pid); rm -f /home/coder/.sandbox/sshd.pid");
            const { env: _env, secretEnv: _secretEnv, ...bare } = plan;
            system.write(`${sshdConfigDir}/sandbox.env`, buildSandboxConfigMap(bare, ["alice"]).data!["sandbox.env"]);
            system.write(`${sshdConfigDir}/sshd_config`, buildSandboxConfigMap(bare, ["alice"]).data!.sshd_config);
            const again = start(system);
            assert.match(again, /step env: skipped \(no env or secretEnv configured\)/);
            for (const file of ["/home/coder/.sandbox/env", "/home/coder/.ssh/environment", "/home/coder/.sandbox/devcontainer-secrets.json"]) {
                assert.strictEqual(system.exists(file), false, file);
            }
            assert.strictEqual(ssh(system, "printenv ANTHROPIC_API_KEY || echo absent").stdout.trim(), "absent");
        });
    });

    describe("as the image's user, the way envbox runs the script (Secret files 0444 through CODER_MOUNTS)", function () {
        let system: RootfsSystem;
        let out: string;
        const envboxPlan: SandboxPlan = { ...plan, runtime: "envbox" };
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, envboxPlan, true);
            system.sh("chown -R coder: /home/coder /srv/git");
            // envbox copies the CODER_INNER_ENVS variables into the inner container's environment.
            out = start(system, "coder", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 GIT_DIR=/nonexistent");
        });
        after(() => system?.stop());

        it("gives the owner's ssh session the secret, and writes its files 0600 for the workspace user (the Secret files themselves are 0444 here: envbox's user namespace)", () => {
            const session = ssh(system, "printenv ANTHROPIC_API_KEY; id -un", "coder");
            assert.strictEqual(session.status, 0, session.stderr);
            assert.strictEqual(session.stdout, `${secretValue}\ncoder\n`);
            for (const file of ["/home/coder/.sandbox/env", "/home/coder/.ssh/environment", "/home/coder/.sandbox/devcontainer-secrets.json"]) {
                assert.strictEqual(system.sh(`stat -c '%a %U' ${file}`).trim(), "600 coder", file);
            }
        });

        it("puts the secret nowhere else, and shows another user none of it in /proc", () => {
            assertNowhereElse(system, out);
            const view = otherUsersViewOfProc(system, "coder");
            assert.ok(view.asRoot.includes(secretValue));
            assert.ok(!view.asNobody.includes(secretValue));
        });

        it("starts without a variable whose Secret is missing (an optional volume), naming it as an ERROR in the log", () => {
            system.sh("pkill -f '^sh /etc/sandbox/sshd/sandbox-start' || true; kill $(cat /home/coder/.sandbox/sshd.pid); rm -f /home/coder/.sandbox/sshd.pid; sleep 0.3");
            system.sh("rm -rf /etc/sandbox/workspace-secrets/alice-mcp");
            const again = start(system, "coder");
            assert.match(again, /ERROR: env: MCP_CONFIG not readable/);
            assert.match(again, /step env: 4 variable\(s\) written, missing: MCP_CONFIG/);
            assert.strictEqual(ssh(system, "printenv ANTHROPIC_API_KEY", "coder").stdout.trim(), secretValue);
            assert.ok(!system.read("/home/coder/.sandbox/env").includes("MCP_CONFIG"));
        });
    });

    describe("the coding agents' state on the home volume (~/.claude, ~/.claude.json, ~/.gemini)", function () {
        let system: RootfsSystem;
        const agentFiles: Record<string, string> = {
            "/home/coder/.claude/projects/app/session.jsonl": "{\"type\":\"user\"}\n",
            "/home/coder/.claude.json": "{\"numStartups\": 3}\n",
            "/home/coder/.gemini/settings.json": "{\"general\": {\"disableAutoUpdate\": true}}\n",
        };
        const stop = () => system.sh("pkill -f '^sh /etc/sandbox/sshd/sandbox-start' || true; kill $(cat /home/coder/.sandbox/sshd.pid) 2>/dev/null; rm -f /home/coder/.sandbox/sshd.pid; sleep 0.3");
        before(async function () {
            skipWithoutRootfs(this);
            system = await RootfsSystem.start();
            prepare(system, plan, false);
            start(system);
            for (const [file, content] of Object.entries(agentFiles)) {
                system.sh(`runuser -u coder -- sh -c 'mkdir -p "$(dirname ${file})" && cat > ${file}'`, { input: content });
            }
        });
        after(() => system?.stop());

        it("keeps them across a restart of a dedicated sandbox, next to the rewritten variables", () => {
            stop();
            start(system);
            for (const [file, content] of Object.entries(agentFiles)) {
                assert.strictEqual(system.read(file), content, file);
            }
            assert.strictEqual(ssh(system, "printenv ANTHROPIC_API_KEY").stdout.trim(), secretValue);
        });

        it("starts an ephemeral sandbox's next session without them, and with the variables written again", () => {
            stop();
            const settings = renderStartSettings({ ...startSettingsFor({ ...plan, ephemeral: true, idleSeconds: 60 }), repoDir: "/home/coder/app" });
            system.write(`${sshdConfigDir}/${startSettingsFile}`, settings);
            // A session was seen before the restart: the start empties the home first.
            system.sh("touch /home/coder/.sandbox/session-seen");
            const out = start(system);
            assert.match(out, /step recycle: previous session's files removed/);
            for (const file of Object.keys(agentFiles)) {
                assert.strictEqual(system.exists(file), false, file);
            }
            assert.strictEqual(system.sh("stat -c '%a %U' /home/coder/.ssh/environment").trim(), "600 coder");
            assert.strictEqual(ssh(system, "printenv ANTHROPIC_API_KEY").stdout.trim(), secretValue);
        });
    });
});
