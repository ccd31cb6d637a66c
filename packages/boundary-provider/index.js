// The Boundary dynamic provider as an installed module. `npm ci` copies this package
// into node_modules/@sandbox-platform/boundary-provider (a `file:` dependency with
// .npmrc install-links=true: a copy, not a symlink). Its exports ARE the provider
// object the Boundary resources are created with, so the SDK's closure serializer
// names it by `require("@sandbox-platform/boundary-provider")` instead of copying the
// provider's code into every resource's state (components/access/boundary/
// provider-reference.ts says why, from the SDK's source).
//
// Who loads it at deploy time: the SDK's dynamic-provider host (@pulumi/pulumi
// cmd/dynamic-provider), which the CLI starts in the project directory; it compiles the
// state's closure with require-from-string, whose module paths are the node_modules
// directories above that working directory: this project's node_modules. That holds
// for `pulumi destroy` and `pulumi refresh` too, which never run the program.
//
// Plain JavaScript on purpose (the host runs plain Node): it brings the compiled build
// up to date (tools/build.js, as main.js does for the program) and hands out the
// compiled provider. Nothing else belongs here: the copy in node_modules is only
// refreshed by `npm ci`/`npm install`, the code it loads is the checkout's.
"use strict";

const fs = require("fs");
const path = require("path");

// node_modules/@sandbox-platform/boundary-provider → the project root.
const repoRoot = path.resolve(__dirname, "..", "..", "..");
const build = path.join(repoRoot, "tools", "build.js");
if (!fs.existsSync(build)) {
    throw new Error(`@sandbox-platform/boundary-provider: no sandbox-platform checkout at ${repoRoot} (tools/build.js is missing); ` +
        "install it with `npm ci` in the project directory, which copies it into node_modules");
}
require(build).ensureBuilt((line) => process.stderr.write(`${line}\n`));
module.exports = require(path.join(repoRoot, "bin", "components", "access", "boundary", "provider.js")).boundaryProvider;
