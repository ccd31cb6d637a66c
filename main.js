// The program's entry for `pulumi preview` / `pulumi up` (Pulumi.yaml `main`).
// Pulumi's Node.js language host runs this file with plain Node
// (`runtime.options.typescript: false`): it brings the compiled build up to date
// (tools/build.js; never a stale build) and exports the compiled program's stack
// outputs. The offline render runs the same compiled program (bin/index.js).
"use strict";

require("./tools/build").ensureBuilt((line) => process.stderr.write(`${line}\n`));
module.exports = require("./bin/index.js");
