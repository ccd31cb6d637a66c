// The policy pack's entry for `pulumi preview --policy-pack policy` (package.json "main").
// Pulumi's Node.js language host starts a pack as `node @pulumi/pulumi/cmd/run-policy-pack
// <engine> <pack directory>`, which registers ts-node with type checking and then
// require()s the directory, i.e. this file. Plain JavaScript, so nothing is compiled or
// type-checked at start: it brings the compiled build up to date (tools/build.js; never a
// stale build) and loads the compiled pack (bin/policy/index.js), which constructs the
// PolicyPack and serves it. Type checking is `npm run typecheck`, as for the program.
"use strict";

require("../tools/build").ensureBuilt((line) => process.stderr.write(`${line}\n`));
require("../bin/policy/index.js");
