// The envbox pod: a privileged outer container that runs sysbox and dockerd, and
// the developer's inner container, which envbox starts unprivileged in a user
// namespace. Layout follows Coder's kubernetes-envbox template, hardened: pinned
// image, read-only host paths, no service-account token, no host namespaces, and
// CODER_MOUNTS built only from the outer container's volume-backed mounts.

import { DevicesConfig } from "../config/schema";
import { Container, EnvVar, PodSpec, Volume } from "../manifest";
import { sshdConfigMapName } from "../naming";
import { sshCaConfigMapName, sshCaDir, sshdConfigDir } from "../access/sshd";
import { envboxImage } from "../versions";
import { buildBootstrapScript, repoCredentialsDir, startScriptDir } from "./bootstrap";
import { startScriptVolume, startScriptVolumeName } from "./start-script";
import { repoCredentialsVolumes, sandboxDataVolumes } from "./workspace";
import { buildEnvboxForwarders, envboxBridgeCidr, envboxProbes } from "./envbox-network";
import { SandboxPlan } from "./plan";
import { coderInnerEnvs, plainEnvVars, secretEnvVolumes } from "./workspace-env";

export const envboxCommand = ["/envbox", "docker"];
/**
 * Exec commands (probe or lifecycle hook) the builder puts on the privileged outer
 * container: the policy pack admits exactly these there and nothing else.
 */
export const envboxExecCommands: readonly (readonly string[])[] = [];
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

/**
 * Bind mounts envbox always gives the inner container before it appends CODER_MOUNTS
 * (coder/envbox 0.6.7 cli/docker.go defaultMounts). CODER_MOUNTS must never target
 * these again: Docker refuses a second bind to the same point ("Duplicate mount point").
 */
export const envboxDefaultMounts: { source: string; target: string }[] = [
    { source: "/var/lib/coder/docker", target: "/var/lib/docker" },
    { source: "/var/lib/coder/containers", target: "/var/lib/containers" },
];

/** Mount points private to envbox's outer container (cli/docker.go envboxPrivateMounts). */
export const envboxPrivateMountPoints = ["/var/lib/containers", "/var/lib/docker", "/var/lib/sysbox", "/lib/modules", "/usr/src", "/var/lib/coder"];

/** What CODER_MOUNTS adds to envbox's default mounts: source in the outer container → target inside. */
export const innerMounts: { source: string; target: string; readOnly?: boolean }[] = [
    { source: workspaceHome, target: workspaceHome },
    { source: sshdConfigDir, target: sshdConfigDir, readOnly: true },
    { source: sshCaDir, target: sshCaDir, readOnly: true },
    { source: startScriptDir, target: startScriptDir, readOnly: true },
];

/** Inner mounts that carry the sshd access path (not used by Coder workspaces, which run Coder's agent). */
const sshAccessPaths = new Set([sshdConfigDir, sshCaDir, startScriptDir]);

export function coderMounts(sshAccess = true): string {
    const taken = new Set([...envboxDefaultMounts.map((m) => m.target), ...envboxPrivateMountPoints]);
    const clash = innerMounts.find((m) => taken.has(m.target));
    if (clash) {
        throw new Error(`CODER_MOUNTS entry ${clash.source}:${clash.target} targets a mount point envbox already uses`);
    }
    return innerMounts.filter((m) => sshAccess || !sshAccessPaths.has(m.source))
        .map((m) => `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`).join(",");
}

export interface EnvboxOptions {
    /** Mount the sandbox's sshd config and the Vault CA key and forward the Service's ports (false for Coder workspaces). */
    sshAccess: boolean;
    /** RuntimeClass for GPU pods: K3s's NVIDIA runtime is not its default handler (`nvidia` on K3s). */
    gpuRuntimeClassName?: string;
}

/** RuntimeClass K3s creates for nvidia-container-runtime; GPU pods on K3s must name it. */
export const k3sNvidiaRuntimeClassName = "nvidia";

export function buildEnvboxPodSpec(sandbox: SandboxPlan, devices: DevicesConfig, options: EnvboxOptions = { sshAccess: true }): PodSpec {
    const repoCredentials = repoCredentialsVolumes(sandbox);
    // The inner user is not root and sees the outer root's files as nobody's: 0444 (workspace-env.ts).
    const secretEnv = secretEnvVolumes(sandbox, true);
    const secretMounts = secretEnv.mounts.map((m) => `,${m.mountPath}:${m.mountPath}:ro`).join("");
    const env: EnvVar[] = [
        { name: "CODER_INNER_IMAGE", value: sandbox.image },
        { name: "CODER_INNER_USERNAME", value: workspaceUser },
        { name: "CODER_INNER_HOSTNAME", value: sandbox.name },
        { name: "CODER_BOOTSTRAP_SCRIPT", value: buildBootstrapScript() },
        { name: "CODER_MOUNTS", value: coderMounts(options.sshAccess) + (repoCredentials.mounts.length > 0 && options.sshAccess ? `,${repoCredentialsDir}:${repoCredentialsDir}:ro` : "") + secretMounts },
        // Pinned so that the forwarders know the inner container's address (envbox-network.ts).
        { name: "CODER_DOCKER_BRIDGE_CIDR", value: envboxBridgeCidr },
        { name: "CODER_CPUS", valueFrom: { resourceFieldRef: { containerName: "envbox", resource: "limits.cpu" } } },
        { name: "CODER_MEMORY", valueFrom: { resourceFieldRef: { containerName: "envbox", resource: "limits.memory" } } },
    ];
    const innerEnvs = coderInnerEnvs(sandbox);
    if (innerEnvs !== undefined) {
        // The workspace's plain variables, passed on by envbox's own mechanism (exact names).
        env.push(...plainEnvVars(sandbox), { name: "CODER_INNER_ENVS", value: innerEnvs });
    }
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
        ...(options.sshAccess ? [{ volume: "sshd", path: sshdConfigDir, readOnly: true }, { volume: "ssh-ca", path: sshCaDir, readOnly: true },
            { volume: startScriptVolumeName, path: startScriptDir, readOnly: true }] : []),
        ...(options.sshAccess ? repoCredentials.mounts.map((m) => ({ volume: m.name, path: m.mountPath, readOnly: true })) : []),
        ...secretEnv.mounts.map((m) => ({ volume: m.name, path: m.mountPath, readOnly: true })),
    ];
    const volumes: Volume[] = [
        ...sandboxDataVolumes(sandbox),
        { name: "sysbox", emptyDir: {} },
        ...envboxHostPaths.map((path) => ({ name: hostPathVolumeName(path), hostPath: { path, type: "Directory" } })),
        ...(options.sshAccess ? [
            { name: "sshd", configMap: { name: sshdConfigMapName(sandbox.name) } },
            { name: "ssh-ca", configMap: { name: sshCaConfigMapName, optional: true } },
            startScriptVolume(),
            ...repoCredentials.volumes,
        ] : []),
        ...secretEnv.volumes,
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
        // Checked by the unprivileged health forwarder: nothing runs inside this container.
        ...envboxProbes(),
    };
    return {
        ...(sandbox.gpu > 0 && options.gpuRuntimeClassName ? { runtimeClassName: options.gpuRuntimeClassName } : {}),
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        hostNetwork: false,
        hostPID: false,
        hostIPC: false,
        // envbox forwards SIGTERM to the inner container and waits up to 90 s for it.
        terminationGracePeriodSeconds: 90,
        containers: [container, ...buildEnvboxForwarders({ servicePorts: options.sshAccess })],
        volumes,
    };
}

function hostPathVolumeName(path: string): string {
    return `host${path.replace(/\//g, "-")}`;
}
