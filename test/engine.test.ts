// The real `pulumi preview` path, proven offline (issue #17): the program as the SDK's
// own cmd/run loads it from Pulumi.yaml, and the policy pack as the SDK's own
// run-policy-pack serves it. See test/helpers/language-host.ts for the upstream sources.

import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { resourcePolicies, stackPolicies } from "../policy/rules";
import { repoRoot } from "../tools/repo-root";
import { readStackConfig, stackFilePath } from "../tools/stack-config";
import { HostRun, notPlainData, plaintextOccurrences, readProject, rootStackType, runLikeLanguageHost } from "./helpers/language-host";
import { renderedStack } from "./helpers/stacks";
import { loadStack } from "../tools/render-stack";
import { rawFromPulumiConfig } from "../components/config/load";
import { platformOutputName, platformStackName } from "../components/config/team-stack";
import { boundaryProviderText } from "../components/access/boundary/provider-reference";
import { poolAssignmentKind, poolAssignmentProviderText } from "../components/sandboxes/pool-assignment-resource";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { ensureBuilt } = require("../tools/build");
/* eslint-disable @typescript-eslint/no-var-requires */
const grpc = require("@grpc/grpc-js");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");

const stacks = fs.readdirSync(path.join(repoRoot, "stacks"))
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined);
const namespace = "sandbox-platform";
/** sdk/nodejs/runtime/rpc.ts unknownValue: how an unknown reaches the engine in a preview. */
const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * The stack's config as the engine passes it after decrypting: every secret value is a
 * recognisable canary (the stack files hold no real ciphertext). When Boundary is on and
 * the stack file has no credential, the one the README says to set with
 * `pulumi config set --secret` is added.
 */
function engineConfig(stack: string): { config: Record<string, string>; secretKeys: string[]; canary: string } {
    const canary = `canary-secret-${stack}-7f3a`;
    const { config, secretKeys } = readStackConfig(stackFilePath(repoRoot, stack));
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        result[key] = secretKeys.includes(key) ? value.split("[secret]").join(canary) : value;
    }
    const keys = [...secretKeys];
    const boundary = JSON.parse(config[`${namespace}:boundary`] ?? "{}");
    const token = `${namespace}:boundaryToken`, password = `${namespace}:boundaryPassword`;
    if (boundary.enabled && !(token in result) && !(password in result)) {
        const key = boundary.loginName ? password : token;
        result[key] = canary;
        keys.push(key);
    }
    return { config: result, secretKeys: keys, canary };
}

function failure(run: HostRun): string {
    return `exit ${run.code}\nstderr: ${run.stderr.slice(-4000)}\nengine log: ${run.logs.map((l) => l.message).join("\n").slice(-4000)}`;
}

function resourceUrns(run: HostRun): string[] {
    return run.registrations.filter((r) => r.type !== rootStackType).map((r) => r.urn).sort();
}

function stackOutputs(run: HostRun): Record<string, unknown> {
    const stackUrn = run.registrations.find((r) => r.type === rootStackType)?.urn;
    assert.ok(stackUrn, "no root stack was registered");
    return run.outputs.get(stackUrn) ?? {};
}

const secretSigKey = "4dabf18193072939515e22adb298388d";
function secretWrappedCount(value: unknown, needle: string): number {
    if (Array.isArray(value)) {
        return value.reduce((sum: number, entry) => sum + secretWrappedCount(entry, needle), 0);
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[secretSigKey] !== undefined && JSON.stringify(record).includes(needle)) {
            return 1;
        }
        return Object.values(record).reduce((sum: number, entry) => sum + secretWrappedCount(entry, needle), 0);
    }
    return 0;
}

describe("engine path: the program as `pulumi preview` runs it (SDK cmd/run, launched as the Node.js language host does)", function () {
    this.timeout(300000);
    before(() => ensureBuilt());

    it("Pulumi.yaml names an entry that exists, run with plain Node (no ts-node) (finding 1)", () => {
        const project = readProject(repoRoot);
        assert.ok(typeof project.main === "string" && project.main.length > 0, "Pulumi.yaml has no main: the SDK would take package.json exports['.'] first");
        assert.ok(fs.statSync(path.join(repoRoot, project.main)).isFile());
        const runtime = project.runtime as { name: string; options?: Record<string, unknown> };
        assert.strictEqual(runtime.name, "nodejs");
        assert.strictEqual(runtime.options?.typescript, false, "typescript: true (the default) makes the host register ts-node and its source-map stack rewriting");
    });

    for (const stack of stacks) {
        describe(`stack ${stack}`, () => {
            let run: HostRun;
            let canary: string;
            before(async () => {
                const config = engineConfig(stack);
                canary = config.canary;
                // A team stack reads its platform stack's outputs, as its render does.
                const { platform } = loadStack(stack);
                const stackOutputs = platform ? { [platformStackName(rawFromPulumiConfig(config.config))]: { [platformOutputName]: platform } } : undefined;
                run = await runLikeLanguageHost({ root: repoRoot, stack, config: config.config, secretKeys: config.secretKeys, dryRun: true, stackOutputs });
            });

            it("exits 0 and registers exactly the resources the offline render shows, with the same URNs (finding 1)", async () => {
                assert.strictEqual(run.code, 0, failure(run));
                const render = await renderedStack(stack);
                const rendered = render.run.resources.map((r) => r.urn).sort();
                assert.ok(rendered.length > 10, `the render has only ${rendered.length} resources`);
                assert.deepStrictEqual(resourceUrns(run), rendered);
            });

            it("exports the program's outputs as plain data, nothing dropped or turned into {} (finding 2)", async () => {
                assert.strictEqual(run.code, 0, failure(run));
                const outputs = stackOutputs(run);
                const render = await renderedStack(stack);
                assert.deepStrictEqual(Object.keys(outputs).sort(), Object.keys(render.run.outputs).sort());
                assert.deepStrictEqual(notPlainData(outputs), []);
                for (const [key, value] of Object.entries(outputs)) {
                    const empty = value === null || value === undefined || (typeof value === "object" && Object.keys(value as object).length === 0);
                    assert.ok(!empty || (Array.isArray(value) && (render.run.outputs[key] as unknown[]).length === 0), `stack output ${key} is empty: ${JSON.stringify(value)}`);
                }
                assert.strictEqual(outputs.environment, render.config.environment);
                // A preview may leave an output unknown (the SDK's unknown sentinel) when it depends on state
                // only a deployment computes, e.g. the sticky pool assignment; when known it must match the render.
                if (outputs.developers !== unknownValue && render.run.outputs.developers !== undefined) {
                    assert.strictEqual((outputs.developers as unknown[]).length, (render.run.outputs.developers as unknown[]).length);
                }
            });

            it("never sends a secret config value in plain text, in any resource's inputs or in the outputs", () => {
                assert.strictEqual(run.code, 0, failure(run));
                for (const registration of run.registrations) {
                    assert.deepStrictEqual(plaintextOccurrences(registration.inputs, canary), [], registration.urn);
                }
                for (const [urn, outputs] of run.outputs) {
                    assert.deepStrictEqual(plaintextOccurrences(outputs, canary), [], `outputs of ${urn}`);
                }
                const { config } = engineConfig(stack);
                const boundary = JSON.parse(config[`${namespace}:boundary`] ?? "{}");
                if (boundary.enabled) {
                    const wrapped = run.registrations.reduce((sum, r) => sum + secretWrappedCount(r.inputs, canary), 0);
                    assert.ok(wrapped > 0, "Boundary is enabled but its credential reached no resource (as a marked secret)");
                }
            });

            it("sends every dynamic provider's text to the engine: the Boundary provider's and the pool assignment's references as the program writes them", () => {
                assert.strictEqual(run.code, 0, failure(run));
                for (const registration of run.registrations.filter((r) => r.type === "pulumi-nodejs:dynamic:Resource")) {
                    assert.strictEqual(typeof registration.inputs.__provider, "string", registration.urn);
                    if (registration.inputs.boundaryKind !== undefined) {
                        assert.strictEqual(registration.inputs.__provider, boundaryProviderText, registration.urn);
                    } else {
                        assert.strictEqual(registration.inputs.kind, poolAssignmentKind, `${registration.urn}: a dynamic resource of an unknown provider`);
                        assert.strictEqual(registration.inputs.__provider, poolAssignmentProviderText, registration.urn);
                    }
                }
            });
        });
    }

    it("resolves the same entry when Pulumi.yaml has no main: package.json exports['.'] and main cannot hijack it (finding 1)", () => {
        // sdk/nodejs/cmd/run/run.ts: with entry "." it takes package.json exports (a string, or
        // exports["."] as a string or its default/require/import), and only without exports, main.
        const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
        let fallback: string | undefined;
        if (typeof packageJson.exports === "string") {
            fallback = packageJson.exports;
        } else if (typeof packageJson.exports === "object") {
            const dot = packageJson.exports["."];
            fallback = typeof dot === "object" ? dot.default ?? dot.require ?? dot.import : dot;
        } else {
            fallback = packageJson.main;
        }
        assert.ok(fallback, "package.json names no entry");
        assert.strictEqual(path.resolve(repoRoot, fallback), path.resolve(repoRoot, readProject(repoRoot).main!));
    });
});

interface ServedPack { name: string; policies: { name: string; description: string }[]; loaded: string[]; stderr: string }

/**
 * Starts the pack in `policyDir` as pulumi-language-nodejs RunPlugin (kind analyzer) does:
 * `node <run-policy-pack> <engine> <pack dir>` in the pack's directory, with the env the
 * host sets from PulumiPolicy.yaml; reads the port it prints, asks GetAnalyzerInfo over
 * gRPC, and reports every module the process compiled (test/helpers/record-loads.js).
 */
async function servePolicyPack(policyDir: string): Promise<ServedPack> {
    const policyProject = YAML.parse(fs.readFileSync(path.join(policyDir, "PulumiPolicy.yaml"), "utf8"));
    // A stand-in engine for the pack's log messages.
    const engine = new grpc.Server();
    engine.addService(engineGrpc.EngineService, { log: (_call: any, callback: any) => callback(null, new emptyProto.Empty()) });
    const enginePort: number = await new Promise((resolve, reject) => engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(),
        (error: Error | null, port: number) => (error ? reject(error) : resolve(port))));
    const runPath = path.dirname(require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js", { paths: [policyDir] }));
    const loads = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-loads-")), "loaded.txt");
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${path.join(__dirname, "helpers/record-loads.js")}`, RECORD_LOADS_FILE: loads };
    if (policyProject.runtime?.options?.typescript !== false) {
        env.PULUMI_NODEJS_TYPESCRIPT = "true";
    }
    const child = spawn(process.execPath, [runPath, `127.0.0.1:${enginePort}`, policyDir], { cwd: policyDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => { stderr += chunk; });
    try {
        const port: string = await new Promise((resolve, reject) => {
            let stdout = "";
            child.stdout.on("data", (chunk) => {
                stdout += chunk;
                const line = /^(\d+)\s*$/m.exec(stdout);
                if (line) {
                    resolve(line[1]);
                }
            });
            child.on("exit", (code) => reject(new Error(`policy pack exited ${code} before serving: ${stderr}`)));
        });
        const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const info: any = await new Promise((resolve, reject) => client.getAnalyzerInfo(new emptyProto.Empty(),
            (error: Error | null, response: unknown) => (error ? reject(error) : resolve(response))));
        client.close();
        return {
            name: info.getName(),
            policies: info.getPoliciesList().map((p: any) => ({ name: p.getName(), description: p.getDescription() })),
            loaded: fs.readFileSync(loads, "utf8").trim().split("\n"),
            stderr,
        };
    } finally {
        child.kill();
        await new Promise<void>((resolve) => engine.tryShutdown(() => resolve()));
        fs.rmSync(path.dirname(loads), { recursive: true, force: true });
    }
}

describe("engine path: the policy pack under the SDK's run-policy-pack, queried over gRPC", function () {
    this.timeout(300000);
    const typeScript = (file: string) => /\.[cm]?tsx?$/.test(file) && !file.endsWith(".d.ts");

    it("starts as `pulumi preview --policy-pack policy` starts it, from compiled JavaScript, and lists every policy", async () => {
        const policyDir = path.join(repoRoot, "policy");
        // run-policy-pack require()s the directory: Node resolves package.json "main".
        assert.strictEqual(require.resolve(policyDir), path.join(policyDir, "main.js"));
        const served = await servePolicyPack(policyDir);
        assert.strictEqual(served.name, "sandbox-platform");
        const expected = [...resourcePolicies, ...stackPolicies].map((p) => p.name).sort();
        assert.ok(expected.length >= 10, `only ${expected.length} policies`);
        assert.deepStrictEqual(served.policies.map((p) => p.name).sort(), expected);
        // Nothing compiled or type-checked at start: the compiled pack ran, no TypeScript source.
        assert.deepStrictEqual(served.loaded.filter(typeScript), []);
        assert.ok(served.loaded.includes(path.join(repoRoot, "bin/policy/index.js")), served.loaded.filter((f) => !f.includes("node_modules")).join("\n"));
        assert.ok(served.loaded.includes(path.join(repoRoot, "bin/policy/rules/index.js")));
    });

    it("never serves a stale build: a changed rule source is served at the next start, without a manual build", async () => {
        // A copy of the sources with the repository's current build beside them, then one rule changed.
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "policy-stale-"));
        try {
            for (const entry of ["index.ts", "tsconfig.json", "components", "policy", "tools", "bench", "bin"]) {
                fs.cpSync(path.join(repoRoot, entry), path.join(root, entry), { recursive: true });
            }
            fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(root, "node_modules"));
            const rule = resourcePolicies[0];
            const ruleFile = fs.readdirSync(path.join(root, "policy/rules")).map((file) => path.join(root, "policy/rules", file))
                .find((file) => fs.readFileSync(file, "utf8").includes(JSON.stringify(rule.description)));
            assert.ok(ruleFile, `no rule source holds ${JSON.stringify(rule.description)}`);
            const changed = `${rule.description} (changed after the last build)`;
            const { mtime } = fs.statSync(ruleFile);
            fs.writeFileSync(ruleFile, fs.readFileSync(ruleFile, "utf8").replace(JSON.stringify(rule.description), JSON.stringify(changed)));
            fs.utimesSync(ruleFile, mtime, mtime);
            const served = await servePolicyPack(path.join(root, "policy"));
            assert.strictEqual(served.policies.find((p) => p.name === rule.name)?.description, changed, served.stderr);
            assert.match(served.stderr, /built 1 file\(s\)/);
            assert.deepStrictEqual(served.loaded.filter(typeScript), []);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
