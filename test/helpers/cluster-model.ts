// A cluster as the reachability suite sees it: every pod and Service the platform renders
// (from the real program's output), plus the pods that Helm charts and K3s create, with the
// labels and ports their upstream sources give them, plus nodes and outside addresses.

import { CapturedResource } from "../../tools/program-runner";
import { helmReleases, isKubernetesObject } from "../../tools/render-files";
import * as YAML from "yaml";
import { PlatformConfig } from "../../components/config/schema";
import { ClusterModel, ContainerPort, Labels, NetworkPolicyObject, PodModel, ServiceModel } from "./netpol-evaluator";

export const nodes = [
    { name: "server-1", ips: ["192.168.1.10", "fd12::10"] },
    { name: "agent-1", ips: ["192.168.1.11", "fd12::11"] },
];
export const apiServerEndpoint = { ip: "192.168.1.10", port: 6443 };

export interface BuiltModel {
    model: ClusterModel;
    /** Pods by role: rendered sandboxes plus the upstream-derived ones below. */
    roles: Record<string, PodModel[]>;
    services: Record<string, ServiceModel>;
}

function containerPorts(spec: Record<string, any>): ContainerPort[] {
    return (spec.containers ?? []).flatMap((c: any) => (c.ports ?? []).map((p: any) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })));
}

function helmReleaseValues(resources: CapturedResource[]) {
    return helmReleases(resources).map((release) => ({
        ...release, namespace: release.namespace ?? "default",
        values: (release.values.valuesContent ? YAML.parse(String(release.values.valuesContent)) : release.values) as Record<string, any>,
    }));
}

export function buildClusterModel(resources: CapturedResource[], config: PlatformConfig): BuiltModel {
    const objects = resources.filter(isKubernetesObject).map((r) => r.inputs as Record<string, any>);
    let podIndex = 0;
    const podIp = () => { podIndex += 1; return `10.42.${Math.floor(podIndex / 250)}.${(podIndex % 250) + 2}`; };
    let serviceIndex = 100;
    const serviceIp = () => { serviceIndex += 1; return `10.43.${Math.floor(serviceIndex / 250)}.${serviceIndex % 250}`; };
    const pods: PodModel[] = [];
    const roles: Record<string, PodModel[]> = {};
    const add = (role: string, pod: Omit<PodModel, "ips" | "node"> & { node?: string }) => {
        const full: PodModel = { node: nodes[pods.length % 2].name, ...pod, ips: [podIp()] };
        pods.push(full);
        (roles[role] ??= []).push(full);
        return full;
    };

    // Rendered workloads: one pod per controller (sandbox Deployments, DaemonSets, ...).
    for (const object of objects.filter((o) => ["Deployment", "DaemonSet", "StatefulSet"].includes(o.kind))) {
        const template = object.spec.template;
        const labels: Labels = template.metadata?.labels ?? {};
        const role = labels["sandbox-platform.io/sandbox"] !== undefined ? "sandbox" : `workload:${object.metadata.name}`;
        add(role, {
            namespace: object.metadata.namespace, name: object.metadata.name, labels,
            ports: containerPorts(template.spec), hostNetwork: template.spec.hostNetwork === true,
            // The sandbox's sshd listens on 2222 and code-server on 13337 (Service targetPorts).
            ...(role === "sandbox" ? { ports: [{ name: "sshd", containerPort: 2222 }, { name: "code-server", containerPort: 13337 }, { name: "dockerd", containerPort: 2375 }] } : {}),
        });
    }
    // agent-sandbox (kubernetes-sigs/agent-sandbox v0.5.6): the controller creates one pod per Sandbox
    // with the pod template's labels minus `agents.x-k8s.io/` keys, plus its name-hash label
    // (controllers/sandbox_controller.go reconcilePod, isSystemLabel). A SandboxClaim's pod is its warm
    // pool's template pod plus the claim's additionalPodMetadata labels and `agents.x-k8s.io/claim-uid`
    // (extensions/controllers/sandboxclaim_controller.go completeAdoption, createSandbox); each warm pool
    // keeps `replicas` unclaimed template pods labelled `agents.x-k8s.io/warm-pool-sandbox`.
    const userLabels = (labels: Labels): Labels => Object.fromEntries(Object.entries(labels).filter(([key]) => !/^(extensions\.)?agents\.x-k8s\.io\//.test(key)));
    const sandboxPod = (namespace: string, name: string, labels: Labels, system: Labels) => add("sandbox", {
        namespace, name, labels: { ...userLabels(labels), "agents.x-k8s.io/sandbox-name-hash": `hash-${name}`, ...system },
        ports: [{ name: "sshd", containerPort: 2222 }, { name: "code-server", containerPort: 13337 }, { name: "dockerd", containerPort: 2375 }],
    });
    for (const sandbox of objects.filter((o) => o.kind === "Sandbox")) {
        sandboxPod(sandbox.metadata.namespace, sandbox.metadata.name, sandbox.spec.podTemplate.metadata?.labels ?? {}, {});
    }
    const templateOf = (namespace: string, pool: string) => {
        const warmPool = objects.find((o) => o.kind === "SandboxWarmPool" && o.metadata.namespace === namespace && o.metadata.name === pool);
        return objects.find((o) => o.kind === "SandboxTemplate" && o.metadata.namespace === namespace && o.metadata.name === warmPool?.spec.sandboxTemplateRef.name);
    };
    for (const claim of objects.filter((o) => o.kind === "SandboxClaim")) {
        const template = templateOf(claim.metadata.namespace, claim.spec.warmPoolRef.name);
        sandboxPod(claim.metadata.namespace, claim.metadata.name, { ...template?.spec.podTemplate.metadata?.labels, ...claim.spec.additionalPodMetadata?.labels },
            { "agents.x-k8s.io/claim-uid": `uid-${claim.metadata.name}` });
    }
    for (const pool of objects.filter((o) => o.kind === "SandboxWarmPool")) {
        const template = templateOf(pool.metadata.namespace, pool.metadata.name);
        for (let i = 0; i < (pool.spec.replicas ?? 1); i++) {
            sandboxPod(pool.metadata.namespace, `${pool.metadata.name}-warm-${i}`, template?.spec.podTemplate.metadata?.labels ?? {}, { "agents.x-k8s.io/warm-pool-sandbox": `hash-${pool.metadata.name}` });
        }
    }
    // A Coder workspace (the template's Deployment in the workspaces namespace).
    if (config.coder.enabled) {
        add("sandbox", {
            namespace: "coder-workspaces", name: "coder-alice-dev",
            labels: { "sandbox-platform.io/sandbox": "coder-alice-dev", "app.kubernetes.io/part-of": "sandbox-platform" },
            ports: [{ name: "dockerd", containerPort: 2375 }],
        });
        // coder chart (helm/coder, libcoder): selector labels name=coder, instance=<release>; port http 8080;
        // Prometheus on 2112 when enabled.
        add("coderd", {
            namespace: config.coder.namespace, name: "coder",
            labels: { "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder", "app.kubernetes.io/part-of": "coder" },
            ports: [{ name: "http", containerPort: 8080 }, { name: "prometheus", containerPort: 2112 }],
        });
        if (config.coder.postgres.mode === "cloudnative-pg") {
            // CloudNativePG instance pods: cnpg.io/cluster=<name>, cnpg.io/podRole=instance; 5432, 8000 status, 9187 metrics.
            for (const n of [1, 2]) {
                add("postgres", {
                    namespace: config.coder.namespace, name: `coder-db-${n}`,
                    labels: { "cnpg.io/cluster": "coder-db", "cnpg.io/podRole": "instance", "cnpg.io/instanceName": `coder-db-${n}` },
                    ports: [{ name: "postgresql", containerPort: 5432 }, { name: "status", containerPort: 8000 }, { name: "metrics", containerPort: 9187 }],
                });
            }
            // cloudnative-pg chart: selector labels name=cloudnative-pg, instance=<release>; metrics 8080, webhook-server 9443.
            add("cnpg-operator", {
                namespace: "cnpg-system", name: "cnpg-cloudnative-pg", node: "agent-1",
                labels: { "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": "cnpg" },
                ports: [{ name: "metrics", containerPort: 8080 }, { name: "webhook-server", containerPort: 9443 }],
            });
        }
    }
    // Chart pods in kube-system, labelled as their templates label them (test/upstream/chart-knobs.ts sources):
    // kata-deploy 4.1.0 `name: kata-deploy` plus values `podLabels` (a `name` key there is ignored), health port 8090;
    // nvidia-device-plugin 0.20.0 and its NFD subchart: `app.kubernetes.io/name`, `app.kubernetes.io/instance: <release>`.
    for (const release of helmReleaseValues(resources)) {
        if (release.chart.endsWith("kata-deploy")) {
            const { name: _ignored, ...podLabels } = (release.values.podLabels ?? {}) as Labels;
            add("installer:kata-deploy", { namespace: release.namespace, name: "kata-deploy", labels: { ...podLabels, name: "kata-deploy" }, ports: [{ name: "health", containerPort: 8090 }] });
        }
        if (release.chart.endsWith("nvidia-device-plugin")) {
            for (const name of ["nvidia-device-plugin", "gpu-feature-discovery", "node-feature-discovery"]) {
                add(`installer:${name}`, {
                    namespace: release.namespace, name,
                    labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": release.release }, ports: [{ name: "http", containerPort: 8080 }],
                });
            }
        }
    }
    // K3s' own pods in kube-system, which no platform policy may select: metrics-server (k8s-app=metrics-server,
    // k3s-io/k3s manifests/metrics-server/metrics-server-deployment.yaml), local-path-provisioner
    // (app=local-path-provisioner, manifests/local-storage.yaml), Traefik (traefik chart labels) and CoreDNS (k8s-app=kube-dns).
    add("k3s-system", { namespace: "kube-system", name: "metrics-server", labels: { "k8s-app": "metrics-server" }, ports: [{ name: "https", containerPort: 10250 }] });
    add("k3s-system", { namespace: "kube-system", name: "local-path-provisioner", labels: { app: "local-path-provisioner" }, ports: [] });
    add("traefik", {
        namespace: "kube-system", name: "traefik",
        labels: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-kube-system" },
        ports: [{ name: "web", containerPort: 8000 }, { name: "websecure", containerPort: 8443 }],
    });
    add("coredns", {
        namespace: "kube-system", name: "coredns", labels: { "k8s-app": "kube-dns" },
        ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }, { name: "dns-tcp", containerPort: 53 }],
    });
    // The access path (a Boundary worker) and two pods that try to pass for it.
    add("boundary-worker", {
        namespace: config.network.accessFrom.namespace, name: "boundary-worker",
        labels: { ...config.network.accessFrom.podLabels, app: "boundary-worker" }, ports: [{ name: "proxy", containerPort: 9202 }],
    });
    add("impostor", {
        namespace: "boundary-fake", name: "impostor",
        labels: { ...config.network.accessFrom.podLabels, app: "boundary-worker" }, ports: [],
    });
    add("attacker", { namespace: "tenant-x", name: "attacker", labels: { app: "attacker" }, ports: [{ name: "http", containerPort: 8080 }] });

    const namespaces = [
        ...objects.filter((o) => o.kind === "Namespace").map((o) => ({ name: o.metadata.name as string, labels: (o.metadata.labels ?? {}) as Labels })),
        { name: "kube-system", labels: {} },
        { name: "default", labels: {} },
        { name: "tenant-x", labels: {} },
        // Claims the trusted namespace's name as a label; the API server's own label says otherwise.
        { name: "boundary-fake", labels: { "kubernetes.io/metadata.name": config.network.accessFrom.namespace, name: config.network.accessFrom.namespace } },
    ];
    if (!namespaces.some((n) => n.name === config.network.accessFrom.namespace)) {
        namespaces.push({ name: config.network.accessFrom.namespace, labels: {} });
    }

    const services: Record<string, ServiceModel> = {
        "kubernetes": { namespace: "default", name: "kubernetes", clusterIP: "10.43.0.1", ports: [{ port: 443, targetPort: 6443 }], endpoints: [apiServerEndpoint] },
        "kube-dns": {
            namespace: "kube-system", name: "kube-dns", clusterIP: "10.43.0.10", selector: { "k8s-app": "kube-dns" },
            ports: [{ port: 53, targetPort: 53, protocol: "UDP" }, { port: 53, targetPort: 53, protocol: "TCP" }],
        },
    };
    if (config.coder.enabled) {
        services.coder = { namespace: config.coder.namespace, name: "coder", clusterIP: "10.43.0.20", ports: [{ port: 80, targetPort: "http" }], selector: { "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder" } };
        services["coder-db-rw"] = { namespace: config.coder.namespace, name: "coder-db-rw", clusterIP: "10.43.0.21", ports: [{ port: 5432, targetPort: 5432 }], selector: { "cnpg.io/cluster": "coder-db" } };
    }
    for (const object of objects.filter((o) => o.kind === "Service")) {
        services[`${object.metadata.namespace}/${object.metadata.name}`] = {
            namespace: object.metadata.namespace, name: object.metadata.name, clusterIP: serviceIp(),
            ports: object.spec.ports.map((p: any) => ({ port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol })),
            selector: object.spec.selector,
        };
    }
    const policies = objects.filter((o) => o.kind === "NetworkPolicy") as NetworkPolicyObject[];
    return { model: { namespaces, pods, nodes, services: Object.values(services), policies }, roles, services };
}
