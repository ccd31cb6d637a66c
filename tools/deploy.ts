// `npm run deploy -- <env> [--preview] [--parallel N] [--refresh] [--stack NAME]... [--json]`
// (deploy-cli.ts). Exit codes: 0 every stack succeeded; 1 a stack failed or was skipped; 2 invalid
// arguments or environment; 3 the tool failed. Ctrl-C once: running operations are cancelled
// (the SDK sends each `pulumi` SIGINT, which stops it cleanly) and no new one starts; twice: exit 130.

import { deployExitCodes, deployMain } from "./deploy-cli";

const abort = new AbortController();
process.on("SIGINT", () => {
    if (abort.signal.aborted) {
        process.exit(130);
    }
    process.stderr.write("\ndeploy: interrupted: cancelling running operations (Ctrl-C again to leave at once)\n");
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
