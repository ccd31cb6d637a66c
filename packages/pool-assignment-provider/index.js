// The warm-pool assignment dynamic provider as an installed module, the same arrangement
// as @sandbox-platform/boundary-provider (packages/boundary-provider/index.js says how
// `npm ci` installs it and why the SDK's dynamic-provider host finds it, for `pulumi
// destroy` and `refresh` too). Its exports ARE the provider object; a pool assignment's
// `__provider` is a one-line module that requires this package
// (components/sandboxes/pool-assignment-resource.ts).
//
// Plain JavaScript on purpose (the host runs plain Node): it brings the compiled build up
// to date (tools/build.js, as main.js does for the program) and hands out the compiled
// provider. Nothing else belongs here: the copy in node_modules is only refreshed by
// `npm ci`/`npm install`, the code it loads is the checkout's.
"use strict";

const fs = require("fs");
const path = require("path");

// node_modules/@sandbox-platform/pool-assignment-provider → the project root.
const repoRoot = path.resolve(__dirname, "..", "..", "..");
const build = path.join(repoRoot, "tools", "build.js");
if (!fs.existsSync(build)) {
    throw new Error(`@sandbox-platform/pool-assignment-provider: no sandbox-platform checkout at ${repoRoot} (tools/build.js is missing); ` +
        "install it with `npm ci` in the project directory, which copies it into node_modules");
}
require(build).ensureBuilt((line) => process.stderr.write(`${line}\n`));
module.exports = require(path.join(repoRoot, "bin", "components", "sandboxes", "pool-assignment-provider.js")).poolAssignmentProvider;
