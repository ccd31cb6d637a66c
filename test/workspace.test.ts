// The start-up script's settings, the sandbox ConfigMap that carries them, and the
// platform's sandbox image source.

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildBootstrapScript, readStartScript, renderStartSettings, shellQuote, startScriptPath } from "../components/sandboxes/bootstrap";
import { SandboxPlan } from "../components/sandboxes/plan";
import { buildSandboxConfigMap, repoDirName, startSettingsFor, workspacePath } from "../components/sandboxes/workspace";
import { buildStartScriptConfigMap } from "../components/sandboxes/start-script";
import { sandboxImageTag } from "../components/versions";

const plan: SandboxPlan = {
    name: "alpha-alice", namespace: "sbx-alpha", team: "alpha", runtime: "envbox", developer: "alice",
    image: "example/ws:1", gpu: 0, suspended: false, resources: { cpu: "1", memory: "1Gi", disk: "1Gi", dockerCache: "1Gi" },
};

/** What POSIX sh sees after sourcing the rendered settings (dash, the shell Debian's /bin/sh is). */
function sourced(text: string, names: string[]): Record<string, string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "settings-"));
    try {
        fs.writeFileSync(path.join(dir, "sandbox.env"), text);
        const script = `. ${dir}/sandbox.env; ${names.map((name) => `printf '%s\\0' "\${${name}-<unset>}"`).join("; ")}`;
        const out = spawnSync("sh", ["-c", script], { encoding: "utf8" });
        assert.strictEqual(out.status, 0, out.stderr);
        const values = out.stdout.split("\0");
        return Object.fromEntries(names.map((name, i) => [name, values[i]]));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("sandbox workspace and start-up settings", () => {
    it("names the workspace folder after the repository, for https, ssh and scp-like URLs", () => {
        assert.strictEqual(repoDirName("https://github.com/acme/shop.git"), "shop");
        assert.strictEqual(repoDirName("ssh://git@git.example.com:2222/acme/api"), "api");
        assert.strictEqual(repoDirName("git@github.com:acme/web.git"), "web");
        assert.strictEqual(repoDirName("file:///srv/git/app.git/"), "app");
        assert.strictEqual(repoDirName("https://example.com/"), "example.com");
    });

    it("opens the repository folder, the home directory without a repository, and /workspaces under envbuilder", () => {
        assert.strictEqual(workspacePath(plan), "/home/coder");
        assert.strictEqual(workspacePath({ ...plan, repo: { url: "https://github.com/acme/shop.git" } }), "/home/coder/shop");
        assert.strictEqual(workspacePath({ ...plan, workspace: "envbuilder", repo: { url: "https://github.com/acme/shop.git" } }), "/workspaces/shop");
    });

    it("renders settings that POSIX sh reads back exactly, quotes and all", () => {
        const tricky = "https://example.com/a'b $(touch /tmp/pwned) `x`.git";
        const text = renderStartSettings({ ...startSettingsFor({ ...plan, repo: { url: tricky, ref: "feature/x", secret: "deploy" } }) });
        const values = sourced(text, ["SANDBOX_REPO_URL", "SANDBOX_REPO_REF", "SANDBOX_REPO_CREDENTIALS_DIR", "SANDBOX_DEVCONTAINER", "SANDBOX_SSHD_PORT", "SANDBOX_EPHEMERAL"]);
        assert.deepStrictEqual(values, {
            SANDBOX_REPO_URL: tricky, SANDBOX_REPO_REF: "feature/x", SANDBOX_REPO_CREDENTIALS_DIR: "/etc/sandbox/repo-credentials",
            SANDBOX_DEVCONTAINER: "off", SANDBOX_SSHD_PORT: "2222", SANDBOX_EPHEMERAL: "false",
        });
        assert.strictEqual(shellQuote("it's"), "'it'\\''s'");
    });

    it("works with no repository at all (the documented default): nothing to clone", () => {
        const values = sourced(renderStartSettings(startSettingsFor(plan)), ["SANDBOX_REPO_URL", "SANDBOX_REPO_DIR", "SANDBOX_WORKSPACE"]);
        assert.deepStrictEqual(values, { SANDBOX_REPO_URL: "<unset>", SANDBOX_REPO_DIR: "/home/coder", SANDBOX_WORKSPACE: "image" });
    });

    it("turns the devcontainer CLI on only in devcontainer mode, and leaves the clone to envbuilder in envbuilder mode", () => {
        const repo = { url: "https://github.com/acme/shop.git", ref: "main" };
        const devcontainer = sourced(renderStartSettings(startSettingsFor({ ...plan, workspace: "devcontainer", repo })), ["SANDBOX_DEVCONTAINER", "SANDBOX_REPO_URL"]);
        assert.deepStrictEqual(devcontainer, { SANDBOX_DEVCONTAINER: "auto", SANDBOX_REPO_URL: repo.url });
        const envbuilder = sourced(renderStartSettings(startSettingsFor({ ...plan, workspace: "envbuilder", repo })), ["SANDBOX_DEVCONTAINER", "SANDBOX_REPO_URL", "SANDBOX_REPO_DIR"]);
        assert.deepStrictEqual(envbuilder, { SANDBOX_DEVCONTAINER: "off", SANDBOX_REPO_URL: "<unset>", SANDBOX_REPO_DIR: "/workspaces/shop" });
    });

    it("ships the script's settings in the sandbox ConfigMap next to sshd_config (the script itself once per namespace, issue 25), and the runtimes run it", () => {
        const configMap = buildSandboxConfigMap(plan, ["alice"]);
        assert.deepStrictEqual(Object.keys(configMap.data!).sort(), ["principals", "sandbox.env", "sshd_config"]);
        assert.strictEqual(buildStartScriptConfigMap(plan.namespace).data!["sandbox-start.sh"], readStartScript());
        assert.strictEqual(configMap.data!.principals, "alice\n");
        assert.match(buildBootstrapScript(), new RegExp(`exec /bin/sh ${startScriptPath}`));
    });

    it("pins the sandbox image at the version its source declares (images/sandbox/VERSION)", () => {
        const version = fs.readFileSync(path.join(__dirname, "..", "images", "sandbox", "VERSION"), "utf8").trim();
        assert.strictEqual(sandboxImageTag, version);
        const dockerfile = fs.readFileSync(path.join(__dirname, "..", "images", "sandbox", "Dockerfile"), "utf8");
        for (const from of dockerfile.match(/^ARG [A-Z_]+_IMAGE=.*$/gm) ?? []) {
            assert.doesNotMatch(from, /:latest$|=[^:]+$/, `unpinned base image: ${from}`);
        }
        assert.match(dockerfile, /openssh-server/);
        assert.match(dockerfile, /COPY --chmod=0755 sandbox-start\.sh/);
    });
});
