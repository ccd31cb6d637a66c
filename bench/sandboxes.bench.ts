// Benchmark: `npm run bench`. Renders one team of 10, 100 and 1000 developers
// through the real program under the mock monitor, next to the SDK's floor measured
// in the same run: the same number of resources registered flat as plain custom
// resources under the same mock monitor — once with tiny inputs, and once with
// exactly the inputs the platform registered (the cost the SDK itself cannot avoid).
// Runs compiled JavaScript (see package.json) so that ts-node's source-map
// rewriting of every stack trace the SDK takes does not distort the figures.
// Prints figures; asserts nothing about time (a benchmark, not a test).

import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { freshProgram, runProgram } from "../tools/program-runner";

// Resolves to index.ts under ts-node and to the compiled index.js under bin/.
const programPath = require.resolve(path.resolve(__dirname, "../index"));
const sizes = (process.env.BENCH_SIZES ?? "10,100,1000").split(",").map(Number);

function teamConfig(developers: number): Record<string, string> {
    return {
        "sandbox-platform:environment": "bench",
        "sandbox-platform:teams": JSON.stringify([{ name: "bench", developers: Array.from({ length: developers }, (_, i) => `dev${i}`) }]),
    };
}

interface Sample { resources: number; ms: number; peakMiB: number }

async function measure(run: () => Promise<number>): Promise<Sample> {
    global.gc?.();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const started = process.hrtime.bigint();
    const resources = await run();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { resources, ms, peakMiB: peak / 2 ** 20 };
}

class Plain extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: Record<string, unknown>) {
        super(type, name, inputs);
    }
}

let lastRegistered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

async function platform(developers: number): Promise<number> {
    const run = await runProgram({
        stack: "bench", config: teamConfig(developers),
        program: freshProgram(programPath),
    });
    lastRegistered = run.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
    return run.resources.length;
}

async function floor(resources: { type: string; name: string; inputs: Record<string, unknown> }[]): Promise<number> {
    const run = await runProgram({
        stack: "floor", config: {},
        program: () => {
            resources.forEach((r, i) => new Plain(r.type, `${r.name}-${i}`, r.inputs));
        },
    });
    return run.resources.length;
}

async function main(): Promise<void> {
    await platform(2); // warm up module loading
    const rows: { developers: number; platform: Sample; tiny: Sample; floor: Sample }[] = [];
    for (const developers of sizes) {
        const platformSample = await measure(() => platform(developers));
        const registered = lastRegistered;
        const tiny = await measure(() => floor(registered.map((r, i) => ({ type: "bench:index:Plain", name: "plain", inputs: { value: i } }))));
        const floorSample = await measure(() => floor(registered));
        rows.push({ developers, platform: platformSample, tiny, floor: floorSample });
    }
    console.log("developers  resources  res/dev  platform ms  ms/dev  ms/res | floor(tiny) ms/res | floor(same inputs) ms  ms/res | ratio  peak RSS MiB");
    for (const { developers, platform: p, tiny: t, floor: f } of rows) {
        console.log([
            String(developers).padStart(10), String(p.resources).padStart(10), (p.resources / developers).toFixed(2).padStart(8),
            p.ms.toFixed(0).padStart(12), (p.ms / developers).toFixed(2).padStart(7), (p.ms / p.resources).toFixed(2).padStart(7), "|",
            (t.ms / t.resources).toFixed(2).padStart(18), "|", f.ms.toFixed(0).padStart(21), (f.ms / f.resources).toFixed(2).padStart(7), "|",
            (p.ms / f.ms).toFixed(2).padStart(6), p.peakMiB.toFixed(0).padStart(13),
        ].join(" "));
    }
    if (rows.length >= 2) {
        const [a, b] = [rows[rows.length - 2], rows[rows.length - 1]];
        const marginalPlatform = (b.platform.ms - a.platform.ms) / (b.platform.resources - a.platform.resources);
        const marginalFloor = (b.floor.ms - a.floor.ms) / (b.floor.resources - a.floor.resources);
        console.log(`marginal cost per resource (${a.developers}→${b.developers} developers): platform ${marginalPlatform.toFixed(3)} ms, ` +
            `floor ${marginalFloor.toFixed(3)} ms, ratio ${(marginalPlatform / marginalFloor).toFixed(2)} (target ≤ 1.20)`);
    }
}

main().catch((error) => { console.error(error); process.exit(1); });
