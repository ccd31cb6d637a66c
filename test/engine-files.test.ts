// Pulumi.yaml, PulumiPolicy.yaml and every stacks/*.yaml checked the way the Pulumi CLI
// loads them (issue #17), and the compiled build users run (issue #12: never stale).
// The checks are derived from pulumi/pulumi (read at v3.259.0+14, commit 1b59498), not copies:
// - sdk/go/common/workspace/project.json (the project JSON schema ValidateProject applies)
//   and project.go ValidateProject; tokens/project.go ValidateProjectName.
// - sdk/go/common/workspace/project.go ProjectStack (secretsprovider, encryptedkey,
//   encryptionsalt, config, environment); loaders.go LoadProjectStackBytes (keys without
//   a namespace get the project's); resource/config/key.go ParseKey.
// - sdk/go/common/resource/config/crypt.go symmetricCrypter.DecryptValue: ciphertext is
//   "v1:<base64 nonce>:<base64 sealed>" with a 12-byte AES-GCM nonce, else "bad value".
// - sdk/nodejs/cmd/pulumi-language-nodejs/main.go parseOptions: the runtime options and their types.

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { repoRoot } from "../tools/repo-root";

const nullableString = (value: unknown) => value === undefined || value === null || typeof value === "string";

/** Problems with a Pulumi.yaml / PulumiPolicy.yaml document, per project.json and ValidateProject. */
export function projectProblems(project: any, root: string): string[] {
    const problems: string[] = [];
    if (!project || typeof project !== "object" || Array.isArray(project)) {
        return ["the project file is not a map"];
    }
    if (typeof project.name !== "string" || project.name === "") {
        problems.push("project is missing a non-empty string 'name' attribute");
    } else if (project.name.length > 100 || !/^[A-Za-z0-9_.-]+$/.test(project.name)) {
        problems.push(`name ${project.name}: project names may only contain alphanumerics, hyphens, underscores, and periods (at most 100)`);
    }
    for (const key of ["description", "author", "website", "license", "main", "stackConfigDir"]) {
        if (!nullableString(project[key])) {
            problems.push(`${key} must be a string`);
        }
    }
    const runtime = project.runtime;
    if (typeof runtime === "string") {
        if (runtime === "") {
            problems.push("runtime must be a non-empty string");
        }
    } else if (runtime && typeof runtime === "object" && !Array.isArray(runtime)) {
        const extra = Object.keys(runtime).filter((key) => key !== "name" && key !== "options");
        if (extra.length > 0) {
            problems.push(`runtime: ${extra.join(", ")} not allowed (only name and options)`);
        }
        if (typeof runtime.name !== "string" || runtime.name === "") {
            problems.push("runtime.name must be a non-empty string");
        }
        if (runtime.options !== undefined && (typeof runtime.options !== "object" || Array.isArray(runtime.options))) {
            problems.push("runtime.options must be a map");
        }
        if (runtime.name === "nodejs" && runtime.options) {
            const types: Record<string, string> = { typescript: "boolean", tsconfig: "string", nodeargs: "string", production: "boolean", packagemanager: "string" };
            for (const [key, value] of Object.entries(runtime.options)) {
                if (types[key] && typeof value !== types[key]) {
                    problems.push(`runtime.options.${key} must be a ${types[key]} (pulumi-language-nodejs parseOptions)`);
                }
            }
            if (runtime.options.packagemanager !== undefined && !["auto", "npm", "yarn", "pnpm", "bun"].includes(runtime.options.packagemanager)) {
                problems.push("runtime.options.packagemanager must be one of auto, npm, yarn, pnpm or bun");
            }
        }
    } else {
        problems.push("runtime is required: a name or { name, options }");
    }
    if (typeof project.main === "string") {
        const main = path.resolve(root, project.main);
        if (!fs.existsSync(main)) {
            problems.push(`project 'main' could not be read: ${main} does not exist`);
        }
    }
    if (typeof project.stackConfigDir === "string" && !fs.existsSync(path.resolve(root, project.stackConfigDir))) {
        problems.push(`stackConfigDir ${project.stackConfigDir} does not exist`);
    }
    return problems;
}

const stackKeys = ["secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment"];

/** sdk/go/common/resource/config/crypt.go: what a symmetric (passphrase or KMS data key) crypter can decrypt. */
export function isCiphertext(value: string): boolean {
    const parts = value.split(":");
    const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
    return parts.length === 3 && parts[0] === "v1" && base64.test(parts[1]) && base64.test(parts[2])
        && Buffer.from(parts[1], "base64").length === 12 && Buffer.from(parts[2], "base64").length > 16;
}

function secureValues(value: unknown, at: string): { at: string; ciphertext: string }[] {
    if (Array.isArray(value)) {
        return value.flatMap((entry, i) => secureValues(entry, `${at}[${i}]`));
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (Object.keys(record).length === 1 && "secure" in record) {
            return [{ at, ciphertext: String(record.secure) }];
        }
        return Object.entries(record).flatMap(([key, entry]) => secureValues(entry, `${at}.${key}`));
    }
    return [];
}

/** Problems with a stack file, per ProjectStack, LoadProjectStackBytes, ParseKey and the crypters. */
export function stackProblems(document: any, projectName: string): string[] {
    if (document === null || document === undefined) {
        return [];
    }
    if (typeof document !== "object" || Array.isArray(document)) {
        return ["the stack file is not a map"];
    }
    const problems = Object.keys(document).filter((key) => !stackKeys.includes(key)).map((key) => `unknown top-level key ${key} (a stack file has ${stackKeys.join(", ")})`);
    for (const key of ["secretsprovider", "encryptedkey", "encryptionsalt"]) {
        if (document[key] !== undefined && typeof document[key] !== "string") {
            problems.push(`${key} must be a string`);
        }
    }
    const config = document.config ?? {};
    if (typeof config !== "object" || Array.isArray(config)) {
        return [...problems, "config must be a map"];
    }
    const secure: { at: string; ciphertext: string }[] = [];
    for (const [rawKey, value] of Object.entries(config)) {
        const key = rawKey.includes(":") ? rawKey : `${projectName}:${rawKey}`;
        const colons = key.split(":").length - 1;
        if (!(colons === 1 || (colons === 2 && key.split(":")[1] === "config"))) {
            problems.push(`could not parse ${rawKey} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
        }
        secure.push(...secureValues(value, key));
    }
    for (const { at, ciphertext } of secure) {
        if (!isCiphertext(ciphertext)) {
            problems.push(`${at}: secure value ${JSON.stringify(ciphertext.slice(0, 40))} is not ciphertext; decrypting it fails with "bad value"`);
        }
    }
    if (secure.length > 0 && !document.encryptionsalt && !document.secretsprovider) {
        problems.push("secure values but neither encryptionsalt (passphrase) nor secretsprovider: only a Pulumi Cloud backend could decrypt them");
    }
    return problems;
}

describe("Pulumi project and stack files, as the Pulumi CLI loads them", () => {
    const project = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8"));

    it("Pulumi.yaml is a valid project (project.json schema, ValidateProject) whose main exists", () => {
        assert.deepStrictEqual(projectProblems(project, repoRoot), []);
    });

    it("policy/PulumiPolicy.yaml is a valid policy project for the nodejs runtime", () => {
        const policyDir = path.join(repoRoot, "policy");
        const policyProject = YAML.parse(fs.readFileSync(path.join(policyDir, "PulumiPolicy.yaml"), "utf8"));
        // A policy project has no name key of its own (the pack's name comes from new PolicyPack).
        assert.deepStrictEqual(projectProblems({ name: "policy", ...policyProject }, policyDir), []);
    });

    const stackDir = path.join(repoRoot, project.stackConfigDir ?? ".");
    const files = fs.readdirSync(stackDir).filter((file) => /^Pulumi\..+\.ya?ml$/.test(file));
    it("finds the stack files where stackConfigDir says", () => {
        assert.ok(files.length >= 2, `stack files in ${stackDir}: ${files.join(", ")}`);
        for (const file of files) {
            const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(file)![1];
            assert.match(stack, /^[A-Za-z0-9_.-]{1,100}$/, `stack name ${stack}`);
        }
    });
    for (const file of files) {
        it(`${file} is a valid stack file: known keys, parseable config keys, no fake ciphertext (finding 4)`, () => {
            const document = YAML.parse(fs.readFileSync(path.join(stackDir, file), "utf8"));
            assert.deepStrictEqual(stackProblems(document, project.name), []);
        });
    }
    it("the derived checks refuse what the CLI refuses (so they are not vacuous)", () => {
        assert.notDeepStrictEqual(projectProblems({ name: "Bad Name", runtime: "nodejs" }, repoRoot), []);
        assert.notDeepStrictEqual(projectProblems({ name: "p", runtime: { name: "nodejs", options: { typescript: "yes" } } }, repoRoot), []);
        assert.notDeepStrictEqual(projectProblems({ name: "p", runtime: "nodejs", main: "missing.js" }, repoRoot), []);
        assert.notDeepStrictEqual(stackProblems({ config: { "a:b:c": 1 } }, "p"), []);
        assert.notDeepStrictEqual(stackProblems({ config: { "p:token": { secure: "v1:placeholder-set-with-pulumi-config-set-secret" } } }, "p"), []);
        const real = `v1:${Buffer.alloc(12, 7).toString("base64")}:${Buffer.alloc(40, 9).toString("base64")}`;
        assert.notDeepStrictEqual(stackProblems({ config: { "p:token": { secure: real } } }, "p"), []);
        assert.deepStrictEqual(stackProblems({ encryptionsalt: real, config: { token: { secure: real }, "p:teams": [{ name: "a" }] } }, "p"), []);
        assert.deepStrictEqual(stackProblems({ config: { "aws:region": "x", "p:config:old": "y" } }, "p"), []);
    });
});

describe("the compiled build (tools/build.js): what users run is never stale", function () {
    this.timeout(60000);
    let root: string;
    let build: any;
    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-build-"));
        fs.mkdirSync(path.join(root, "tools"));
        fs.mkdirSync(path.join(root, "components"));
        fs.copyFileSync(path.join(repoRoot, "tools/build.js"), path.join(root, "tools/build.js"));
        fs.copyFileSync(path.join(repoRoot, "tsconfig.json"), path.join(root, "tsconfig.json"));
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(root, "node_modules"));
        fs.writeFileSync(path.join(root, "index.ts"), "import { two } from \"./components/two\";\nexport const value: number = two() + 1;\n");
        fs.writeFileSync(path.join(root, "components/two.ts"), "export function two(): number { return 2; }\n");
        build = require(path.join(root, "tools/build.js"));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    const load = (file: string) => {
        const resolved = path.join(root, "bin", file);
        delete require.cache[resolved];
        return require(resolved);
    };

    it("builds everything on first use, then nothing while the sources are unchanged", () => {
        assert.strictEqual(build.ensureBuilt(), 2);
        assert.strictEqual(load("index.js").value, 3);
        assert.strictEqual(build.ensureBuilt(), 0);
        assert.ok(!fs.existsSync(path.join(root, "bin/index.js.map")), "no source maps: nothing to rewrite stacks with");
    });

    it("rebuilds exactly the changed file, even when its timestamp did not move", () => {
        const file = path.join(root, "components/two.ts");
        const { mtime } = fs.statSync(file);
        fs.writeFileSync(file, "export function two(): number { return 20; }\n");
        fs.utimesSync(file, mtime, mtime);
        assert.deepStrictEqual(build.staleSources().changed, ["components/two.ts"]);
        const check = spawnSync(process.execPath, [path.join(root, "tools/build.js"), "--check"], { encoding: "utf8" });
        assert.strictEqual(check.status, 1);
        assert.match(check.stderr, /components\/two\.ts/);
        assert.strictEqual(build.ensureBuilt(), 1);
        assert.strictEqual(load("components/two.js").two(), 20);
    });

    it("removes the output of a deleted source, and only outputs it wrote", () => {
        fs.writeFileSync(path.join(root, "components/gone.ts"), "export const gone = 1;\n");
        build.ensureBuilt();
        fs.writeFileSync(path.join(root, "bin/components/mine.txt"), "not the build's\n");
        fs.rmSync(path.join(root, "components/gone.ts"));
        build.ensureBuilt();
        assert.ok(!fs.existsSync(path.join(root, "bin/components/gone.js")));
        assert.ok(fs.existsSync(path.join(root, "bin/components/mine.txt")));
    });

    it("rebuilds everything when the compiler settings change", () => {
        const config = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
        config.compilerOptions.target = "ES2020";
        fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify(config));
        assert.strictEqual(build.staleSources().changed.length, 2);
    });
});
