// Launcher for the user commands (`npm run render | policy:check | preflight`):
// `node tools/run.js <script> [args...]` brings the compiled build up to date
// (tools/build.js: rebuilds exactly the changed sources, never runs a stale build),
// then runs bin/<script>.js in this same process with plain Node: no ts-node and
// no source-map stack rewriting on the path users run.
"use strict";

const path = require("path");
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
process.argv = [process.argv[0], compiled, ...args];
require(compiled);
