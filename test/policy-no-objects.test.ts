// Inputs with no objects: policy:check answers them as kubectl does (exit 2 and kubectl's
// sentence), not with "0 objects checked" and exit 0, which reads as a pass. Held to the
// real kubectl (test/helpers/kubectl.ts); skipped without one.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../tools/repo-root";
import { kubectl, kubectlObjects } from "./helpers/kubectl";

function checkCli(args: string[]) {
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "policy/check.ts"), ...args], { cwd: repoRoot, encoding: "utf8" });
}

describe("policy:check: inputs with no objects, as kubectl reports them", function () {
    this.timeout(120000);
    let dir: string;
    before(function () {
        if (kubectl(["version", "--client", "-o", "json"]).status !== 0) {
            this.skip(); // no kubectl on PATH (.ci/run installs Debian's kubernetes-client)
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-no-objects-"));
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    const inputs: Record<string, string> = {
        "an empty kind: List": "apiVersion: v1\nkind: List\nitems: []\n",
        "an empty file": "",
        "only a comment": "# nothing here\n",
        "only document separators": "---\n---\n",
    };
    for (const [what, text] of Object.entries(inputs)) {
        it(`refuses ${what} as kubectl apply does ("no objects passed to apply", kubectl pkg/cmd/apply/apply.go)`, () => {
            const file = path.join(dir, `${what.replace(/\W+/g, "-")}.yaml`);
            fs.writeFileSync(file, text);
            // kubectl reads no object from it (offline, --local)...
            const read = kubectl(["annotate", "--local", "-f", file, "x=1", "-o", "json"]);
            assert.strictEqual(read.status, 0, read.stderr);
            assert.deepStrictEqual(kubectlObjects(read.stdout), []);
            // ...and apply refuses that (a kind: List needs the server's discovery first, so only the others ask apply).
            if (!text.includes("kind: List")) {
                const real = kubectl(["apply", "--dry-run=client", "-f", file]);
                assert.strictEqual(real.status, 1, real.stderr);
                assert.match(real.stderr, /^error: no objects passed to apply$/m);
            }
            const ours = checkCli([file]);
            assert.strictEqual(ours.status, 2, ours.stdout + ours.stderr);
            assert.match(ours.stderr, /^error: no objects passed to check$/m);
        });
    }

    it("refuses a directory with no manifest file with kubectl's own sentence (cli-runtime builder.go Path)", () => {
        const empty = path.join(dir, "no-manifests");
        fs.mkdirSync(empty);
        fs.writeFileSync(path.join(empty, "notes.txt"), "kind: Pod\n");
        const real = kubectl(["annotate", "--local", "-f", empty, "x=1", "-o", "json"]);
        assert.strictEqual(real.status, 1, real.stderr);
        const sentence = `error reading [${empty}]: recognized file extensions are [.json .yaml .yml]`;
        assert.ok(real.stderr.includes(sentence), real.stderr);
        const ours = checkCli([empty]);
        assert.strictEqual(ours.status, 2, ours.stdout + ours.stderr);
        assert.ok(ours.stderr.includes(`error: ${sentence}`), ours.stderr);
    });

    it("still checks a List with items, and a file of objects next to an empty one", () => {
        const list = path.join(dir, "list.yaml");
        fs.writeFileSync(list, "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: { name: a, namespace: default }\n");
        const empty = path.join(dir, "blank.yaml");
        fs.writeFileSync(empty, "# nothing\n");
        const ours = checkCli([list, empty]);
        assert.strictEqual(ours.status, 0, ours.stdout + ours.stderr);
        assert.match(ours.stdout, /^1 objects checked/m);
    });
});
