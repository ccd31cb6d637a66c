// Benchmark: `npm run bench` (not part of `npm test`; asserts nothing about time).
// Times what users run, as processes: `node tools/run.js tools/render <stack> --config
// FILE --out DIR` (exactly `npm run render`, minus npm's own start-up) for one team of
// 40, 160 and 1000 developers and for a mixed config (envbox, sysbox and kata teams and
// a warm pool), next to the SDK floor measured in the same run: a process started the
// same way (its CPU without the launcher's, which is the render's packaging, not SDK work)
// that registers the same number of plain custom resources with the same inputs
// (bench/floor.ts; a dynamic resource's with its `__provider`, as the render registers it),
// and a second floor that sends the engine the render's own requests (bench/floor.ts
// --same-requests: the same URNs, parents, options, dependencies and secrets), the floor
// "for the same resources" that issue 25's target is measured against.
// Prints per scenario: resources, CPU and wall time, peak RSS (getrusage), the dependency
// depth of the plan; and the marginal cost per added resource against the floor's, in CPU
// time (wall time on a shared machine mostly measures the neighbours). BENCH_SIZES=40,160,1000
// and BENCH_MIXED=<developers per team> override.
// Also (issue 25) an enterprise scenario (BENCH_ENTERPRISE=<developers>, default 40, 0 leaves
// it out: Boundary enterprise with Vault injection), and per scenario the plan's step count
// and dependency depth, the state the engine would store per developer, the provider code
// in it, and what adding one developer changes (bench/state-size.ts). Small runs while
// developing: BENCH_REPEAT=1 BENCH_SIZES=10,20 BENCH_MIXED=5 BENCH_ENTERPRISE=10.
//
// Each scenario runs BENCH_REPEAT times (default 3), render and floor taking turns, and each
// figure is the median of its runs: on these machines one process's CPU time for the same
// work varies by ±15% from run to run. The render-over-floor ratio is also given per pair of
// runs (median, lowest, highest): the neighbours' load moves a render and the floor run next
// to it alike. Every render writes into a fresh directory and the bench
// removes them all only at the end: on an ext4 without a journal (as here) the kernel skips
// inodes freed in the last minute or more when it creates a file (fs/ext4/ialloc.c,
// recently_deleted), so removing one scenario's thousands of files just before the next
// render made that render's file creation, and only the render's, several times dearer.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { repoRoot } from "../tools/repo-root";
import { PlanResource, dependencyDepth, planDiff, providerTexts, stateBytes, unmodelledBytes } from "./state-size";

const sizes = (process.env.BENCH_SIZES ?? "40,160,1000").split(",").map(Number);
const mixedPerTeam = Number(process.env.BENCH_MIXED ?? "40");
/** Developers of the enterprise scenario (Boundary enterprise with Vault injection, two teams); 0 leaves it out. */
const enterpriseDevelopers = Number(process.env.BENCH_ENTERPRISE ?? "40");
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? "3"));
/** Also time the floor through @pulumi/kubernetes's own classes (bench/floor.ts --provider-classes): what the provider SDK adds, apart from our code. */
const providerFloor = process.env.BENCH_PROVIDER_FLOOR === "1";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-bench-"));
const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

function teamStack(developers: number): Record<string, unknown> {
    return {
        "sandbox-platform:environment": "bench",
        "sandbox-platform:teams": [{ name: "bench", runtime: "envbox", developers: names("dev", developers) }],
    };
}

function mixedStack(perTeam: number): Record<string, unknown> {
    return {
        "sandbox-platform:environment": "bench",
        "sandbox-platform:runtimes": { sysbox: { enabled: true }, kata: { enabled: true, shims: ["qemu-runtime-rs", "clh"] } },
        "sandbox-platform:devices": { fuse: true, tun: true },
        "sandbox-platform:teams": [
            { name: "apps", runtime: "envbox", developers: names("a", perTeam) },
            { name: "infra", runtime: "sysbox", developers: names("i", perTeam) },
            { name: "secure", runtime: "kata", developers: names("s", perTeam) },
            { name: "pool", runtime: "envbox", allocation: "pool", poolSize: perTeam, developers: names("p", perTeam) },
        ],
    };
}

/** Boundary enterprise (SSH targets, Vault-injected certificates) and Vault on: the issue's "enterprise stack". */
function enterpriseStack(developers: number): Record<string, unknown> {
    const first = Math.ceil(developers / 2);
    return {
        "sandbox-platform:environment": "bench",
        "sandbox-platform:vault": { enabled: true, address: "https://vault.bench.example.com:8200" },
        "sandbox-platform:boundary": { enabled: true, edition: "enterprise", address: "https://boundary.bench.example.com" },
        "sandbox-platform:teams": [
            { name: "apps", runtime: "envbox", developers: names("a", first) },
            { name: "web", runtime: "envbox", developers: names("w", developers - first) },
        ],
    };
}

interface Sample { resources: number; ms: number; cpuMs: number; rssMiB: number; depth?: number; status: number | null; stderr: string }

/**
 * Runs `node -r bench/peak-rss.js tools/run.js <args>` and measures it as a process. The render
 * is measured with its launcher (tools/run.js: a second Node process that checks the build and
 * starts the script), as users run it; a floor (`launcher: false`) by the script's process alone,
 * started by the same launcher with the same V8 flags as the render's: the launcher is the
 * render's packaging, not work the SDK needs to send the floor's requests (about 75 ms of CPU).
 */
function timed(args: string[], { launcher = true }: { launcher?: boolean } = {}): Sample & { stdout: string } {
    const rssFile = path.join(work, `rss-${process.hrtime.bigint()}`);
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["-r", path.join(repoRoot, "bench/peak-rss.js"), path.join(repoRoot, "tools/run.js"), ...args], {
        cwd: repoRoot, encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, BENCH_RSS_FILE: rssFile },
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // The launcher and the child it runs the script in: CPU adds up (the launcher's only when asked), peak RSS is the child's.
    const lines: { rss: number; cpuMs: number; launcher: boolean }[] = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, "utf8").trim().split("\n").map((line) => JSON.parse(line)) : [];
    const counted = lines.filter((line) => launcher || !line.launcher);
    const usage = { rss: lines.length > 0 ? Math.max(...lines.map((l) => l.rss)) : NaN, cpuMs: counted.reduce((sum, l) => sum + l.cpuMs, 0) || NaN };
    return { resources: 0, ms, cpuMs: usage.cpuMs, rssMiB: usage.rss / 2 ** 20, status: result.status, stderr: result.stderr, stdout: result.stdout };
}

/** The median of numbers. */
function middle(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const half = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

/** The median of each figure over the runs (the middle run's CPU time, wall time and peak RSS, each taken separately). */
function median(samples: Sample[]): Sample {
    return {
        ...samples[0],
        ms: middle(samples.map((s) => s.ms)), cpuMs: middle(samples.map((s) => s.cpuMs)), rssMiB: middle(samples.map((s) => s.rssMiB)),
    };
}

interface Row {
    label: string; render: Sample; floor: Sample; same: Sample; provider?: Sample; plan: PlanResource[]; developers: number;
    /** Each run's render CPU over the floor run next to it: on a shared machine the pairs vary less than the two medians. */
    pairedRatios: number[];
    /** The same, over the same-requests floor run next to it. */
    pairedSameRatios: number[];
    /**
     * A floor process that registers nothing (an empty plan): Node's start, the SDK's load, the
     * runner; a constant in the render's CPU and in each floor's, which pulls their ratio toward 1.
     */
    empty: Sample;
    /** Each run's render CPU over the same-requests floor's, both less the empty floor run next to them: the ratio of the work that grows with the resources. */
    pairedSameAboveEmpty: number[];
}

/** One render only (no floor, no repeats): for the plan it writes. */
function planOf(label: string, config: Record<string, unknown>): PlanResource[] {
    const file = path.join(work, `Pulumi.${label}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config }));
    const out = path.join(work, `out-${label}`);
    const sample = timed(["tools/render", "bench", "--config", file, "--out", out]);
    if (sample.status !== 0) {
        throw new Error(`render for ${label} exited ${sample.status}: ${sample.stderr.slice(-2000)}`);
    }
    return JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")).resources;
}

function developersOf(config: Record<string, unknown>): number {
    return (config["sandbox-platform:teams"] as { developers: unknown[] }[]).reduce((sum, team) => sum + team.developers.length, 0);
}

function scenario(label: string, config: Record<string, unknown>, emptyPlan: string): Row {
    const file = path.join(work, `Pulumi.${label}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config }));
    const renders: Sample[] = [];
    const floors: Sample[] = [];
    const sames: Sample[] = [];
    const providers: Sample[] = [];
    const empties: Sample[] = [];
    let plan: { resources: PlanResource[] } | undefined;
    let planFile = "";
    /** One timed process that must succeed; a floor prints how many resources it registered. */
    const succeeded = (what: string, args: string[]) => {
        const sample = timed(args, { launcher: what === "render" });
        if (sample.status !== 0) {
            throw new Error(`${what} for ${label} exited ${sample.status}: ${sample.stderr.slice(-2000)}`);
        }
        return { ...sample, resources: Number(sample.stdout.trim()) };
    };
    for (let run = 0; run < repeat; run++) {
        const out = path.join(work, `out-${label}-${run}`);
        const render = succeeded("render", ["tools/render", "bench", "--config", file, "--out", out]);
        if (!plan) {
            planFile = path.join(out, "plan.json");
            plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
        }
        renders.push({ ...render, resources: plan!.resources.length });
        floors.push(succeeded("floor", ["bench/floor", planFile]));
        sames.push(succeeded("same-requests floor", ["bench/floor", planFile, "--same-requests"]));
        if (providerFloor) {
            providers.push(succeeded("provider-class floor", ["bench/floor", planFile, "--provider-classes"]));
        }
        empties.push(succeeded("empty floor", ["bench/floor", emptyPlan]));
    }
    return {
        label, plan: plan!.resources, developers: developersOf(config),
        render: { ...median(renders), depth: dependencyDepth(plan!) },
        floor: median(floors),
        same: median(sames),
        provider: providerFloor ? median(providers) : undefined,
        pairedRatios: renders.map((render, i) => render.cpuMs / floors[i].cpuMs),
        pairedSameRatios: renders.map((render, i) => render.cpuMs / sames[i].cpuMs),
        empty: median(empties),
        pairedSameAboveEmpty: renders.map((render, i) => (render.cpuMs - empties[i].cpuMs) / (sames[i].cpuMs - empties[i].cpuMs)),
    };
}

async function main(): Promise<void> {
    const empty = path.join(work, "empty-plan.json");
    fs.writeFileSync(empty, JSON.stringify({ resources: [] }));
    timed(["bench/floor", empty]); // builds if needed and warms the file cache
    const rows = sizes.map((developers) => scenario(`team-${developers}`, teamStack(developers), empty));
    rows.push(scenario(`mixed-4x${mixedPerTeam}`, mixedStack(mixedPerTeam), empty));
    if (enterpriseDevelopers > 0) {
        rows.push(scenario(`enterprise-${enterpriseDevelopers}`, enterpriseStack(enterpriseDevelopers), empty));
    }
    const pad = (value: string | number, width: number) => String(value).padStart(width);
    console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}; per process: CPU time (user+system), wall time, peak RSS; median of ${repeat} run(s) each`);
    console.log(`${"scenario".padEnd(14)} ${pad("resources", 9)} ${pad("depth", 5)} | render ${pad("CPU ms", 7)} ${pad("wall ms", 7)} ${pad("RSS MiB", 7)} | floor ${pad("CPU ms", 7)} ${pad("wall ms", 7)} ${pad("RSS MiB", 7)} | ${pad("CPU ×", 5)} ${pad("RSS ×", 5)}`);
    for (const { label, render, floor } of rows) {
        console.log(`${label.padEnd(14)} ${pad(render.resources, 9)} ${pad(render.depth ?? "", 5)} | ${pad(render.cpuMs.toFixed(0), 14)} ${pad(render.ms.toFixed(0), 7)} ${pad(render.rssMiB.toFixed(0), 7)} | ` +
            `${pad(floor.cpuMs.toFixed(0), 13)} ${pad(floor.ms.toFixed(0), 7)} ${pad(floor.rssMiB.toFixed(0), 7)} | ${pad((render.cpuMs / floor.cpuMs).toFixed(2), 5)} ${pad((render.rssMiB / floor.rssMiB).toFixed(2), 5)}`);
        if (render.resources !== floor.resources) {
            console.log(`  (floor registered ${floor.resources} resources, render ${render.resources})`);
        }
    }
    const spread = (ratios: number[]) => `${middle(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)})`;
    if (repeat > 1) {
        console.log("render CPU over the floor run next to it, per run (the neighbours' load moves both alike): median, lowest, highest");
        for (const { label, pairedRatios } of rows) {
            console.log(`${label.padEnd(14)} ${spread(pairedRatios)}`);
        }
    }
    console.log("floor with the render's requests (--same-requests: the same URNs, parents, options, dependencies and secrets; the target's \"SDK floor for the same resources\"):");
    for (const { label, render, floor, same, pairedSameRatios } of rows) {
        console.log(`${label.padEnd(14)} CPU ${pad(same.cpuMs.toFixed(0), 7)} ms (${(same.cpuMs / floor.cpuMs).toFixed(2)}× the plain floor), RSS ${pad(same.rssMiB.toFixed(0), 5)} MiB; ` +
            `render ${(render.cpuMs / same.cpuMs).toFixed(2)}× its CPU (target ≤ 1.3 for enterprise)${repeat > 1 ? `, per run ${spread(pairedSameRatios)}` : ""}, ${(render.rssMiB / same.rssMiB).toFixed(2)}× its RSS`);
        if (render.resources !== same.resources) {
            console.log(`  (same-requests floor registered ${same.resources} resources, render ${render.resources})`);
        }
    }
    console.log("the same, less a floor process that registers nothing (Node's start, the SDK's load, the runner: a constant in both, which pulls the ratio toward 1):");
    for (const { label, render, same, empty, pairedSameAboveEmpty } of rows) {
        console.log(`${label.padEnd(14)} empty program ${pad(empty.cpuMs.toFixed(0), 5)} ms; render ${pad((render.cpuMs - empty.cpuMs).toFixed(0), 7)} ms, same-requests floor ${pad((same.cpuMs - empty.cpuMs).toFixed(0), 7)} ms: ` +
            `${((render.cpuMs - empty.cpuMs) / (same.cpuMs - empty.cpuMs)).toFixed(2)}×${repeat > 1 ? `, per run ${spread(pairedSameAboveEmpty)}` : ""}`);
    }
    if (providerFloor) {
        console.log("floor through @pulumi/kubernetes classes (--provider-classes), for reference:");
        for (const { label, render, floor, provider } of rows) {
            console.log(`${label.padEnd(14)} CPU ${pad(provider!.cpuMs.toFixed(0), 7)} ms (${(provider!.cpuMs / floor.cpuMs).toFixed(2)}× the plain floor), RSS ${pad(provider!.rssMiB.toFixed(0), 5)} MiB; ` +
                `render ${(render.cpuMs / provider!.cpuMs).toFixed(2)}× its CPU, ${(render.rssMiB / provider!.rssMiB).toFixed(2)}× its RSS`);
        }
    }
    const teams = rows.filter((row) => row.label.startsWith("team-"));
    for (let i = 1; i < teams.length; i++) {
        const [a, b] = [teams[i - 1], teams[i]];
        const added = b.render.resources - a.render.resources;
        const marginalRender = (b.render.cpuMs - a.render.cpuMs) / added;
        const marginalFloor = (b.floor.cpuMs - a.floor.cpuMs) / (b.floor.resources - a.floor.resources);
        const marginalRss = (b.render.rssMiB - a.render.rssMiB) / (b.floor.rssMiB - a.floor.rssMiB);
        const marginalSame = (b.same.cpuMs - a.same.cpuMs) / (b.same.resources - a.same.resources);
        console.log(`marginal CPU per added resource, ${a.label} → ${b.label}: render ${marginalRender.toFixed(3)} ms, floor ${marginalFloor.toFixed(3)} ms, ` +
            `ratio ${(marginalRender / marginalFloor).toFixed(2)} (target ≤ 1.5, aim 1.2); added RSS ratio ${marginalRss.toFixed(2)}; ` +
            `same-requests floor ${marginalSame.toFixed(3)} ms, ratio ${(marginalRender / marginalSame).toFixed(2)}`);
        if (a.provider && b.provider) {
            const marginalProvider = (b.provider.cpuMs - a.provider.cpuMs) / (b.provider.resources - a.provider.resources);
            console.log(`  against the @pulumi/kubernetes-class floor: ${marginalProvider.toFixed(3)} ms per added resource (${(marginalProvider / marginalFloor).toFixed(2)}× the plain floor's); render ${(marginalRender / marginalProvider).toFixed(2)}×`);
        }
    }
    await reportState(rows);
    fs.rmSync(work, { recursive: true, force: true });
}

/**
 * State and plan shape (issue 25): per scenario the plan's steps (one create per resource
 * on a first deploy) and dependency depth, the state the engine would store (bench/
 * state-size.ts says how it is modelled), the stored provider code now and as the closure
 * version stored it; then, for the enterprise scenario, what adding one developer does.
 */
async function reportState(rows: Row[]): Promise<void> {
    const texts = await providerTexts();
    const kb = (value: number) => (value / 1024).toFixed(1);
    const pad = (value: string | number, width: number) => String(value).padStart(width);
    console.log(`state (inputs + outputs as the engine stores them; a Kubernetes object's outputs counted as its inputs, a lower bound for the live object, plus the inputs again and two strings as pulumi-kubernetes checkpoints it); __provider: Boundary ${texts.boundary.length} bytes (the SDK's serialization of the same reference ${texts.boundarySerializedReference.length}, closure version ${texts.boundaryClosure.length}), pool assignment ${texts.poolAssignment.length} (closure version ${texts.poolAssignmentClosure.length})`);
    console.log(`${"scenario".padEnd(14)} ${pad("steps", 6)} ${pad("depth", 5)} | ${pad("state KB", 9)} ${pad("KB/dev", 7)} | ${pad("provider code KB", 16)} ${pad("before", 8)}`);
    for (const row of rows) {
        const state = stateBytes(row.plan, texts);
        console.log(`${row.label.padEnd(14)} ${pad(row.plan.length, 6)} ${pad(row.render.depth ?? "", 5)} | ${pad(kb(state.total), 9)} ${pad(kb(state.total / row.developers), 7)} | ` +
            `${pad(kb(state.providerCode), 16)} ${pad(kb(state.providerCodeBefore), 8)}`);
    }
    const enterprise = rows.find((row) => row.label.startsWith("enterprise-"));
    if (!enterprise) {
        return;
    }
    const grown = planOf(`enterprise-${enterpriseDevelopers + 1}`, enterpriseStack(enterpriseDevelopers + 1));
    const diff = planDiff(enterprise.plan, grown);
    const [before, after] = [stateBytes(enterprise.plan, texts), stateBytes(grown, texts)];
    const beyondOwn = (s: ReturnType<typeof stateBytes>) => s.total - s.ownInputs - s.mirroredOutputs;
    console.log(`adding one developer to ${enterprise.label}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed` +
        `${diff.changed.length > 0 ? ` (changed: ${diff.changed.map((urn) => urn.split("::").pop()).join(", ")})` : ""}`);
    console.log(`  state of the added developer: ${kb(after.total - before.total)} KB: own inputs ${kb(after.ownInputs - before.ownInputs)} KB, outputs mirroring them ${kb(after.mirroredOutputs - before.mirroredOutputs)} KB, ` +
        `beyond the objects' own data ${kb(beyondOwn(after) - beyondOwn(before))} KB (target ≤ 10 KB: engine envelope ${kb(after.envelope - before.envelope)} KB, stored provider code ${kb(after.providerCode - before.providerCode)} KB; ` +
        `the closure version stored ${kb(after.providerCodeBefore - before.providerCodeBefore)} KB of provider code)`);
    const [leftBefore, leftAfter] = [unmodelledBytes(enterprise.plan), unmodelledBytes(grown)];
    const left = (key: keyof ReturnType<typeof unmodelledBytes>) => leftAfter[key] - leftBefore[key];
    const unmodelled = left("dependencies") + left("ids") + left("additionalSecretOutputs") + left("timestamps") - left("emptyDependenciesCounted");
    console.log(`  not in that model (ResourceV3 fields a plan shows; lower bounds): dependencies and propertyDependencies ${kb(left("dependencies"))} KB, ids ${kb(left("ids"))} KB, ` +
        `additionalSecretOutputs ${kb(left("additionalSecretOutputs"))} KB, created/modified ${kb(left("timestamps"))} KB, less empty dependency lists counted ${kb(left("emptyDependenciesCounted"))} KB: ` +
        `beyond the objects' own data with them ${kb(beyondOwn(after) - beyondOwn(before) + unmodelled)} KB; not estimated: sourcePosition, and the connection's ciphertext in each Boundary resource's inputs and outputs`);
}

main().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
});
