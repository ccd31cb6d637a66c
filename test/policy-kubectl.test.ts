// kubectl is the reference parser: every policy fixture and every parser fixture is read
// by kubectl offline (`kubectl annotate --local -f FILE parsed=1 -o json`, no server) and
// the checker must have judged exactly the objects kubectl produced. .ci/run installs
// Debian's kubernetes-client when no kubectl is present; without one the test is skipped
// and says why, it never passes vacuously.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readManifests } from "../policy/manifests";
import { kubectl, kubectlObjects } from "./helpers/kubectl";

const fixtures = path.join(__dirname, "fixtures/policy");
const allFiles = ["pass", "fail", "parse"].flatMap((dir) => fs.readdirSync(path.join(fixtures, dir)).sort().map((file) => path.join(fixtures, dir, file)));
/**
 * Separator lines with trailing content: kubectl 1.22+ (kubernetes/kubernetes#103457) reads a
 * comment there and refuses anything else; older kubectl (Debian bookworm ships 1.20) silently
 * dropped the next document. The checker follows the current rule; older kubectl is not an oracle for it.
 */
const separatorRuleMinor = 22;
const separatorFixtures = new Set([path.join(fixtures, "parse", "separator-comment.yaml")]);
let kubectlMinor = 0;
const files = () => allFiles.filter((file) => kubectlMinor >= separatorRuleMinor || !separatorFixtures.has(file));

/** Our objects as `kubectl annotate --local … parsed=1` prints them. */
function withParsedAnnotation(objects: Record<string, any>[]): Record<string, any>[] {
    return objects.map((object) => ({
        ...object, metadata: { ...object.metadata, annotations: { ...(object.metadata?.annotations ?? {}), parsed: "1" } },
    }));
}

describe("policy:check parses manifests exactly as kubectl does", function () {
    before(function () {
        const version = kubectl(["version", "--client", "-o", "json"]);
        if (version.error || version.status !== 0) {
            process.stderr.write("    skipped: no kubectl on PATH (.ci/run installs Debian's kubernetes-client)\n");
            this.skip();
        }
        kubectlMinor = Number.parseInt(JSON.parse(version.stdout).clientVersion.minor, 10);
        if (kubectlMinor < separatorRuleMinor) {
            process.stderr.write(`    note: kubectl 1.${kubectlMinor} predates the separator rule of 1.${separatorRuleMinor}; separator fixtures are not compared\n`);
        }
    });

    it("reads every fixture into exactly the objects kubectl reads, file by file", () => {
        // One kubectl run for all files (it prints their objects in order): fast enough for npm test.
        const result = kubectl(["annotate", "--local", ...files().flatMap((file) => ["-f", file]), "parsed=1", "-o", "json"]);
        assert.strictEqual(result.status, 0, result.stderr);
        const theirs = kubectlObjects(result.stdout);
        let next = 0;
        for (const file of files()) {
            const ours = withParsedAnnotation(readManifests([file]));
            assert.deepStrictEqual(ours, theirs.slice(next, next + ours.length), `${path.relative(fixtures, file)} differs from kubectl`);
            next += ours.length;
        }
        assert.strictEqual(next, theirs.length);
        assert.ok(files().length > 100 && next > files().length);
    });

    it("reads a file with a UTF-16 (little or big endian) or UTF-8 byte-order mark into the objects kubectl reads", () => {
        const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "kubectl-bom-"));
        try {
            const text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: NAME\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    securityContext: {privileged: yes}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME-cm}\ndata: {k: \"\u00e9\u4e2d\"}\n";
            const utf16be = (value: string) => Buffer.from(value, "utf16le").swap16();
            const files = [
                ["utf16le.yaml", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/NAME/g, "le"), "utf16le")])],
                ["utf16be.yaml", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text.replace(/NAME/g, "be"))])],
                ["utf8bom.yaml", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace(/NAME/g, "u8"), "utf8")])],
            ] as const;
            for (const [name, bytes] of files) {
                const file = path.join(dir, name);
                fs.writeFileSync(file, bytes);
                const result = kubectl(["annotate", "--local", "-f", file, "parsed=1", "-o", "json"]);
                assert.strictEqual(result.status, 0, result.stderr);
                const ours = withParsedAnnotation(readManifests([file]));
                assert.strictEqual(ours.length, 2, name);
                assert.deepStrictEqual(ours, kubectlObjects(result.stdout), `${name} differs from kubectl`);
                assert.strictEqual(ours[0].spec.containers[0].securityContext.privileged, true);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses what kubectl refuses: apiVersion 5, a bad document separator, a list inside a list", () => {
        const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "kubectl-refuses-"));
        try {
            for (const [name, text] of [
                ["api-version-number.yaml", "apiVersion: 5\nkind: ConfigMap\nmetadata: { name: x }\n"],
                ...(kubectlMinor >= separatorRuleMinor ? [["separator.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n--- {a: 1}\n"]] : []),
                ["nested-list.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: DeploymentList\n  items: []\n"],
                ["infinity.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: { a: .inf }\n"],
            ]) {
                const file = path.join(dir, name);
                fs.writeFileSync(file, text);
                assert.notStrictEqual(kubectl(["annotate", "--local", "-f", file, "parsed=1", "-o", "json"]).status, 0, `kubectl accepts ${name}`);
                assert.throws(() => readManifests([file]), Error, `the checker accepts ${name}`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
