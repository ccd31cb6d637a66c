// The `npm run status` command (tools/status.ts): which sandboxes the stack has (its
// config, as the program plans them), what kubectl says about them, one line each.

import { execFile } from "child_process";
import { promisify } from "util";
import { SandboxPlan, planTeamSandboxes } from "../components/sandboxes/plan";
import { labels, teamNamespace } from "../components/naming";
import { workspaceHome } from "../components/sandboxes/envbox";
import { loadStack } from "./render-stack";
import { TeamConfig } from "../components/config/schema";
import { AgentSandboxObject, DeploymentObject, PodObject, SandboxClaimObject, SandboxStatus, StartLog, agentSandboxStatus, claimedMemberStatus, formatStatus, parseStartLog, sandboxStatus } from "./sandbox-status";

export const statusExitCodes = { ready: 0, notReady: 1, error: 2, kubectl: 3 } as const;
const usage = "usage: npm run status -- <stack> [--config FILE] [--json]";

/** Where the start-up script keeps its log: the workspace user's home, on the home volume (sandbox-start.sh state_dir). */
export const startLogPath = `${workspaceHome}/.sandbox/start.log`;

export type Kubectl = (args: string[]) => Promise<string>;

/**
 * The agent-sandbox kinds as kubectl names them, at the version the platform writes and the CRDs
 * store (v1beta1; v1alpha1 is served too, deprecated): a team on that backend only, so a cluster
 * without the CRDs still reports its Deployment-backed teams.
 */
export const agentSandboxResources = { sandboxes: "sandboxes.v1beta1.agents.x-k8s.io", claims: "sandboxclaims.v1beta1.extensions.agents.x-k8s.io" } as const;

class KubectlFailed extends Error {}

async function getItems<T>(run: Kubectl, namespace: string, args: string[], hint = ""): Promise<T[]> {
    try {
        return JSON.parse(await run(["get", ...args.slice(0, 1), "-n", namespace, ...args.slice(1), "-o", "json"])).items ?? [];
    } catch (error) {
        throw new KubectlFailed(`kubectl get in ${namespace} failed: ${(error as Error).message.trim()}${hint}`);
    }
}

/** A Deployment-backed team: `kubectl get deployments.apps,pods -l sandbox-platform.io/sandbox`, as before the agent-sandbox backend. */
async function deploymentTeam(run: Kubectl, team: TeamConfig, plans: SandboxPlan[]): Promise<SandboxStatus[]> {
    const namespace = teamNamespace(team.name);
    const items = await getItems<(PodObject | DeploymentObject) & { kind?: string }>(run, namespace, ["deployments.apps,pods", "-l", labels.sandbox]);
    const deployments = items.filter((item) => item.kind === "Deployment") as DeploymentObject[];
    const pods = items.filter((item) => item.kind === "Pod") as PodObject[];
    return plans.map((plan) =>
        sandboxStatus(namespace, plan.name, deployments.find((d) => d.metadata.name === plan.name), pods.filter((p) => p.metadata.labels?.[labels.sandbox] === plan.name)));
}

/**
 * An agent-sandbox team: its Sandboxes (and SandboxClaims when ephemeral) without a label
 * selector, since the Sandboxes a warm pool makes carry only the controller's labels, and the
 * pods with the platform's label (every pod's template has it; an ephemeral member's is the pool's).
 */
async function agentSandboxTeam(run: Kubectl, team: TeamConfig, plans: SandboxPlan[]): Promise<SandboxStatus[]> {
    const namespace = teamNamespace(team.name);
    const ephemeral = team.allocation === "ephemeral";
    const hint = ` (team ${team.name} has backend: agent-sandbox: its CRDs and controller come with agentSandbox.enabled on the platform stack)`;
    const kinds = ephemeral ? `${agentSandboxResources.sandboxes},${agentSandboxResources.claims}` : agentSandboxResources.sandboxes;
    const objects = await getItems<(AgentSandboxObject | SandboxClaimObject) & { kind?: string }>(run, namespace, [kinds], hint);
    const pods = await getItems<PodObject>(run, namespace, ["pods", "-l", labels.sandbox]);
    const sandboxes = objects.filter((item) => item.kind === "Sandbox") as AgentSandboxObject[];
    const claims = objects.filter((item) => item.kind === "SandboxClaim") as SandboxClaimObject[];
    return plans.map((plan) => plan.ephemeral
        ? claimedMemberStatus(namespace, plan.name, claims.find((c) => c.metadata.name === plan.name), sandboxes, pods)
        : agentSandboxStatus(namespace, plan.name, sandboxes.find((s) => s.metadata.name === plan.name), pods));
}

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
    const results: (SandboxStatus & { log?: StartLog })[] = [];
    for (const team of config.teams) {
        // One status per plan, in the plans' order.
        const plans = planTeamSandboxes(team);
        let statuses: SandboxStatus[];
        try {
            statuses = team.backend === "agent-sandbox" ? await agentSandboxTeam(runKubectl, team, plans) : await deploymentTeam(runKubectl, team, plans);
        } catch (error) {
            if (!(error instanceof KubectlFailed)) {
                throw error;
            }
            stderr.write(`${error.message}\n`);
            return statusExitCodes.kubectl;
        }
        for (const [i, status] of statuses.entries()) {
            const log = status.pod && status.container
                ? await readStartLog(runKubectl, status.namespace, status.pod, status.container, plans[i].runtime === "envbox")
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
    return results.every((r) => r.phase === "Ready" || r.phase === "Suspended" || r.phase === "Expired") ? statusExitCodes.ready : statusExitCodes.notReady;
}
