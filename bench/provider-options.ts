// The two ways issue 25 names to keep the Boundary provider's code out of state, measured
// side by side: `node tools/run.js bench/provider-options` (BENCH_REPEAT runs, default 5).
//
// 1. reference: a dynamic resource whose `__provider` is a closure that requires the
//    installed module (components/access/boundary/provider-reference.ts), served by the
//    SDK's dynamic-provider host (@pulumi/pulumi cmd/dynamic-provider);
// 2. plugin: a real provider plugin written with the SDK's provider support
//    (@pulumi/pulumi/provider main(): the same gRPC ResourceProvider service), which a
//    project declares in Pulumi.yaml `plugins.providers` with a local path. Measured here
//    as a prototype process serving the same provider's check; not shipped.
// and the closure version for reference. Prints, per option: bytes stored per resource
// (`__provider` in inputs and outputs, and sent to the engine with every registration),
// the time of one serialization (the SDK serializes once per provider object per process:
// dynamic/index.js serializeProvider caches unless PULUMI_NODEJS_CACHE_DYNAMIC_PROVIDERS=false,
// runtime/state.js), and process start to first answered Check (a cold provider process,
// as every `pulumi up`, `refresh` and `destroy` starts one). Wall-clock figures: on a
// shared machine compare them with each other, not across runs.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { boundaryProvider } from "../components/access/boundary/provider";
import { boundaryProviderText, installedBoundaryProvider } from "../components/access/boundary/provider-reference";
import { callPlugin, startPluginProcess } from "../tools/plugin-process";
import { repoRoot } from "../tools/repo-root";

/* eslint-disable @typescript-eslint/no-var-requires */
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-var-requires */

const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? "5"));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function serializeMs(provider: pulumi.dynamic.ResourceProvider, count: number): Promise<{ ms: number; bytes: number }> {
    let bytes = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
        bytes = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text.length;
    }
    return { ms: Number(process.hrtime.bigint() - started) / 1e6 / count, bytes };
}

/** Spawns a provider process, waits for its port, sends one Check; returns both times. */
async function coldCheck(argv: string[], request: unknown): Promise<{ startMs: number; firstCheckMs: number }> {
    const started = process.hrtime.bigint();
    const { child, client } = await startPluginProcess(argv, { cwd: repoRoot }, "provider");
    const startMs = Number(process.hrtime.bigint() - started) / 1e6;
    const checkStarted = process.hrtime.bigint();
    await callPlugin(client, "check", request);
    const firstCheckMs = Number(process.hrtime.bigint() - checkStarted) / 1e6;
    client.close();
    child.kill();
    return { startMs, firstCheckMs };
}

async function main(): Promise<void> {
    const inputs = {
        boundaryKind: "target", collection: "targets", meta: {}, actions: {},
        connection: { address: "https://boundary.example.com", token: "at_x" },
        fields: { scope_id: "p_1234567890", name: "alpha-alice", type: "tcp", attributes: { default_port: 22 } },
    };
    const reference = await serializeMs(installedBoundaryProvider(), 50);
    // A copy: the same methods, not the installed module's exports, so serialized by value as the closure version was.
    const closure = await serializeMs({ ...boundaryProvider }, 20);
    // What the Boundary resources now store: the same reference, written by the program (no serialization at all).
    const referenceText = boundaryProviderText;

    const work = fs.mkdtempSync(path.join(os.tmpdir(), "provider-options-"));
    const plugin = path.join(work, "pulumi-resource-boundary.js");
    // The prototype plugin: the SDK's provider server around the same provider (check only is measured).
    fs.writeFileSync(plugin, [
        `const provider = require(${JSON.stringify(require.resolve("@sandbox-platform/boundary-provider", { paths: [repoRoot] }))});`,
        `require(${JSON.stringify(require.resolve("@pulumi/pulumi/provider", { paths: [repoRoot] }))}).main({`,
        `    version: "0.1.0",`,
        `    check: (urn, olds, news) => provider.check(olds, news),`,
        `    create: (urn, inputs) => provider.create(inputs),`,
        `}, process.argv.slice(2));`,
    ].join("\n"));
    const dynamicRequest = new providerProto.CheckRequest();
    dynamicRequest.setOlds(structProto.Struct.fromJavaScript({}));
    dynamicRequest.setNews(structProto.Struct.fromJavaScript({ ...inputs, __provider: referenceText }));
    const pluginRequest = new providerProto.CheckRequest();
    pluginRequest.setUrn("urn:pulumi:bench::sandbox-platform::boundary:index:Target::alpha-alice");
    pluginRequest.setOlds(structProto.Struct.fromJavaScript({}));
    pluginRequest.setNews(structProto.Struct.fromJavaScript(inputs));
    const host = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [repoRoot] });
    const dynamicRuns: { startMs: number; firstCheckMs: number }[] = [];
    const pluginRuns: { startMs: number; firstCheckMs: number }[] = [];
    for (let i = 0; i < repeat; i++) {
        dynamicRuns.push(await coldCheck([host, "127.0.0.1:1"], dynamicRequest));
        pluginRuns.push(await coldCheck([plugin, "127.0.0.1:1"], pluginRequest));
    }
    fs.rmSync(work, { recursive: true, force: true });

    console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}; process figures: median of ${repeat}`);
    console.log(`closure (before):   __provider ${closure.bytes} bytes, stored twice per resource (${(2 * closure.bytes / 1024).toFixed(1)} KB); one serialization ${closure.ms.toFixed(1)} ms`);
    console.log(`reference (chosen): __provider ${Buffer.byteLength(referenceText)} bytes as the program writes it (the SDK's serialization of it: ${reference.bytes} bytes, ${reference.ms.toFixed(1)} ms), ` +
        `stored twice per resource (${(2 * Buffer.byteLength(referenceText) / 1024).toFixed(2)} KB); ` +
        `host start ${median(dynamicRuns.map((r) => r.startMs)).toFixed(0)} ms, first Check ${median(dynamicRuns.map((r) => r.firstCheckMs)).toFixed(0)} ms (loads the module)`);
    console.log(`plugin (prototype): no provider code in state (one provider resource per stack); no serialization; ` +
        `plugin start ${median(pluginRuns.map((r) => r.startMs)).toFixed(0)} ms, first Check ${median(pluginRuns.map((r) => r.firstCheckMs)).toFixed(0)} ms`);
}

main().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
});
