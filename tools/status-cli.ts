// The `npm run status` command (tools/status.ts): which sandboxes the stack has (its
// config, as the program plans them), what kubectl says about them, one line each.

import { execFile } from "child_process";
import { promisify } from "util";
import { planTeamSandboxes } from "../components/sandboxes/plan";
import { labels, teamNamespace } from "../components/naming";
import { workspaceHome } from "../components/sandboxes/envbox";
import { loadStack } from "./render-stack";
import { DeploymentObject, PodObject, StartLog, formatStatus, parseStartLog, sandboxStatus } from "./sandbox-status";

export const statusExitCodes = { ready: 0, notReady: 1, error: 2, kubectl: 3 } as const;
const usage = "usage: npm run status -- <stack> [--config FILE] [--json]";

/** Where the start-up script keeps its log: the workspace user's home, on the home volume (sandbox-start.sh state_dir). */
export const startLogPath = `${workspaceHome}/.sandbox/start.log`;

export type Kubectl = (args: string[]) => Promise<string>;

const run = promisify(execFile);
export const kubectl: Kubectl = async (args) => (await run(process.env.KUBECTL ?? "kubectl", args, { maxBuffer: 256 * 2 ** 20 })).stdout;

/** The script's log: envbox's outer container mounts the home volume at the same path; other runtimes log it to the container's stderr too. */
async function readStartLog(run: Kubectl, namespace: string, pod: string, container: string, envbox: boolean): Promise<StartLog | undefined> {
    try {
        const text = envbox
            ? await run(["exec", "-n", namespace, pod, "-c", container, "--", "cat", startLogPath])
            : await run(["logs", "-n", namespace, pod, "-c", container, "--tail=500"]);
        return parseStartLog(text);
    } catch {
        return undefined;
    }
}

export async function statusMain(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream, runKubectl: Kubectl = kubectl): Promise<number> {
    const positional: string[] = [];
    let configFile: string | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--json") {
            json = true;
        } else if (argv[i] === "--config") {
            configFile = argv[++i];
        } else if (argv[i].startsWith("-")) {
            stderr.write(`unknown option ${argv[i]}; ${usage}\n`);
            return statusExitCodes.error;
        } else {
            positional.push(argv[i]);
        }
    }
    if (positional.length !== 1) {
        stderr.write(`${usage}\n`);
        return statusExitCodes.error;
    }
    let config;
    try {
        config = loadStack(positional[0], configFile).config;
    } catch (error) {
        stderr.write(`${(error as Error).message}\n`);
        return statusExitCodes.error;
    }
    const results: (ReturnType<typeof sandboxStatus> & { log?: StartLog })[] = [];
    for (const team of config.teams) {
        const namespace = teamNamespace(team.name);
        let items: (PodObject | DeploymentObject & { kind?: string })[];
        try {
            const list = JSON.parse(await runKubectl(["get", "deployments.apps,pods", "-n", namespace, "-l", labels.sandbox, "-o", "json"]));
            items = list.items ?? [];
        } catch (error) {
            stderr.write(`kubectl get in ${namespace} failed: ${(error as Error).message.trim()}\n`);
            return statusExitCodes.kubectl;
        }
        const deployments = items.filter((item: any) => item.kind === "Deployment") as DeploymentObject[];
        const pods = items.filter((item: any) => item.kind === "Pod") as PodObject[];
        for (const plan of planTeamSandboxes(team)) {
            const deployment = deployments.find((d) => d.metadata.name === plan.name);
            const status = sandboxStatus(namespace, plan.name, deployment, pods.filter((p) => p.metadata.labels?.[labels.sandbox] === plan.name));
            const log = status.pod && status.container
                ? await readStartLog(runKubectl, namespace, status.pod, status.container, plan.runtime === "envbox")
                : undefined;
            results.push({ ...status, ...(log ? { log } : {}) });
        }
    }
    if (json) {
        stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } else {
        for (const result of results) {
            stdout.write(`${formatStatus(result, result.log)}\n`);
        }
        const ready = results.filter((r) => r.phase === "Ready").length;
        stdout.write(`${ready}/${results.length} sandboxes ready\n`);
    }
    return results.every((r) => r.phase === "Ready" || r.phase === "Suspended") ? statusExitCodes.ready : statusExitCodes.notReady;
}
