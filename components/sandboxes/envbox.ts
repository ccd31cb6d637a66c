// The envbox pod: a privileged outer container that runs sysbox and dockerd, and
// the developer's inner container, which envbox starts unprivileged in a user
// namespace. Layout follows Coder's kubernetes-envbox template, hardened: pinned
// image, read-only host paths, no service-account token, no host namespaces, and
// CODER_MOUNTS built only from the outer container's volume-backed mounts.

import { DevicesConfig } from "../config/schema";
import { Container, EnvVar, PodSpec, Volume } from "../manifest";
import { dockerCacheClaimName, homeClaimName, sshdConfigMapName } from "../naming";
import { sshCaConfigMapName, sshCaDir, sshdConfigDir } from "../access/sshd";
import { envboxImage } from "../versions";
import { buildBootstrapScript } from "./bootstrap";
import { SandboxPlan } from "./plan";

export const envboxCommand = ["/envbox", "docker"];
/** User the codercom workspace images run as; envbox maps it into the inner container. */
export const workspaceUser = "coder";
export const workspaceHome = `/home/${workspaceUser}`;
/** Host directory with the NVIDIA user-space libraries, and where envbox expects it. */
export const hostGpuLibraryDir = "/usr/lib/x86_64-linux-gnu";
export const envboxGpuLibraryDir = "/var/coder/usr/lib";
/** Host paths envbox needs (kernel headers and modules for sysbox), always read-only. */
export const envboxHostPaths = ["/usr/src", "/lib/modules"];

interface Mount { volume: string; path: string; subPath?: string; readOnly?: boolean }

/** Outer-container mounts that back the inner container's persistent directories. */
const persistentMounts: Mount[] = [
    { volume: "home", path: workspaceHome, subPath: "home" },
    { volume: "docker-cache", path: "/var/lib/coder/docker", subPath: "cache/docker" },
    { volume: "docker-cache", path: "/var/lib/coder/containers", subPath: "cache/containers" },
    { volume: "docker-cache", path: "/var/lib/docker", subPath: "envbox/docker" },
    { volume: "docker-cache", path: "/var/lib/containers", subPath: "envbox/containers" },
];

/** What the inner container sees: source in the outer container → target inside. */
export const innerMounts: { source: string; target: string; readOnly?: boolean }[] = [
    { source: workspaceHome, target: workspaceHome },
    { source: "/var/lib/coder/docker", target: "/var/lib/docker" },
    { source: "/var/lib/coder/containers", target: "/var/lib/containers" },
    { source: sshdConfigDir, target: sshdConfigDir, readOnly: true },
    { source: sshCaDir, target: sshCaDir, readOnly: true },
];

/** Inner mounts that carry the sshd access path (not used by Coder workspaces, which run Coder's agent). */
const sshAccessPaths = new Set([sshdConfigDir, sshCaDir]);

export function coderMounts(sshAccess = true): string {
    return innerMounts.filter((m) => sshAccess || !sshAccessPaths.has(m.source))
        .map((m) => `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`).join(",");
}

export interface EnvboxOptions {
    /** Mount the sandbox's sshd config and the Vault CA key (false for Coder workspaces). */
    sshAccess: boolean;
}

export function buildEnvboxPodSpec(sandbox: SandboxPlan, devices: DevicesConfig, options: EnvboxOptions = { sshAccess: true }): PodSpec {
    const env: EnvVar[] = [
        { name: "CODER_INNER_IMAGE", value: sandbox.image },
        { name: "CODER_INNER_USERNAME", value: workspaceUser },
        { name: "CODER_INNER_HOSTNAME", value: sandbox.name },
        { name: "CODER_BOOTSTRAP_SCRIPT", value: buildBootstrapScript({ keepAlive: false }) },
        { name: "CODER_MOUNTS", value: coderMounts(options.sshAccess) },
        { name: "CODER_CPUS", valueFrom: { resourceFieldRef: { containerName: "envbox", resource: "limits.cpu" } } },
        { name: "CODER_MEMORY", valueFrom: { resourceFieldRef: { containerName: "envbox", resource: "limits.memory" } } },
    ];
    if (devices.fuse) {
        env.push({ name: "CODER_ADD_FUSE", value: "true" });
    }
    if (devices.tun) {
        env.push({ name: "CODER_ADD_TUN", value: "true" });
    }
    if (sandbox.imagePullSecret) {
        env.push({ name: "CODER_IMAGE_PULL_SECRET", valueFrom: { secretKeyRef: { name: sandbox.imagePullSecret, key: ".dockerconfigjson" } } });
    }
    const mounts: Mount[] = [
        ...persistentMounts,
        { volume: "sysbox", path: "/var/lib/sysbox" },
        ...envboxHostPaths.map((path) => ({ volume: hostPathVolumeName(path), path, readOnly: true })),
        ...(options.sshAccess ? [{ volume: "sshd", path: sshdConfigDir, readOnly: true }, { volume: "ssh-ca", path: sshCaDir, readOnly: true }] : []),
    ];
    const volumes: Volume[] = [
        { name: "home", persistentVolumeClaim: { claimName: homeClaimName(sandbox.name) } },
        { name: "docker-cache", persistentVolumeClaim: { claimName: dockerCacheClaimName(sandbox.name) } },
        { name: "sysbox", emptyDir: {} },
        ...envboxHostPaths.map((path) => ({ name: hostPathVolumeName(path), hostPath: { path, type: "Directory" } })),
        ...(options.sshAccess ? [
            { name: "sshd", configMap: { name: sshdConfigMapName(sandbox.name) } },
            { name: "ssh-ca", configMap: { name: sshCaConfigMapName, optional: true } },
        ] : []),
    ];
    const limits: Record<string, string> = { cpu: sandbox.resources.cpu, memory: sandbox.resources.memory };
    if (sandbox.gpu > 0) {
        env.push({ name: "CODER_ADD_GPU", value: "true" }, { name: "CODER_USR_LIB_DIR", value: envboxGpuLibraryDir });
        mounts.push({ volume: "gpu-libraries", path: envboxGpuLibraryDir, readOnly: true });
        volumes.push({ name: "gpu-libraries", hostPath: { path: hostGpuLibraryDir, type: "Directory" } });
        limits["nvidia.com/gpu"] = String(sandbox.gpu);
    }
    const container: Container = {
        name: "envbox",
        image: envboxImage,
        command: envboxCommand,
        securityContext: { privileged: true },
        env,
        resources: { requests: { cpu: sandbox.resources.cpu, memory: sandbox.resources.memory }, limits },
        volumeMounts: mounts.map((m) => ({ name: m.volume, mountPath: m.path, ...(m.subPath ? { subPath: m.subPath } : {}), ...(m.readOnly ? { readOnly: true } : {}) })),
    };
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        hostNetwork: false,
        hostPID: false,
        hostIPC: false,
        // envbox forwards SIGTERM to the inner container and waits up to 90 s for it.
        terminationGracePeriodSeconds: 90,
        containers: [container],
        volumes,
    };
}

function hostPathVolumeName(path: string): string {
    return `host${path.replace(/\//g, "-")}`;
}
