// `npm run status -- <stack> [--config FILE] [--json]`: each sandbox of the stack, read
// with kubectl (KUBECTL overrides the binary; the current kubeconfig context): its
// phase, why it is not ready, and the start-up script's per-step timings, from its
// Deployment or, on backend agent-sandbox, its Sandbox or SandboxClaim. `pulumi up`
// does not wait for sandboxes (components/await-rules.ts): this is where their
// readiness is reported. Exit codes: 0 every sandbox Ready (or suspended, or an
// agent-sandbox claim past its shutdownTime); 1 some are not; 2 usage or config
// error; 3 kubectl failed (no cluster, no permission, no agent-sandbox CRDs).
import { statusExitCodes, statusMain } from "./status-cli";

statusMain(process.argv.slice(2), process.stdout, process.stderr)
    .catch((error) => {
        process.stderr.write(`status failed: ${(error as Error).stack ?? error}\n`);
        return statusExitCodes.error;
    })
    // Let stdout drain: the exit code is set, nothing else keeps the process alive.
    .then((code) => { process.exitCode = code; });
