// Launcher for the user commands (`npm run render | policy:check | preflight | bench`):
// `node tools/run.js <script> [args...]` brings the compiled build up to date
// (tools/build.js: rebuilds exactly the changed sources, never runs a stale build),
// then runs bin/<script>.js with plain Node: no ts-node and no source-map stack
// rewriting on the path users run.
//
// Memory: Node caps its heap at about 4 GiB whatever the machine has, and a large stack
// (thousands of developers) needs more. The script runs in a child process whose heap
// limit is 75% of this machine's memory (unless the user set --max-old-space-size), and
// if it still runs out, the launcher says so plainly instead of leaving a V8 abort.
"use strict";

const { spawn } = require("child_process");
const os = require("os");
const path = require("path");
const v8 = require("v8");
const { ensureBuilt, outDir } = require("./build");

const [script, ...args] = process.argv.slice(2);
if (!script) {
    process.stderr.write("usage: node tools/run.js <script, e.g. tools/render> [args...]\n");
    process.exit(2);
}
try {
    ensureBuilt((line) => process.stderr.write(`${line}\n`));
} catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(3);
}
const compiled = path.join(outDir, `${script.replace(/\.(ts|js)$/, "")}.js`);

/** Whether the user gave this V8 flag themselves (on the command line or in NODE_OPTIONS). */
const userSet = (flag) => [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((arg) => arg.includes(flag));
const userSetHeap = userSet("max-old-space-size");
const heapMiB = userSetHeap ? Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20) : Math.floor((os.totalmem() / 2 ** 20) * 0.75);
// A larger young generation: the render and the checker allocate many short-lived objects,
// and with V8's default semi-space a quarter of their CPU went to scavenges (measured on a
// 20 MB policy:check: 11.3 s → 8.5 s of CPU at 16 MiB, with the same peak RSS).
const userSetSemiSpace = userSet("semi-space-size");
const execArgv = [
    ...process.execArgv,
    ...(userSetHeap ? [] : [`--max-old-space-size=${heapMiB}`]),
    ...(userSetSemiSpace ? [] : ["--max-semi-space-size=16"]),
];
const child = spawn(process.execPath, [...execArgv, compiled, ...args], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
    // V8 aborts (SIGABRT) when the heap limit is reached.
    if (signal === "SIGABRT" || code === 134) {
        process.stderr.write(`\n${script} ran out of memory (heap limit ${heapMiB} MiB on a machine with ${Math.round(os.totalmem() / 2 ** 30)} GiB).\n` +
            "The stack is too large for one process on this machine: split the teams into several stacks " +
            "(one stacks/Pulumi.<stack>.yaml per group of teams; see docs/benchmarks.md), or run on a machine with more memory.\n");
        process.exit(4);
    }
    process.exit(code ?? 1);
});
