// `npm run preflight -- [--root DIR] [--json] [--require RUNTIME,...] [--daemonset]`.
// Exit codes: 0 ready, 1 a runtime named by --require is not ready, 2 error (preflight-cli.ts).
import { preflightExitCodes, preflightMain } from "./preflight-cli";

let code: number;
try {
    code = preflightMain(process.argv.slice(2), process.stdout, process.stderr);
} catch (error) {
    process.stderr.write(`preflight failed: ${(error as Error).stack ?? error}\n`);
    code = preflightExitCodes.error;
}
// Let stdout drain: the exit code is set, nothing else keeps the process alive.
process.exitCode = code;
