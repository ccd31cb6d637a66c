// Quotas and limits derived from the roster, so that a namespace can hold exactly
// the sandboxes it is configured for and a typo cannot take the cluster's capacity.

import { parseQuantity, formatBytes, formatCpu } from "../config/quantity";
import { PlatformConfig, TeamConfig } from "../config/schema";
import { LimitRange, ResourceQuota } from "../manifest";
import { commonLabels, teamNamespace } from "../naming";
import { planTeamSandboxes, podOverhead } from "../sandboxes/plan";
import { forwarderTotals } from "../sandboxes/envbox-network";

/** Requests and limits of each pre-pull container (one pod per node per team namespace). */
export const prePullResources = { cpu: "10m", memory: "32Mi" };

export function buildTeamQuota(team: TeamConfig, config: { cluster: Pick<PlatformConfig["cluster"], "maxNodes">; runtimes: Pick<PlatformConfig["runtimes"], "kata"> }): ResourceQuota {
    const sandboxes = planTeamSandboxes(team);
    const overhead = podOverhead(team, config);
    // envbox pods also run the unprivileged forwarders beside the outer container.
    const sidecars = team.runtime === "envbox" ? forwarderTotals({ servicePorts: true }) : { cpu: 0, memory: 0 };
    let cpu = 0, memory = 0, storage = 0, gpus = 0;
    for (const sandbox of sandboxes) {
        cpu += parseQuantity(sandbox.resources.cpu)! + overhead.cpu + sidecars.cpu;
        memory += parseQuantity(sandbox.resources.memory)! + overhead.memory + sidecars.memory;
        storage += parseQuantity(sandbox.resources.disk)! + parseQuantity(sandbox.resources.dockerCache)!;
        gpus += sandbox.gpu;
    }
    // Pre-pull pods: one per node, each an init container per image and a pause container.
    const images = new Set(sandboxes.map((sandbox) => sandbox.image)).size + 1;
    cpu += config.cluster.maxNodes * parseQuantity(prePullResources.cpu)! * images;
    memory += config.cluster.maxNodes * parseQuantity(prePullResources.memory)! * images;
    const hard: Record<string, string> = {
        "requests.cpu": formatCpu(cpu),
        "limits.cpu": formatCpu(cpu),
        "requests.memory": formatBytes(memory),
        "limits.memory": formatBytes(memory),
        "requests.storage": formatBytes(storage),
        "persistentvolumeclaims": String(sandboxes.length * 2),
        "pods": String(sandboxes.length + config.cluster.maxNodes),
        "services": String(sandboxes.length),
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    };
    if (gpus > 0) {
        hard["requests.nvidia.com/gpu"] = String(gpus);
    }
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: "sandboxes", namespace: teamNamespace(team.name), labels: commonLabels("sandboxes") },
        spec: { hard },
    };
}

/**
 * A platform stack's declared team as the roster its quota and limits are sized for: capacity.sandboxes
 * sandboxes of the declared size, capacity.gpus GPUs spread over them, capacity.images distinct images.
 * The team's own stack is refused anything beyond it (config/team-stack.ts), so the quota never bites
 * a valid team stack.
 */
export function capacityRoster(team: TeamConfig): TeamConfig {
    const capacity = team.capacity ?? { sandboxes: 0, gpus: 0, images: 1 };
    const developers = Array.from({ length: capacity.sandboxes }, (_, i) => ({
        name: `capacity-${i}`,
        gpu: Math.floor(capacity.gpus / capacity.sandboxes) + (i < capacity.gpus % capacity.sandboxes ? 1 : 0),
        // Distinct images count, not their names: each is one more init container per pre-pull pod.
        image: i > 0 && i < capacity.images ? `${team.image}#${i}` : team.image,
        suspended: false,
        resources: team.resources,
        repo: team.repo,
        workspace: team.workspace,
        env: {},
        secretEnv: {},
    }));
    return { ...team, allocation: "dedicated", poolSize: 0, developers };
}

export function buildTeamLimitRange(team: TeamConfig): LimitRange {
    const sandboxes = planTeamSandboxes(team);
    const max = (key: "cpu" | "memory" | "disk" | "dockerCache") =>
        Math.max(parseQuantity(team.resources[key])!, ...sandboxes.map((sandbox) => parseQuantity(sandbox.resources[key])!));
    return {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: { name: "sandboxes", namespace: teamNamespace(team.name), labels: commonLabels("sandboxes") },
        spec: {
            limits: [
                {
                    type: "Container",
                    default: { cpu: team.resources.cpu, memory: team.resources.memory },
                    defaultRequest: { cpu: team.resources.cpu, memory: team.resources.memory },
                    max: { cpu: formatCpu(max("cpu")), memory: formatBytes(max("memory")) },
                },
                {
                    type: "PersistentVolumeClaim",
                    max: { storage: formatBytes(Math.max(max("disk"), max("dockerCache"))) },
                },
            ],
        },
    };
}
