// The real `pulumi preview` path, proven offline (issue #17): the program as the SDK's
// own cmd/run loads it from Pulumi.yaml, and the policy pack as the SDK's own
// run-policy-pack serves it. See test/helpers/language-host.ts for the upstream sources.

import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { resourcePolicies, stackPolicies } from "../policy/rules";
import { repoRoot } from "../tools/repo-root";
import { readStackConfig, stackFilePath } from "../tools/stack-config";
import { HostRun, notPlainData, plaintextOccurrences, readProject, rootStackType, runLikeLanguageHost } from "./helpers/language-host";
import { renderedStack } from "./helpers/stacks";

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
                run = await runLikeLanguageHost({ root: repoRoot, stack, config: config.config, secretKeys: config.secretKeys, dryRun: true });
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
                if (outputs.developers !== unknownValue) {
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

            it("serializes every dynamic provider with the SDK's closure serializer (text reaches the engine)", () => {
                assert.strictEqual(run.code, 0, failure(run));
                for (const registration of run.registrations.filter((r) => r.type === "pulumi-nodejs:dynamic:Resource")) {
                    assert.strictEqual(typeof registration.inputs.__provider, "string", registration.urn);
                    assert.ok((registration.inputs.__provider as string).length > 100, registration.urn);
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

describe("engine path: the policy pack under the SDK's run-policy-pack, queried over gRPC", function () {
    // ts-node type-checks the pack and the components it imports: minutes on a shared machine.
    this.timeout(300000);

    it("starts as `pulumi preview --policy-pack policy` starts it and lists every policy with its enforcement level", async () => {
        const policyDir = path.join(repoRoot, "policy");
        const policyProject = YAML.parse(fs.readFileSync(path.join(policyDir, "PulumiPolicy.yaml"), "utf8"));
        // A stand-in engine for the pack's log messages.
        const engine = new grpc.Server();
        engine.addService(engineGrpc.EngineService, { log: (_call: any, callback: any) => callback(null, new emptyProto.Empty()) });
        const enginePort: number = await new Promise((resolve, reject) => engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(),
            (error: Error | null, port: number) => (error ? reject(error) : resolve(port))));
        // pulumi-language-nodejs RunPlugin (kind analyzer): node <run-policy-pack> <engine> <program dir>, in the pack's directory.
        const runPath = path.dirname(require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js", { paths: [policyDir] }));
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.NODE_OPTIONS;
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
            assert.strictEqual(info.getName(), "sandbox-platform");
            const served = info.getPoliciesList().map((p: any) => p.getName()).sort();
            const expected = [...resourcePolicies, ...stackPolicies].map((p) => p.name).sort();
            assert.ok(expected.length >= 10, `only ${expected.length} policies`);
            assert.deepStrictEqual(served, expected);
        } finally {
            child.kill();
            await new Promise<void>((resolve) => engine.tryShutdown(() => resolve()));
        }
    });
});
