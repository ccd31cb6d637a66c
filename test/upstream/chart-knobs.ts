// Oracle: for each Helm chart the platform installs, at the pinned version, the pods its
// templates render with the values the platform passes, and for each container the values
// key (if any) that sets its resources and its securityContext, with the chart's default.
// Derived by reading the charts' sources (not copied):
//   kata-deploy 4.1.0: kata-containers/kata-containers tools/packaging/kata-deploy/helm-chart/kata-deploy/
//     values.yaml (`resources`, `podLabels`, `tolerations`), templates/kata-deploy.yaml (container
//     `kube-kata`, securityContext hard-coded `privileged: false, readOnlyRootFilesystem: true`,
//     no hostNetwork), templates/kata-cleanup-rbac-job.yaml (post-delete Job `rb-cleanup`, no
//     resources or securityContext, image `kubectlImage` with tag `latest`).
//   nvidia-device-plugin 0.20.0: NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin/
//     values.yaml, templates/daemonset-device-plugin.yml, daemonset-gfd.yml, _helpers.tpl
//     (`nvidia-device-plugin.securityContext`: `securityContext` if set, else
//     allowPrivilegeEscalation false + drop ALL unless a MIG strategy or volume-mounts device list
//     needs SYS_ADMIN; GFD: `gfd.securityContext`, default `privileged: true`), and its
//     node-feature-discovery 0.19.0 subchart values.yaml (master/worker/gc resources and
//     securityContexts, hostNetwork false).
//   cloudnative-pg 0.27.1: cloudnative-pg/charts charts/cloudnative-pg/values.yaml, templates/deployment.yaml.
//   coder 2.33.x: coder/coder helm/libcoder/templates/_coder.yaml @ 02a7285 (`coder.resources`,
//     default 2000m/4096Mi; `coder.securityContext` verbatim; `coder.podSecurityContext`).

export interface ChartContainer {
    /** Workload and container as the chart renders them (namespace = the release's). */
    workload: string;
    container: string;
    /** Values path of the container's resources, or undefined when the chart exposes none. */
    resourcesKey?: string;
    /** The chart's resources when the key is left unset. */
    defaultResources?: Record<string, Record<string, string>>;
    /** Values path of the container's securityContext, or undefined when the template hard-codes it. */
    securityContextKey?: string;
    /** What the chart renders when the key is unset (or always, without a key). */
    defaultSecurityContext: Record<string, any>;
    /** Pod-level securityContext values path and default. */
    podSecurityContextKey?: string;
    defaultPodSecurityContext?: Record<string, any>;
    /** Whether the pod runs in the host's network namespace by default (kata-deploy and coder: never). */
    hostNetwork: boolean;
    /** Values key that turns the host network on, if the chart has one. */
    hostNetworkKey?: string;
    /** Only rendered on uninstall (a Helm hook). */
    hook?: string;
}

export interface ChartKnobs {
    chart: string;
    version: string;
    source: string;
    containers: ChartContainer[];
    /** Values path of extra pod labels, if the chart has one. */
    podLabelsKey?: string;
}

const nvidiaDefaultContainerSecurity = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
const nfdSecurity = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true };

export const chartKnobs: ChartKnobs[] = [
    {
        chart: "kata-deploy", version: "4.1.0", source: "kata-containers/kata-containers tools/packaging/kata-deploy/helm-chart/kata-deploy @ 4.1.0",
        podLabelsKey: "podLabels",
        containers: [
            {
                workload: "DaemonSet/kata-deploy", container: "kube-kata", resourcesKey: "resources",
                defaultResources: { requests: { cpu: "25m", memory: "16Mi" } },
                defaultSecurityContext: { privileged: false, readOnlyRootFilesystem: true }, hostNetwork: false,
            },
            { workload: "Job/kata-deploy-rb-cleanup", container: "rb-cleanup", defaultSecurityContext: {}, hostNetwork: false, hook: "post-delete" },
        ],
    },
    {
        chart: "nvidia-device-plugin", version: "0.20.0", source: "NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin @ v0.20.0",
        containers: [
            // With a config map (time slicing) each DaemonSet gains an init and a sidecar config manager.
            ...["nvidia-device-plugin-init", "nvidia-device-plugin-sidecar"].map((container) => ({
                workload: "DaemonSet/nvidia-device-plugin", container, securityContextKey: container.endsWith("init") ? undefined : "securityContext",
                defaultSecurityContext: container.endsWith("init") ? {} : nvidiaDefaultContainerSecurity,
                podSecurityContextKey: "podSecurityContext", defaultPodSecurityContext: {}, hostNetwork: false, hostNetworkKey: "devicePlugin.enableHostNetwork",
            })),
            {
                workload: "DaemonSet/nvidia-device-plugin", container: "nvidia-device-plugin-ctr", resourcesKey: "resources", defaultResources: {},
                securityContextKey: "securityContext", defaultSecurityContext: nvidiaDefaultContainerSecurity,
                podSecurityContextKey: "podSecurityContext", defaultPodSecurityContext: {}, hostNetwork: false, hostNetworkKey: "devicePlugin.enableHostNetwork",
            },
            ...["gpu-feature-discovery-init", "gpu-feature-discovery-sidecar"].map((container) => ({
                workload: "DaemonSet/nvidia-device-plugin-gpu-feature-discovery", container,
                securityContextKey: container.endsWith("init") ? undefined : "gfd.securityContext",
                defaultSecurityContext: container.endsWith("init") ? {} : { privileged: true },
                podSecurityContextKey: "podSecurityContext", defaultPodSecurityContext: {}, hostNetwork: false, hostNetworkKey: "gfd.enableHostNetwork",
            })),
            {
                workload: "DaemonSet/nvidia-device-plugin-gpu-feature-discovery", container: "gpu-feature-discovery-ctr", resourcesKey: "resources", defaultResources: {},
                securityContextKey: "gfd.securityContext", defaultSecurityContext: { privileged: true },
                podSecurityContextKey: "podSecurityContext", defaultPodSecurityContext: {}, hostNetwork: false, hostNetworkKey: "gfd.enableHostNetwork",
            },
            // node-feature-discovery 0.19.0 subchart (`nfd.*`).
            {
                workload: "Deployment/nvidia-device-plugin-node-feature-discovery-master", container: "master", resourcesKey: "nfd.master.resources",
                defaultResources: { limits: { memory: "4Gi" }, requests: { cpu: "100m", memory: "128Mi" } },
                securityContextKey: "nfd.master.securityContext", defaultSecurityContext: nfdSecurity,
                podSecurityContextKey: "nfd.master.podSecurityContext", defaultPodSecurityContext: {}, hostNetwork: false, hostNetworkKey: "nfd.master.hostNetwork",
            },
            {
                workload: "DaemonSet/nvidia-device-plugin-node-feature-discovery-worker", container: "worker", resourcesKey: "nfd.worker.resources",
                defaultResources: { limits: { memory: "512Mi" }, requests: { cpu: "5m", memory: "64Mi" } },
                securityContextKey: "nfd.worker.securityContext", defaultSecurityContext: nfdSecurity,
                podSecurityContextKey: "nfd.worker.podSecurityContext", defaultPodSecurityContext: {}, hostNetwork: false, hostNetworkKey: "nfd.worker.hostNetwork",
            },
            {
                workload: "Deployment/nvidia-device-plugin-node-feature-discovery-gc", container: "gc", resourcesKey: "nfd.gc.resources",
                defaultResources: { limits: { memory: "1Gi" }, requests: { cpu: "10m", memory: "128Mi" } },
                // templates/nfd-gc.yaml hard-codes the container's securityContext.
                defaultSecurityContext: nfdSecurity, podSecurityContextKey: "nfd.gc.podSecurityContext", defaultPodSecurityContext: {}, hostNetwork: false, hostNetworkKey: "nfd.gc.hostNetwork",
            },
        ],
    },
    {
        chart: "cloudnative-pg", version: "0.27.1", source: "cloudnative-pg/charts charts/cloudnative-pg @ cloudnative-pg-v0.27.1",
        podLabelsKey: "podLabels",
        containers: [{
            workload: "Deployment/cnpg-cloudnative-pg", container: "manager", resourcesKey: "resources", defaultResources: {},
            securityContextKey: "containerSecurityContext",
            defaultSecurityContext: {
                allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 10001, runAsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] },
            },
            podSecurityContextKey: "podSecurityContext", defaultPodSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            hostNetwork: false, hostNetworkKey: "hostNetwork",
        }],
    },
    {
        chart: "coder", version: "2.33.6", source: "coder/coder helm/libcoder/templates/_coder.yaml @ 02a7285",
        podLabelsKey: "coder.podLabels",
        containers: [{
            workload: "Deployment/coder", container: "coder", resourcesKey: "coder.resources",
            defaultResources: { limits: { cpu: "2000m", memory: "4096Mi" }, requests: { cpu: "2000m", memory: "4096Mi" } },
            securityContextKey: "coder.securityContext", defaultSecurityContext: {},
            podSecurityContextKey: "coder.podSecurityContext", defaultPodSecurityContext: {}, hostNetwork: false,
        }],
    },
];

/** Reads a dotted values path ("nfd.master.resources"). */
export function valueAt(values: any, key: string): any {
    return key.split(".").reduce((node, part) => (node === undefined || node === null ? undefined : node[part]), values);
}

/**
 * Instance pods the CloudNativePG operator creates for a `Cluster` (operator 1.28.1, the
 * appVersion of chart 0.27.1): init container `bootstrap-controller` and container `postgres`,
 * both with `spec.resources`, and `GetSecurityContext` (drop ALL, not privileged, runAsNonRoot,
 * readOnlyRootFilesystem, no escalation, seccomp from `spec.seccompProfile` else RuntimeDefault),
 * each field of `spec.securityContext` overriding it; pod `GetPodSecurityContext` (runAsNonRoot,
 * same seccomp). Source: cloudnative-pg/cloudnative-pg pkg/specs/containers.go (GetSecurityContext),
 * pkg/specs/pods.go (GetPodSecurityContext, the postgres container), api/v1/cluster_funcs.go
 * (GetSeccompProfile) @ v1.28.1.
 */
export const cnpgOperatorVersion = "1.28.1";
export function cnpgInstancePod(cluster: Record<string, any>): { pod: Record<string, any>; containers: Record<string, any>[] } {
    const seccompProfile = cluster.spec?.seccompProfile ?? { type: "RuntimeDefault" };
    const securityContext = {
        seccompProfile, capabilities: { drop: ["ALL"] }, privileged: false, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
        ...(cluster.spec?.securityContext ?? {}),
    };
    const resources = cluster.spec?.resources ?? {};
    return {
        pod: { securityContext: { seccompProfile, runAsNonRoot: true, ...(cluster.spec?.podSecurityContext ?? {}) } },
        containers: [{ name: "bootstrap-controller", resources, securityContext }, { name: "postgres", resources, securityContext }],
    };
}
