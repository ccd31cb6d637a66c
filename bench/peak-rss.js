// Preloaded by the bench (`node -r ./bench/peak-rss.js ...`; the launcher passes it on to
// the child it runs the script in): on exit, each process appends its peak resident set
// size (getrusage maxRSS, bytes), CPU time (user + system, ms) and whether it is the launcher
// (tools/run.js) or the script it runs to $BENCH_RSS_FILE.
"use strict";
const fs = require("fs");
const path = require("path");
process.on("exit", () => {
    if (process.env.BENCH_RSS_FILE) {
        const usage = process.resourceUsage();
        fs.appendFileSync(process.env.BENCH_RSS_FILE, `${JSON.stringify({ rss: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, launcher: path.basename(process.argv[1] ?? "") === "run.js" })}\n`);
    }
});
