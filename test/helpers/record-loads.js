// Preloaded (NODE_OPTIONS=--require) into a process a test starts, to see what it really
// ran: appends the path of every module the process compiles (plain JavaScript, or
// TypeScript through ts-node's require hook, which also ends in Module#_compile) to
// $RECORD_LOADS_FILE. Observes only; changes nothing the process does.
"use strict";
const fs = require("fs");
const Module = require("module");

const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
    fs.appendFileSync(process.env.RECORD_LOADS_FILE, `${filename}\n`);
    return compile.call(this, content, filename);
};
