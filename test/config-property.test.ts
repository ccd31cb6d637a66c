import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough, Readable } from "stream";
import { keyPath, validatePlatformConfig } from "../components/config/load";
import { main } from "../tools/render-cli";
import { manifestName } from "../tools/render-output";
import { Mistake, independent, mistakes, mutatedConfig, stackFileText, validConfig } from "./helpers/config-arbitraries";

async function renderText(text: string): Promise<{ code: number; stdout: string; stderr: string; out: string }> {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "config-property-")), "out");
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let o = "";
    let e = "";
    stdout.on("data", (chunk) => (o += chunk));
    stderr.on("data", (chunk) => (e += chunk));
    const code = await main(["fuzz", "--config", "-", "--out", out], { stdin: Readable.from([text]), stdout, stderr });
    return { code, stdout: o, stderr: e, out };
}

const keyed = /^sandbox-platform:([A-Za-z_$][\w$-]*|\["(?:[^"\\]|\\.)*"\])(\.[A-Za-z_$][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*$/;

describe("stack config properties (fast-check)", () => {
    it("accepts every generated valid config", () => {
        fc.assert(fc.property(validConfig, (config) => {
            const { config: parsed, issues } = validatePlatformConfig(config);
            assert.deepStrictEqual(issues, []);
            assert.ok(parsed);
        }), { numRuns: 300 });
    });

    it("never throws on a mutated config; every problem names a key path and says what is wrong", () => {
        fc.assert(fc.property(mutatedConfig, (config) => {
            const { config: parsed, issues } = validatePlatformConfig(config);
            assert.strictEqual(parsed === undefined, issues.length > 0);
            for (const issue of issues) {
                assert.match(issue.key, keyed, JSON.stringify(issue));
                assert.ok(issue.detail.trim().length > 5, JSON.stringify(issue));
            }
        }), { numRuns: 1000 });
    });

    it("names both keys in one run for any two independent mistakes in a valid config (every rule runs when another fails)", () => {
        const names = Object.keys(mistakes);
        const keysOf = (config: Record<string, unknown>) => validatePlatformConfig(config).issues.map((entry) => entry.key);
        const full = (key: (string | number)[]) => `sandbox-platform:${keyPath(key)}`;
        let pairs = 0;
        fc.assert(fc.property(validConfig, fc.constantFrom(...names), fc.constantFrom(...names), fc.nat(), fc.nat(), (config, first, second, pickA, pickB) => {
            const alone = JSON.parse(JSON.stringify(config));
            const a = mistakes[first](alone, pickA);
            fc.pre(a !== undefined);
            assert.ok(keysOf(alone).includes(full(a!.key)), `${first} alone is reported under ${full(a!.key)}: ${keysOf(alone).join(", ")}`);
            const both = JSON.parse(JSON.stringify(alone));
            const b: Mistake | undefined = mistakes[second](both, pickB);
            fc.pre(b !== undefined && independent(a!, b));
            const reported = keysOf(both);
            assert.ok(reported.includes(full(a!.key)) && reported.includes(full(b!.key)),
                `${first} (${full(a!.key)}) and ${second} (${full(b!.key)}) must both be named; got ${reported.join(", ")}`);
            pairs++;
        }), { numRuns: 600 });
        assert.ok(pairs >= 300, `only ${pairs} pairs of independent mistakes were tried`);
    });

    it("maps mutated stack files to exit 0, 1 or 2 in the render command, writing nothing on 2", async function () {
        this.timeout(600000);
        await fc.assert(fc.asyncProperty(mutatedConfig, async (config) => {
            const run = await renderText(stackFileText(config));
            assert.ok([0, 1, 2].includes(run.code), `exit ${run.code}: ${run.stderr}`);
            if (run.code === 2) {
                assert.strictEqual(fs.existsSync(run.out), false, "exit 2 writes nothing");
                const problems = run.stderr.split("\n").filter((line) => line.startsWith("  sandbox-platform:"));
                assert.ok(problems.length > 0 || /^invalid configuration: read stack config/m.test(run.stderr), run.stderr);
            }
        }), { numRuns: 8 });
    });

    it("renders generated valid configs with exit 0 and a complete output", async function () {
        this.timeout(600000);
        await fc.assert(fc.asyncProperty(validConfig, async (config) => {
            const run = await renderText(stackFileText(config));
            assert.strictEqual(run.code, 0, run.stderr + run.stdout.slice(-2000));
            const manifest = JSON.parse(fs.readFileSync(path.join(run.out, manifestName), "utf8"));
            assert.ok(manifest.files.includes("plan.json") && manifest.files.includes("platform.md"));
        }), { numRuns: 2 });
    });
});
