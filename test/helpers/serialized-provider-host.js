// Loads a dynamic provider the way the Pulumi SDK's dynamic-provider host does
// (@pulumi/pulumi cmd/dynamic-provider/index.js getProvider:
// `requireFromString(props.__provider).handler()`), in a fresh Node process with
// no ts-node and no project modules, then runs a script of provider calls and
// prints each outcome as one JSON line. An error is reported the way the host
// reports it to the engine (grpcResponseFromError: `e.message`).
//
//   node serialized-provider-host.js <file with the serialized text> <file with a JSON script>
"use strict";
const fs = require("fs");
const path = require("path");
// require-from-string as the SDK resolves it (a dependency of @pulumi/pulumi).
const requireFromString = require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));

async function main() {
    const text = fs.readFileSync(process.argv[2], "utf8");
    const script = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
    const provider = requireFromString(text).handler();
    const results = {};
    for (const step of script) {
        const args = step.args.map((arg) => (typeof arg === "string" && arg.startsWith("$") ? results[arg.slice(1)]?.result?.id ?? results[arg.slice(1)]?.result : arg));
        let outcome;
        try {
            if (typeof provider[step.op] !== "function") {
                outcome = { absent: true };
            } else {
                outcome = { result: (await provider[step.op](...args)) ?? null };
            }
        } catch (error) {
            outcome = { error: error && error.message, errorName: error && error.name, hasStack: typeof (error && error.stack) === "string" };
        }
        results[step.name] = outcome;
        process.stdout.write(`${JSON.stringify({ name: step.name, ...outcome })}\n`);
    }
}

main().catch((error) => {
    process.stderr.write(`${error && error.stack}\n`);
    process.exitCode = 1;
});
