// The manifest reader has two YAML parsers (policy/yaml11.ts): js-yaml for plain
// documents and `yaml`, the reference that the kubectl differential test
// (policy-kubectl.test.ts) holds to kubectl, for everything else. These tests hold the
// fast path to the reference: wherever it answers, it gives the reference's value, it
// never accepts a document the reference refuses, and it leaves every construct it does
// not model (anchors, tags, merge keys, complex keys, directives) to the reference.
import * as assert from "assert";
import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { containsUnknown, evaluateResourcePolicies } from "../policy/evaluate";
import { fileDocuments, parseDocument } from "../policy/manifests";
import { kubernetesYamlOptions, needsReferenceParser, parseKubernetesYamlFast } from "../policy/yaml11";
import { renderFiles } from "../tools/render-cli";
import { kubectl, kubectlObjects } from "./helpers/kubectl";
import { renderedEnvironment } from "./helpers/stacks";

type Reference = { value: unknown } | { error: string };

function reference(text: string): Reference {
    const document = YAML.parseDocument(text, kubernetesYamlOptions);
    if (document.errors.length > 0) {
        return { error: document.errors[0].message };
    }
    try {
        return { value: document.toJS({ maxAliasCount: 100 }) };
    } catch (error) {
        return { error: (error as Error).message };
    }
}

/**
 * Fast path against the reference for one document; returns whether the fast path answered.
 * Where the reference refuses and the fast path reads, the document is collected in
 * `kubectlJudges` when given (kubectl then decides, see below), and is a failure otherwise.
 */
function agree(text: string, kubectlJudges?: { text: string; value: unknown }[]): boolean {
    const fast = parseKubernetesYamlFast(text);
    const ref = reference(text);
    if ("error" in ref) {
        if (fast !== needsReferenceParser && kubectlJudges) {
            kubectlJudges.push({ text, value: fast });
            return true;
        }
        assert.strictEqual(fast, needsReferenceParser, `the reference refuses ${JSON.stringify(text)} (${ref.error}) but the fast path read ${JSON.stringify(fast)}`);
        return false;
    }
    if (fast === needsReferenceParser) {
        return false;
    }
    // Object.is on every leaf: NaN, -0 and key order all count.
    assert.deepStrictEqual(fast, ref.value, `fast and reference differ on ${JSON.stringify(text)}`);
    assert.deepStrictEqual(Object.keys(fast as object ?? {}), Object.keys(ref.value as object ?? {}), `key order differs on ${JSON.stringify(text)}`);
    return true;
}

function documentsOf(file: string): string[] {
    return [...fileDocuments(file)].map((document) => document.text);
}

/** What kubectl reads from each mapping document (kubectl annotate --local, no server), or its error. */
function kubectlValues(texts: string[]): unknown[] {
    const version = kubectl(["version", "--client", "-o", "json"]);
    assert.ok(!version.error && version.status === 0, "kubectl is needed to judge documents only the fast path reads (.ci/run installs it)");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "yaml-fast-"));
    try {
        texts.forEach((text, i) => fs.writeFileSync(path.join(dir, `d${String(i).padStart(5, "0")}.yaml`),
            `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d${i}}\n${text}`));
        const run = kubectl(["annotate", "--local", "-f", dir, "judged=1", "-o", "json"]);
        const byName = new Map<string, unknown>();
        for (const { apiVersion: _a, kind: _k, metadata, ...rest } of kubectlObjects(run.stdout)) {
            byName.set(metadata.name, rest);
        }
        return texts.map((text, i) => byName.get(`d${i}`) ?? `kubectl refused ${JSON.stringify(text)}: ${run.stderr.split("\n").find((line) => line.includes(`d${String(i).padStart(5, "0")}`)) ?? run.stderr}`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const fixtureDir = path.join(__dirname, "fixtures");
function fixtureFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? fixtureFiles(full) : /\.(ya?ml|json)$/i.test(entry.name) ? [full] : [];
    });
}

describe("policy:check's fast YAML path agrees with the reference parser", function () {
    this.timeout(300000);

    it("on every document of every fixture (each is fast or left to the reference, never different)", () => {
        const files = fixtureFiles(fixtureDir);
        assert.ok(files.length >= 100, `expected the policy and conformance fixtures, found ${files.length}`);
        let documents = 0;
        let fast = 0;
        for (const file of files) {
            let texts: string[];
            try {
                texts = documentsOf(file);
            } catch {
                continue; // fixtures of unreadable files (bad separators, oversized) test the reader, not the parser
            }
            for (const text of texts) {
                documents++;
                fast += agree(text) ? 1 : 0;
            }
        }
        assert.ok(documents >= 100 && fast > documents / 2, `${fast} of ${documents} fixture documents took the fast path`);
    });

    for (const stack of ["dev", "prod", "repos"]) {
        it(`on every rendered manifest of the ${stack} environment, nearly all through the fast path`, async () => {
            // The environment's platform stack and team stacks together, as a cluster's manifests.
            const files = renderFiles(await renderedEnvironment(stack));
            let documents = 0;
            let fast = 0;
            for (const [name, text] of files) {
                if (!/\.ya?ml$/.test(name)) {
                    continue;
                }
                for (const document of text.split(/^---[ \t]*$/m)) {
                    if (document.trim() === "") {
                        continue;
                    }
                    documents++;
                    fast += agree(document) ? 1 : 0;
                }
            }
            assert.ok(documents > 20, `${documents} documents`);
            assert.ok(fast >= documents * 0.95, `only ${fast} of ${documents} rendered documents took the fast path`);
        });
    }

    it("on every plain-scalar spelling go-yaml's resolve table distinguishes, as a value and as a key", () => {
        const spellings = [
            "", "~", "null", "Null", "NULL", "nULL", "y", "Y", "yes", "Yes", "YES", "yEs", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "tRUE",
            "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "0", "-0", "+0", "00", "007", "08", "0o17", "0O17", "0o8", "0x1F", "0X1f",
            "0xg", "0b101", "0B2", "1_000", "_1", "1__0", "+12", "-12", "1.5", "-1.5", ".5", "5.", "1e3", "1E-3", "1.5e+10", "1_0.5_0", "1e", ".inf",
            "-.Inf", "+.INF", ".nan", ".NaN", "nan", "inf", "1:20", "1:20:30.5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "9223372036854775807",
            "9223372036854775808", "0x7fffffffffffffff", "1e400", "12abc", "=", "<<x", "- x", "a b", "'q'", "\"d\"", "#x", "a #c",
        ];
        for (const spelling of spellings) {
            agree(`v: ${spelling}`);
            agree(`v:\n- ${spelling}`);
            if (spelling !== "" && !spelling.startsWith("- ") && !spelling.startsWith("#")) {
                agree(`${spelling}: v`);
                agree(`{${spelling}: v}`);
            }
        }
    });

    it("leaves anchors, aliases, tags, merge keys, complex keys and directives to the reference, which gives the value", () => {
        const referenceOnly = [
            "a: &x 1\nb: *x", "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2", "<<: {a: 1}\nb: 2", "a: !!int \"5\"", "a: !!str 5", "a: !!binary aGk=",
            "a: ! 5", "a: !local x", "a: !<tag:yaml.org,2002:str> 5", "[a]: b", "x: {[a]: b}", "? a\n: b", "- [a, b]: c", "%YAML 1.1\n---\na: 1",
            "a: !!timestamp 2001-12-14", "s: !!set {a, b}", "o: !!omap [{a: 1}]", "a: &a [*a]",
        ];
        for (const text of referenceOnly) {
            assert.strictEqual(parseKubernetesYamlFast(text), needsReferenceParser, `${JSON.stringify(text)} took the fast path`);
            const ref = reference(text);
            if ("value" in ref && ref.value !== null && typeof ref.value === "object" && !Array.isArray(ref.value)) {
                const wrapped = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n${text.startsWith("%") ? "" : `data:\n${text.split("\n").map((line) => `  ${line}`).join("\n")}`}`;
                const refWrapped = reference(wrapped);
                if ("value" in refWrapped) {
                    assert.deepStrictEqual(parseDocument(wrapped, "t.yaml").map((item) => (item as { object?: unknown }).object), [refWrapped.value]);
                }
            }
        }
    });

    it("on generated documents: any JSON value in block, flow and quoted styles", () => {
        const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("y", "no", "on", "0x10", "1_0", "~", "true", ".inf", "a:b", "a #b", "- a", "'", "\""));
        const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null),
            fc.constantFrom("yes", "Off", "0o17", "017", "1e3", "1_000", ".5", "-.inf", "null", "~", "a: b", "- x", "#", "|", ">", "%x", "*x", "&x", "!x", "<<"));
        const { tree } = fc.letrec((tie) => ({
            tree: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("tree"), { maxLength: 4 }), fc.dictionary(key, tie("tree"), { maxKeys: 4 })),
        }));
        fc.assert(fc.property(tree, fc.constantFrom<YAML.ToStringOptions>({}, { collectionStyle: "flow" }, { defaultStringType: "QUOTE_DOUBLE" },
            { defaultStringType: "QUOTE_SINGLE" }, { defaultStringType: "BLOCK_LITERAL" }, { defaultStringType: "BLOCK_FOLDED" }, { indentSeq: false }),
        (value, options) => {
            // A mapping at the root, as every Kubernetes object (other roots go to the reference).
            agree(YAML.stringify({ root: value }, { version: "1.1", ...options }));
            if (value !== null && typeof value === "object" && !Array.isArray(value)) {
                agree(YAML.stringify(value, { version: "1.1", ...options }));
            }
        }), { numRuns: 1500, seed: 20261130 });
    });

    // The reference is stricter than kubectl in one respect: it refuses continuation lines of
    // a flow collection or a quoted scalar that are not indented past their parent
    // (`a: [\n"x"\n]`), which kubectl's go-yaml reads (checked with kubectl 1.32.4). The
    // fast path reads them too; every such generated document is given to kubectl, which
    // must read the same value. Documents that are not mappings cannot be objects for
    // kubectl and are refused by policy:check either way ("not a Kubernetes object").
    it("on generated text: what the reference refuses, the fast path reads only where kubectl reads the same value", function () {
        const alphabet = fc.constantFrom("a", "b", "1", " ", "  ", "\n", "\t", ":", ": ", "- ", "-", "#", "'", "\"", "[", "]", "{", "}", ",", "|", ">", "?",
            "!", "&", "*", "%", "@", "`", "\\", "\r\n", "---", "...", "<<", "yes", "0x", ".", "~");
        const judged: { text: string; value: unknown }[] = [];
        fc.assert(fc.property(fc.array(alphabet, { maxLength: 30 }), (parts) => {
            agree(parts.join(""), judged);
        }), { numRuns: 5000, seed: 11 });
        const objects = judged.filter(({ value }) => value !== null && typeof value === "object" && !Array.isArray(value)
            && !["apiVersion", "kind", "metadata"].some((key) => key in (value as object)));
        if (objects.length === 0) {
            return;
        }
        assert.deepStrictEqual(kubectlValues(objects.map(({ text }) => text)), objects.map(({ value }) => value));
    });
});

describe("policy evaluation keeps CrossGuard's unknown-value proxy where a value is unknown", () => {
    it("reports a rule that reads an unknown value as the CrossGuard server's proxy does, and reads plain props directly", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: string };
        const pod = (image: string) => ({
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "default" },
            spec: { template: { spec: { containers: [{ name: "c", image, securityContext: { privileged: true } }] } } },
        });
        assert.strictEqual(containsUnknown(pod(unknownStringValue)), true);
        assert.strictEqual(containsUnknown(pod("nginx:1.27")), false);
        await assert.rejects(evaluateResourcePolicies([{ type: "kubernetes:apps/v1:Deployment", urn: "u", name: "x", props: pod(unknownStringValue), opts: { protect: false } }]),
            /spec\.template\.spec\.containers\.0\.image can't be known during preview/);
        const violations = await evaluateResourcePolicies([{ type: "kubernetes:apps/v1:Deployment", urn: "u", name: "x", props: pod("nginx:1.27"), opts: { protect: false } }]);
        assert.ok(violations.some((violation) => violation.policy === "no-privileged-containers" && violation.urn === "u"), JSON.stringify(violations));
    });
});
