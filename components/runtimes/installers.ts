// Node-level installers: Helm release specs and the smarter-device-manager DaemonSet. Pure.

import { stringifyYaml } from "../yaml";
import { PlatformConfig } from "../config/schema";
import { ConfigMap, DaemonSet } from "../manifest";
import { commonLabels, labels } from "../naming";
import { HelmReleaseSpec } from "../platform/helm";
import { kataDeployChart, kataDeployImage, nvidiaDevicePluginChart, smarterDeviceManagerImage, sysboxDeployImage } from "../versions";

/**
 * The node-level installers this platform deploys that need the host (privileged:
 * sysbox-deploy-k8s, kata-deploy; hostPath: smarter-device-manager), by pinned
 * image: exactly the policy pack's installer allowlist.
 */
export const privilegedInstallerImages = [sysboxDeployImage, `${kataDeployImage.repository}:${kataDeployImage.tag}`, smarterDeviceManagerImage];

/**
 * kata-deploy's own rollout budget (chart values `verification.daemonsetTimeout`, 1200 s at
 * 4.1.0) plus a margin: Helm must not give up (and Pulumi's default 300 s would) while
 * the DaemonSet is still pulling its image and installing on the nodes.
 */
export const kataDeployTimeoutSeconds = 1200 + 300;

/**
 * Label on the platform's installer pods in kube-system that call the Kubernetes API: the
 * kube-system NetworkPolicies give those (and only those) egress to the API server.
 */
export const apiClientLabel = { key: labels.apiClient, value: "true" } as const;

/**
 * kata-deploy's container resources (chart key `resources`, kata-deploy 4.1.0 values.yaml).
 * Requests are the chart's own measured figures (25m, 16Mi: "VmRSS ... under 10 MiB").
 * The chart sets no memory limit because copying the artifacts fills page cache ("the
 * CoCo/nydus CI image is ~1.6 GiB"); ours is above that figure, and CPU is capped at one core.
 */
export const kataDeployResources = { requests: { cpu: "25m", memory: "16Mi" }, limits: { cpu: "1", memory: "2Gi" } };

/** NVIDIA device plugin and GPU feature discovery main containers (chart key `resources`; the chart sets none). */
export const nvidiaDevicePluginResources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

export function kataDeployRelease(config: Pick<PlatformConfig, "cluster" | "runtimes">): HelmReleaseSpec {
    return {
        name: "kata-deploy", namespace: "kube-system", repo: kataDeployChart.repo, chart: kataDeployChart.chart, version: kataDeployChart.version,
        timeoutSeconds: kataDeployTimeoutSeconds,
        // A failed node-level install stays for inspection instead of being rolled back and deleted.
        atomic: false,
        values: {
            k8sDistribution: config.cluster.distribution === "k3s" ? "k3s" : "k8s",
            image: { reference: kataDeployImage.repository, tag: kataDeployImage.tag },
            // A shim left unset follows disableAll (null = enabled unless disableAll): install only ours.
            shims: { disableAll: true, ...Object.fromEntries(config.runtimes.kata.shims.map((shim) => [shim, { enabled: true }])) },
            defaultShim: { amd64: config.runtimes.kata.shims[0] },
            // None of the shims offered here uses a snapshotter (chart default sets up nydus).
            snapshotter: { setup: [] },
            // RuntimeClasses (with overhead and node selector) come from runtime-classes.ts.
            runtimeClasses: { enabled: false },
            resources: kataDeployResources,
            // The chart keeps its own `name: kata-deploy` label and adds these: the kube-system
            // NetworkPolicies select the platform's pods by them (network-policies.ts).
            podLabels: { ...commonLabels("runtimes"), [apiClientLabel.key]: apiClientLabel.value },
        },
    };
}

const runtimeDefaultSeccomp = { seccompProfile: { type: "RuntimeDefault" } };

export function nvidiaDevicePluginRelease(config: Pick<PlatformConfig, "cluster" | "gpu">): HelmReleaseSpec {
    const sharing = { version: "v1", sharing: { timeSlicing: { resources: [{ name: "nvidia.com/gpu", replicas: config.gpu.timeSlicingReplicas }] } } };
    return {
        name: "nvidia-device-plugin", namespace: "kube-system", repo: nvidiaDevicePluginChart.repo, chart: nvidiaDevicePluginChart.chart,
        version: nvidiaDevicePluginChart.version,
        values: {
            // K3s ships the `nvidia` RuntimeClass when it finds nvidia-container-runtime on a node.
            ...(config.cluster.distribution === "k3s" ? { runtimeClassName: "nvidia" } : {}),
            // GPU feature discovery (with NFD) labels GPU nodes so that the plugin's DaemonSet schedules.
            gfd: { enabled: true },
            // Pod seccomp RuntimeDefault for the plugin, GFD and the NFD subchart (chart keys
            // `podSecurityContext`, `nfd.<master|worker|gc>.podSecurityContext`; all empty by default).
            // Kubernetes runs a privileged container (GFD's default) Unconfined whatever the pod says.
            podSecurityContext: runtimeDefaultSeccomp,
            nfd: {
                enabled: true,
                master: { podSecurityContext: runtimeDefaultSeccomp },
                worker: { podSecurityContext: runtimeDefaultSeccomp },
                gc: { podSecurityContext: runtimeDefaultSeccomp },
            },
            // The plugin's and GFD's main containers; the chart's init/sidecar config managers have no
            // resources key, and its NFD subchart sets its own limits (docs/isolation.md "Hardening exceptions").
            resources: nvidiaDevicePluginResources,
            ...(config.gpu.timeSlicingReplicas > 1 ? { config: { map: { default: stringifyYaml(sharing) }, default: "default" } } : {}),
        },
    };
}

export const smarterDeviceLabel = { key: "smarter-device-manager", value: "enabled" };

export function buildSmarterDeviceManager(config: Pick<PlatformConfig, "devices">): { config: ConfigMap; daemonSet: DaemonSet } {
    const labels = commonLabels("runtimes");
    const devices = [
        ...(config.devices.fuse ? [{ devicematch: "^fuse$", nummaxdevices: 64 }] : []),
        ...(config.devices.tun ? [{ devicematch: "^net/tun$", nummaxdevices: 64 }] : []),
    ];
    return {
        config: {
            apiVersion: "v1", kind: "ConfigMap",
            metadata: { name: "smarter-device-manager", namespace: "kube-system", labels },
            data: { "conf.yaml": stringifyYaml(devices) },
        },
        daemonSet: {
            apiVersion: "apps/v1", kind: "DaemonSet",
            metadata: { name: "smarter-device-manager", namespace: "kube-system", labels },
            spec: {
                selector: { matchLabels: { name: "smarter-device-manager" } },
                template: {
                    metadata: { labels: { ...labels, name: "smarter-device-manager" } },
                    spec: {
                        nodeSelector: { [smarterDeviceLabel.key]: smarterDeviceLabel.value },
                        priorityClassName: "system-node-critical",
                        hostname: "smarter-device-management",
                        automountServiceAccountToken: false,
                        containers: [{
                            name: "smarter-device-manager",
                            image: smarterDeviceManagerImage,
                            // Writes only its socket under the device-plugins hostPath: the image root can be read-only.
                            securityContext: {
                                allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            resources: { requests: { cpu: "10m", memory: "15Mi" }, limits: { cpu: "100m", memory: "15Mi" } },
                            volumeMounts: [
                                { name: "device-plugin", mountPath: "/var/lib/kubelet/device-plugins" },
                                { name: "dev-dir", mountPath: "/dev", readOnly: true },
                                { name: "sys-dir", mountPath: "/sys", readOnly: true },
                                { name: "config", mountPath: "/root/config" },
                            ],
                        }],
                        volumes: [
                            { name: "device-plugin", hostPath: { path: "/var/lib/kubelet/device-plugins" } },
                            { name: "dev-dir", hostPath: { path: "/dev" } },
                            { name: "sys-dir", hostPath: { path: "/sys" } },
                            { name: "config", configMap: { name: "smarter-device-manager" } },
                        ],
                        terminationGracePeriodSeconds: 30,
                    },
                },
            },
        },
    };
}
