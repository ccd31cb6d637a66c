// The plugin's entry (package.json main), loaded by @pulumi/pulumi/cmd/run-plugin when the
// engine starts this directory as a plugin. Plain JavaScript, like main.js: it brings the
// compiled build (bin/, tools/build.js) up to date and exports the compiled index.ts.
"use strict";

require("../tools/build").ensureBuilt((line) => process.stderr.write(`${line}\n`));
module.exports = require("../bin/provider/index.js");
