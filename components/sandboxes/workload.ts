// The controller and Service around a sandbox pod. One replica, Recreate (the
// volumes are ReadWriteOnce), zero replicas while the developer is suspended.

import { DevicesConfig, PlatformConfig } from "../config/schema";
import { Deployment, PodSpec, Service } from "../manifest";
import { commonLabels, labels } from "../naming";
import { sandboxPorts } from "../cluster/network-policies";
import { sshdPort } from "../access/sshd";
import { buildEnvboxPodSpec } from "./envbox";
import { buildIsolatedPodSpec } from "./isolated";
import { SandboxPlan } from "./plan";

export function sandboxSelector(sandbox: SandboxPlan): Record<string, string> {
    return { [labels.sandbox]: sandbox.name };
}

export function sandboxLabels(sandbox: SandboxPlan): Record<string, string> {
    return {
        ...commonLabels("sandbox"),
        ...sandboxSelector(sandbox),
        [labels.team]: sandbox.team,
        [labels.runtime]: sandbox.runtime,
        ...(sandbox.developer ? { [labels.developer]: sandbox.developer } : {}),
    };
}

export function buildSandboxPodSpec(sandbox: SandboxPlan, config: Pick<PlatformConfig, "runtimes"> & { devices: DevicesConfig }): PodSpec {
    return sandbox.runtime === "envbox" ? buildEnvboxPodSpec(sandbox, config.devices) : buildIsolatedPodSpec(sandbox, config);
}

export function buildSandboxDeployment(sandbox: SandboxPlan, podSpec: PodSpec): Deployment {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: sandbox.name, namespace: sandbox.namespace, labels: sandboxLabels(sandbox) },
        spec: {
            replicas: sandbox.suspended ? 0 : 1,
            strategy: { type: "Recreate" },
            revisionHistoryLimit: 3,
            selector: { matchLabels: sandboxSelector(sandbox) },
            template: { metadata: { labels: sandboxLabels(sandbox) }, spec: podSpec },
        },
    };
}

export function buildSandboxService(sandbox: SandboxPlan): Service {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: sandbox.name, namespace: sandbox.namespace, labels: sandboxLabels(sandbox) },
        spec: {
            type: "ClusterIP",
            selector: sandboxSelector(sandbox),
            ports: [
                { name: "ssh", port: sandboxPorts.ssh, targetPort: sshdPort, protocol: "TCP" },
                { name: "code-server", port: sandboxPorts.codeServer, targetPort: sandboxPorts.codeServer, protocol: "TCP" },
            ],
        },
    };
}
