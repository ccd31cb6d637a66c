// `npm run deploy -- <env> [--preview] [--parallel N] [--refresh] [--stack NAME]... [--json]`
// (deploy-cli.ts). Exit codes: 0 every stack succeeded; 1 a stack failed or was skipped; 2 invalid
// arguments or environment; 3 the tool failed. Ctrl-C: no further stack starts; the running
// `pulumi` processes got the same Ctrl-C (one foreground process group) and cancel cleanly by
// themselves, and the summary follows. A SIGINT within a second of the first is the launcher
// (tools/run.js) passing the same Ctrl-C on, and is ignored; a later one leaves at once (exit 130),
// while the `pulumi` processes carry on with their own handling.

import { deployExitCodes, deployMain } from "./deploy-cli";

const abort = new AbortController();
let interruptedAt = 0;
process.on("SIGINT", () => {
    if (abort.signal.aborted) {
        if (Date.now() - interruptedAt > 1000) {
            process.exit(130);
        }
        return;
    }
    interruptedAt = Date.now();
    process.stderr.write("\ndeploy: interrupted: no further stack starts; running operations cancel on the same Ctrl-C (Ctrl-C again to leave at once)\n");
    abort.abort();
});

// A reader that goes away (`| head`) is not an error of ours.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") {
        process.exitCode ??= deployExitCodes.ok;
    }
});

deployMain(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, { signal: abort.signal }).then((code) => {
    // Let stdout drain: the exit code is set; the SDK's gRPC servers are shut down after each operation.
    process.exitCode = code;
}, (error) => {
    process.stderr.write(`deploy failed: ${error?.stack ?? error}\n`);
    process.exitCode = deployExitCodes.failed;
});
