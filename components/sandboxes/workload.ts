// The controller and Service around a sandbox pod. One replica, Recreate (the
// volumes are ReadWriteOnce), zero replicas while the developer is suspended.

import { DevicesConfig, PlatformConfig } from "../config/schema";
import { Deployment, PodSpec, Service } from "../manifest";
import { commonLabels, labels } from "../naming";
import { sandboxServedPorts } from "./ports";
import { buildEnvboxPodSpec, k3sNvidiaRuntimeClassName } from "./envbox";
import { buildIsolatedPodSpec } from "./isolated";
import { SandboxPlan } from "./plan";
import { startScriptTemplateAnnotations } from "./start-script";
import { sandboxWorkloadAwaitAnnotations } from "../await-rules";

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

export function buildSandboxPodSpec(sandbox: SandboxPlan, config: Pick<PlatformConfig, "runtimes"> & { devices: DevicesConfig; cluster?: Pick<PlatformConfig["cluster"], "distribution"> }): PodSpec {
    return sandbox.runtime === "envbox"
        ? buildEnvboxPodSpec(sandbox, config.devices, { sshAccess: true, gpuRuntimeClassName: gpuRuntimeClassName(config) })
        : buildIsolatedPodSpec(sandbox, config);
}

/** K3s runs GPU pods through its `nvidia` RuntimeClass (runc stays its default handler). */
export function gpuRuntimeClassName(config: { cluster?: Pick<PlatformConfig["cluster"], "distribution"> }): string | undefined {
    return config.cluster?.distribution === "k3s" ? k3sNvidiaRuntimeClassName : undefined;
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

/**
 * What the platform's own sandboxes add to their controller (not the Coder template, which
 * reuses buildSandboxDeployment under Terraform and mounts no start-up script): applied
 * without waiting, as a cold start may take the startup probe's 30 minutes (await-rules.ts;
 * for a Deployment skipAwait also skips the wait on its deletion), and restarted when the
 * namespace's shared start-up script changes (start-script.ts).
 */
export function managedSandboxDeployment(deployment: Deployment): Deployment {
    const spec = deployment.spec!;
    return {
        ...deployment,
        metadata: { ...deployment.metadata, annotations: { ...deployment.metadata?.annotations, ...sandboxWorkloadAwaitAnnotations() } },
        spec: {
            ...spec,
            template: { ...spec.template, metadata: { ...spec.template.metadata, annotations: { ...spec.template.metadata?.annotations, ...startScriptTemplateAnnotations() } } },
        },
    };
}

export function buildSandboxService(sandbox: SandboxPlan): Service {
    return {
        apiVersion: "v1",
        kind: "Service",
        // Its await would wait for a ready pod, as long as the Deployment's (await-rules.ts).
        metadata: { name: sandbox.name, namespace: sandbox.namespace, labels: sandboxLabels(sandbox), annotations: sandboxWorkloadAwaitAnnotations() },
        spec: {
            type: "ClusterIP",
            selector: sandboxSelector(sandbox),
            // Only what the pod serves: sshd, and code-server when the start-up script starts it.
            ports: sandboxServedPorts().map(({ name, servicePort, port }) => ({ name, port: servicePort, targetPort: port, protocol: "TCP" })),
        },
    };
}
