// What makes a privileged envbox outer container acceptable (DESIGN.md, policy contract).
// Shared by the privileged-container rule (the exemption) and the envbox-hardening rule.

import type { RuleConfig } from "../config";
import { ContainerRef, Workload, envValue, imageRepository, isPinnedImage, isPrivileged } from "./workloads";

export const envboxHostPathAllowlist = ["/usr/src", "/lib/modules"];
export const gpuLibraryHostPath = "/usr/lib/x86_64-linux-gnu";
const mountableVolumeKinds = ["persistentVolumeClaim", "emptyDir", "configMap", "secret"];
const forbiddenMountSources = ["/var/lib/sysbox", "/proc", "/sys", "/dev", "/var/run/secrets", "/run/secrets"];
const runtimeSockets = /(docker|containerd|crio|cri-dockerd|podman)\.sock|\/run\/containerd|\/var\/run\/docker/;

export function isEnvboxImage(image: unknown, config: RuleConfig): boolean {
    return typeof image === "string" && config.envboxRepositories.includes(imageRepository(image));
}

/**
 * Containers that run envbox: an envbox image that is privileged or starts /envbox.
 * (The image pulled by an unprivileged no-op container, as the pre-pull does, is not envbox.)
 */
export function envboxContainers(workload: Workload, config: RuleConfig): ContainerRef[] {
    return workload.containers.filter((ref) => isEnvboxImage(ref.container.image, config)
        && (isPrivileged(ref.container) || String(ref.container.command?.[0] ?? "").startsWith("/envbox")));
}

function underPath(path: string, parent: string): boolean {
    return path === parent || path.startsWith(parent.endsWith("/") ? parent : `${parent}/`);
}

/** Every way this envbox container or its pod falls short of the hardened shape; empty when it is acceptable. */
export function envboxProblems(ref: ContainerRef, workload: Workload): string[] {
    const { container } = ref;
    const pod = workload.pod;
    const problems: string[] = [];
    if (!isPinnedImage(container.image)) {
        problems.push(`image ${container.image} is not pinned to a tag or digest`);
    }
    if (JSON.stringify(container.command) !== JSON.stringify(["/envbox", "docker"])) {
        problems.push(`command must be ["/envbox", "docker"], got ${JSON.stringify(container.command)}`);
    }
    const otherPrivileged = workload.containers.filter((other) => other !== ref && isPrivileged(other.container));
    if (otherPrivileged.length > 0) {
        problems.push(`it must be the only privileged container in its pod; also privileged: ${otherPrivileged.map((o) => o.path).join(", ")}`);
    }
    for (const field of ["hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace"]) {
        if (pod[field] === true) {
            problems.push(`pod sets ${field}`);
        }
    }
    if (pod.automountServiceAccountToken !== false) {
        problems.push("pod must set automountServiceAccountToken: false");
    }
    const addsGpu = envValue(container, "CODER_ADD_GPU")?.value === "true";
    const allowedHostPaths = addsGpu ? [...envboxHostPathAllowlist, gpuLibraryHostPath] : envboxHostPathAllowlist;
    const volumes: any[] = pod.volumes ?? [];
    const hostVolumes = new Set<string>();
    for (const volume of volumes.filter((v) => v.hostPath)) {
        hostVolumes.add(volume.name);
        if (!allowedHostPaths.includes(volume.hostPath.path)) {
            problems.push(`hostPath ${volume.hostPath.path} is not allowed (only ${allowedHostPaths.join(", ")})`);
        }
    }
    for (const other of workload.containers) {
        for (const mount of other.container.volumeMounts ?? []) {
            if (hostVolumes.has(mount.name) && mount.readOnly !== true) {
                problems.push(`hostPath volume ${mount.name} is mounted writable at ${mount.mountPath} in ${other.path}`);
            }
        }
    }
    problems.push(...coderMountsProblems(container, volumes));
    return problems;
}

function coderMountsProblems(container: Record<string, any>, volumes: any[]): string[] {
    const mountsEnv = envValue(container, "CODER_MOUNTS");
    if (!mountsEnv) {
        return [];
    }
    if (mountsEnv.fromReference) {
        return ["CODER_MOUNTS must be a literal value so that its sources can be checked"];
    }
    const problems: string[] = [];
    const volumeByName = new Map(volumes.map((v) => [v.name, v]));
    for (const entry of (mountsEnv.value ?? "").split(",").filter((e) => e.trim() !== "")) {
        const source = entry.split(":")[0];
        if (forbiddenMountSources.some((forbidden) => underPath(source, forbidden)) || runtimeSockets.test(source) || source === "/") {
            problems.push(`CODER_MOUNTS passes ${source} into the inner container, a host control surface`);
            continue;
        }
        const backing = (container.volumeMounts ?? [])
            .filter((m: any) => underPath(source, m.mountPath))
            .sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)[0];
        const volume = backing ? volumeByName.get(backing.name) : undefined;
        const kind = volume ? Object.keys(volume).find((key) => key !== "name") : undefined;
        if (!volume || !kind || !mountableVolumeKinds.includes(kind)) {
            problems.push(`CODER_MOUNTS source ${source} must be backed by a ${mountableVolumeKinds.join("/")} mount of the outer container${kind ? `, not ${kind}` : ""}`);
        }
    }
    return problems;
}
