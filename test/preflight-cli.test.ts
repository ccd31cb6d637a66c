import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import { fileTree } from "./helpers/file-tree";
import { preflightMain } from "../tools/preflight-cli";
import { repoRoot } from "../tools/render-stack";

const node = (files: Record<string, string>) => fileTree(files, "preflight-cli-");

/** A node with a 6.1 kernel, modules and headers (envbox, sysbox ready) but no /dev/kvm (kata not ready). */
const noKvm = node({
    "proc/sys/kernel/osrelease": "6.1.0-18-amd64\n", "proc/sys/user/max_user_namespaces": "63000\n",
    "lib/modules/6.1.0-18-amd64/": "", "usr/src/": "",
});

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const code = preflightMain(argv, stdout, stderr);
    return { code, stdout: String(stdout.read() ?? ""), stderr: String(stderr.read() ?? "") };
}

describe("preflight exit codes: 0 ready, 1 a required runtime not ready, 2 error", () => {
    it("exits 0 when every runtime named by --require is ready", () => {
        assert.strictEqual(run(["--root", noKvm, "--require", "envbox,sysbox"]).code, 0);
    });

    it("exits 1 and names the runtime when a required one is not ready", () => {
        const result = run(["--root", noKvm, "--require", "sysbox,kata"]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /not ready: kata$/m);
        assert.match(result.stdout, /kata +no/);
    });

    it("exits 0 with only a report when nothing is required", () => {
        const result = run(["--root", noKvm, "--json"]);
        assert.strictEqual(result.code, 0);
        assert.strictEqual(JSON.parse(result.stdout).find((entry: any) => entry.runtime === "kata").ready, false);
    });

    for (const [title, argv] of [
        ["an unknown runtime", ["--require", "docker"]], ["an unknown flag", ["--bogus"]], ["a missing value", ["--require"]],
        ["a --root that is not a directory", ["--root", "/nonexistent/preflight-root"]],
    ] as const) {
        it(`exits 2 on ${title}`, () => {
            const result = run(["--root", noKvm, ...argv]);
            assert.strictEqual(result.code, 2, result.stderr);
            assert.match(result.stderr, /^preflight: /);
        });
    }

    it("sets the process exit code in the real command (exit 1 for a runtime not ready)", () => {
        const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "tools/preflight.ts"), "--root", noKvm, "--require", "kata"], { cwd: repoRoot, encoding: "utf8" });
        assert.strictEqual(child.status, 1, child.stderr);
        assert.match(child.stdout, /^runtime +ready/);
    });

    describe("--label-node: the gvisor RuntimeClass's node label follows the node's readiness", () => {
        const gvisorReady = node({
            "proc/sys/kernel/osrelease": "6.1.0-18-amd64\n", "usr/local/bin/runsc": "", "usr/local/bin/containerd-shim-runsc-v1": "",
            "var/lib/rancher/k3s/agent/etc/containerd/config.toml": "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runsc]\n  runtime_type = \"io.containerd.runsc.v1\"\n",
        });
        function withKubectl(argv: string[], status = 0): { result: ReturnType<typeof run>; calls: string[] } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-kubectl-"));
            const log = path.join(dir, "calls");
            const script = path.join(dir, "kubectl");
            fs.writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexit ${status}\n`, { mode: 0o755 });
            const previous = process.env.KUBECTL;
            process.env.KUBECTL = script;
            try {
                const result = run(argv);
                return { result, calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [] };
            } finally {
                if (previous === undefined) delete process.env.KUBECTL; else process.env.KUBECTL = previous;
            }
        }
        it("removes the label from a node without runsc and its containerd entry", () => {
            const { result, calls } = withKubectl(["--root", noKvm, "--label-node", "node-1"]);
            assert.strictEqual(result.code, 0, result.stderr);
            assert.deepStrictEqual(calls, ["label node node-1 sandbox-platform.io/gvisor- --overwrite"]);
        });
        it("exits 2 and names the node when kubectl fails", () => {
            const { result } = withKubectl(["--root", noKvm, "--label-node", "node-1"], 1);
            assert.strictEqual(result.code, 2);
            assert.match(result.stderr, /label node node-1/);
        });
        it("labels a node only when the gvisor preflight passes (the same check --require gvisor uses)", () => {
            const ready = run(["--root", gvisorReady, "--require", "gvisor"]).code === 0;
            const { calls } = withKubectl(["--root", gvisorReady, "--label-node", "node-2"]);
            assert.deepStrictEqual(calls, [ready ? "label node node-2 sandbox-platform.io/gvisor=installed --overwrite" : "label node node-2 sandbox-platform.io/gvisor- --overwrite"]);
        });
    });
});
