// The deploy's real path: the Automation API driving the real Pulumi CLI (LocalWorkspace over a
// project directory, tools/deploy-workspace.ts). Opt-in: runs only when `pulumi` is on PATH;
// otherwise it is reported as pending with the reason, never as passed. It needs no cluster and
// no Pulumi Cloud: a Pulumi YAML program (the CLI ships its YAML language host) with no resources,
// a local file backend in a temporary directory and a test passphrase.
// What runs without the CLI: the real factory's own report that the CLI is missing.

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deployExitCodes, deployMain } from "../tools/deploy-cli";
import { localStackFactory } from "../tools/deploy-workspace";
import { repoRoot } from "../tools/repo-root";
import { fileTree } from "./helpers/file-tree";
import { Capture } from "./helpers/capture-stream";

const pulumiOnPath = spawnSync("pulumi", ["version"], { encoding: "utf8" }).status === 0;

describe("deploy: the real Automation API path (needs the pulumi CLI)", function () {
    this.timeout(600_000);
    let root: string, backend: string;
    const saved: Record<string, string | undefined> = {};
    before(function () {
        if (!pulumiOnPath) {
            console.log("      (skipped: the Pulumi CLI is not on PATH; install it to run a real deploy of a local YAML project against a file backend)");
            this.skip();
        }
        backend = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-backend-"));
        // A project named like ours, so stack files use the sandbox-platform: namespace; no resources,
        // only outputs, so no provider plugin is needed. The platform exports teamCredentials as a secret.
        root = fileTree({
            "Pulumi.yaml": [
                "name: sandbox-platform", "runtime: yaml", "stackConfigDir: stacks",
                "outputs:", "  stackName: ${pulumi.stack}",
                "  teamCredentials:", "    fn::secret:", "      alpha:", "        kubeconfig: \"apiVersion: v1\\nkind: Config\\n\"",
                "      broken:", "        kubeconfig: \"apiVersion: v1\\nkind: Config\\n\"", "",
            ].join("\n"),
            "stacks/Pulumi.it.yaml": "config:\n  sandbox-platform:stack: platform\n",
            "stacks/Pulumi.it-alpha.yaml": "config:\n  sandbox-platform:environment: it\n  sandbox-platform:stack: team\n  sandbox-platform:teams: [{ name: alpha }]\n",
            // A secure value the stack's passphrase cannot decrypt: the CLI fails this stack's update.
            "stacks/Pulumi.it-broken.yaml": "config:\n  sandbox-platform:environment: it\n  sandbox-platform:stack: team\n  sandbox-platform:teams: [{ name: broken }]\n" +
                "  sandbox-platform:token:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n",
        }, "deploy-real-");
        for (const [name, value] of Object.entries({ PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "deploy-real-test", PULUMI_SKIP_UPDATE_CHECK: "true" })) {
            saved[name] = process.env[name];
            process.env[name] = value;
        }
    });
    after(() => {
        for (const [name, value] of Object.entries(saved)) {
            value === undefined ? delete process.env[name] : (process.env[name] = value);
        }
        for (const dir of [root, backend]) {
            if (dir) {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
    });

    it("creates and updates the platform stack, then the team stacks, isolating the one that fails", async () => {
        const stdout = new Capture(), stderr = new Capture();
        const code = await deployMain(["it", "--json"], { stdout, stderr }, { root, factory: localStackFactory(root) });
        const report = JSON.parse(stdout.text);
        assert.strictEqual(code, deployExitCodes.stackFailed, stderr.text);
        assert.deepStrictEqual(report.stacks.map((s: { stack: string; result: string }) => [s.stack, s.result]), [["it", "succeeded"], ["it-alpha", "succeeded"], ["it-broken", "failed"]]);
        assert.match(stderr.text, /^\[it\] /m, "the CLI's own output arrives as prefixed progress");
        // A preview afterwards selects the existing stacks and changes nothing in them.
        const again = new Capture();
        assert.strictEqual(await deployMain(["it", "--preview", "--stack", "it", "--stack", "it-alpha"], { stdout: again, stderr: new Capture() }, { root, factory: localStackFactory(root) }), deployExitCodes.ok, again.text);
    });
});

describe("deploy: the command as users run it (tools/deploy.ts through the launcher)", function () {
    this.timeout(120_000);
    const deploy = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, "tools/run.js"), "tools/deploy", ...args], { cwd: repoRoot, encoding: "utf8" });

    it("exits 2 for an environment with no stack file, naming the file, and leaves stdout empty", () => {
        const child = deploy("no-such-env");
        assert.strictEqual(child.status, deployExitCodes.invalid, child.stderr);
        assert.match(child.stderr, /^deploy: stacks\/Pulumi\.no-such-env\.yaml: no such stack file; .*\nnothing was deployed\n$/m);
        assert.strictEqual(child.stdout, "");
    });

    it("exits 1 with the summary when the Pulumi CLI is missing", function () {
        if (pulumiOnPath) {
            this.skip(); // it would deploy the dev environment for real
        }
        const child = deploy("dev", "--preview", "--json");
        assert.strictEqual(child.status, deployExitCodes.stackFailed, child.stderr);
        const report = JSON.parse(child.stdout);
        assert.strictEqual(report.stacks[0].stack, "dev");
        assert.match(report.stacks[0].reason, /^the Pulumi CLI \(`pulumi`\) is not on PATH/);
        assert.ok(report.stacks.slice(1).every((stack: { result: string }) => stack.result === "skipped"), "team stacks, if any, are skipped");
    });
});

describe("deploy: the real stack factory without the CLI", function () {
    before(function () {
        if (pulumiOnPath) {
            this.skip();
        }
    });

    it("says that the Pulumi CLI is missing and how to get it, for the stack it was to run", async () => {
        const root = fileTree({ "Pulumi.yaml": "name: sandbox-platform\nruntime: nodejs\n" }, "deploy-nocli-");
        try {
            await assert.rejects(localStackFactory(root)({ name: "dev", create: false, envVars: {} }),
                /^Error: the Pulumi CLI \(`pulumi`\) is not on PATH: install it \(https:\/\/www\.pulumi\.com\/docs\/iac\/download-install\/\) and log in to the backend \(`pulumi login`\)$/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
