// What makes a privileged envbox outer container acceptable (DESIGN.md, policy contract).
// Shared by the privileged-container rule (the exemption) and the envbox-hardening rule.
// Behaviour of envbox is from coder/envbox 0.6.7 `cli/docker.go` (docs/upstream.md).

import * as posix from "path/posix";
import type { RuleConfig } from "../config";
import { ContainerRef, Workload, envValue, imageRepository, isPinnedImage, isPrivileged } from "./workloads";

import {
    envboxCommand, envboxHostPathAllowlist, envboxPathVariables, envboxPodNamespaceFields, forbiddenMountPaths, goTrueValues, gpuLibraryHostPath,
    lifecycleHooks, mountableVolumeKinds, probeNames, runtimeSocketPattern,
} from "../definitions";

export { envboxCommand, envboxHostPathAllowlist, forbiddenMountPaths, gpuLibraryHostPath };
const runtimeSocket = new RegExp(runtimeSocketPattern);

export function isEnvboxImage(image: unknown, config: RuleConfig): boolean {
    return typeof image === "string" && config.envboxRepositories.includes(imageRepository(image));
}

/** Containers that run the envbox image, privileged or not, in any container list. */
export function envboxContainers(workload: Workload, config: RuleConfig): ContainerRef[] {
    return workload.containers.filter((ref) => isEnvboxImage(ref.container.image, config));
}

/** A privileged envbox container that passes every check: the only privilege an envbox pod may have. */
export function hardenedEnvbox(workload: Workload, config: RuleConfig): ContainerRef | undefined {
    const candidates = envboxContainers(workload, config).filter((ref) => isPrivileged(ref.container));
    return candidates.length === 1 && envboxProblems(candidates[0], workload, config).length === 0 ? candidates[0] : undefined;
}

function isUnder(child: string, parent: string): boolean {
    return parent === "/" || child === parent || child.startsWith(`${parent}/`);
}

/** Go's strconv.ParseBool, which envbox's bool flags use. */
export function goBool(value: string | undefined): boolean {
    return goTrueValues.includes(value ?? "");
}

/** A clean absolute path: no `.`/`..` segments, no doubled or trailing slashes. */
function cleanAbsolute(path: string): boolean {
    return path.startsWith("/") && posix.normalize(path) === path && (path === "/" || !path.endsWith("/"));
}

function volumeKind(volume: Record<string, any> | undefined): string | undefined {
    return volume ? Object.keys(volume).find((key) => key !== "name") : undefined;
}

/** Volumes by name, with volumeClaimTemplates as the PVCs they become. */
function podVolumes(workload: Workload): Map<string, Record<string, any>> {
    const volumes = new Map<string, Record<string, any>>();
    for (const claim of workload.claimTemplates) {
        volumes.set(claim, { name: claim, persistentVolumeClaim: { claimName: claim } });
    }
    for (const volume of Array.isArray(workload.pod.volumes) ? workload.pod.volumes : []) {
        if (volume && typeof volume.name === "string") {
            volumes.set(volume.name, volume);
        }
    }
    return volumes;
}

function execCommands(container: Record<string, any>): { where: string; command: unknown }[] {
    const found: { where: string; command: unknown }[] = [];
    for (const probe of probeNames) {
        if (container[probe]?.exec) {
            found.push({ where: probe, command: container[probe].exec.command });
        }
    }
    for (const hook of lifecycleHooks) {
        if (container.lifecycle?.[hook]?.exec) {
            found.push({ where: `lifecycle.${hook}`, command: container.lifecycle[hook].exec.command });
        }
    }
    return found;
}

/** Every way this envbox container or its pod falls short of the hardened shape; empty when it is acceptable. */
export function envboxProblems(ref: ContainerRef, workload: Workload, config: RuleConfig): string[] {
    const { container } = ref;
    const pod = workload.pod;
    const problems: string[] = [];
    if (!ref.path.startsWith("containers[")) {
        problems.push(`envbox runs only as a regular container, not in ${ref.path}`);
    }
    if (workload.patch) {
        problems.push("a patch cannot show the whole pod it merges into, so its privilege cannot be proven safe");
    }
    if (!isPinnedImage(container.image)) {
        problems.push(`image ${container.image} is not pinned to a tag or digest`);
    }
    for (const mount of Array.isArray(container.volumeMounts) ? container.volumeMounts : []) {
        if (typeof mount?.mountPath !== "string" || !cleanAbsolute(mount.mountPath)) {
            problems.push(`volume ${mount?.name} is mounted at ${JSON.stringify(mount?.mountPath)}; the outer container's mountPaths must be clean absolute paths (no "..", ".", "//" or trailing "/")`);
        }
    }
    if (JSON.stringify(container.command) !== JSON.stringify(envboxCommand)) {
        problems.push(`command must be ${JSON.stringify(envboxCommand)}, got ${JSON.stringify(container.command)}`);
    }
    if (Array.isArray(container.args) ? container.args.length > 0 : container.args !== undefined) {
        problems.push(`args must be empty (envbox flags such as --mounts bypass the checked environment), got ${JSON.stringify(container.args)}`);
    }
    for (const { where, command } of execCommands(container)) {
        if (!config.envboxExecCommands.some((allowed) => JSON.stringify(allowed) === JSON.stringify(command))) {
            problems.push(`${where} runs ${JSON.stringify(command)} with the outer container's privileges; only the platform's own commands may (${JSON.stringify(config.envboxExecCommands)})`);
        }
    }
    const otherPrivileged = workload.containers.filter((other) => other !== ref && isPrivileged(other.container));
    if (otherPrivileged.length > 0) {
        problems.push(`it must be the only privileged container in its pod; also privileged: ${otherPrivileged.map((o) => o.path).join(", ")}`);
    }
    for (const field of envboxPodNamespaceFields) {
        if (pod[field] === true) {
            problems.push(`pod sets ${field}`);
        }
    }
    if (pod.automountServiceAccountToken !== false) {
        problems.push("pod must set automountServiceAccountToken: false");
    }
    const volumes = podVolumes(workload);
    for (const volume of volumes.values()) {
        for (const source of volume.projected?.sources ?? []) {
            if (source?.serviceAccountToken) {
                problems.push(`projected volume ${volume.name} carries a service-account token`);
            }
        }
    }
    if (Array.isArray(container.envFrom) && container.envFrom.length > 0) {
        problems.push("envFrom may set envbox's variables (CODER_MOUNTS, CODER_USR_LIB_DIR, ...) out of sight; set each variable with env");
    }
    for (const name of envboxPathVariables) {
        const value = envValue(container, name);
        if (value?.fromReference && !value.envFrom) {
            problems.push(`${name} comes from valueFrom, which the pack cannot see; it must be a literal value`);
        } else if (value?.value?.includes("$(")) {
            problems.push(`${name} uses $(VAR) expansion, which the pack cannot prove safe: ${value.value}`);
        }
    }
    const addsGpu = goBool(envValue(container, "CODER_ADD_GPU")?.value);
    const allowedHostPaths = addsGpu ? [...envboxHostPathAllowlist, gpuLibraryHostPath] : [...envboxHostPathAllowlist];
    const hostVolumes = new Set<string>();
    for (const volume of volumes.values()) {
        if (volume.hostPath) {
            hostVolumes.add(volume.name);
            if (!allowedHostPaths.includes(volume.hostPath.path)) {
                problems.push(`hostPath ${volume.hostPath.path} is not allowed (only ${allowedHostPaths.join(", ")})`);
            }
        }
    }
    for (const other of workload.containers) {
        for (const mount of Array.isArray(other.container.volumeMounts) ? other.container.volumeMounts : []) {
            if (hostVolumes.has(mount.name) && mount.readOnly !== true) {
                problems.push(`hostPath volume ${mount.name} is mounted writable at ${mount.mountPath} in ${other.path}`);
            }
            if (hostVolumes.has(mount.name) && other !== ref) {
                problems.push(`hostPath volume ${mount.name} is mounted by ${other.path}; only the envbox container may mount host paths`);
            }
            if (other === ref && mount.mountPropagation === "Bidirectional") {
                problems.push(`volume ${mount.name} at ${mount.mountPath} uses Bidirectional mount propagation, which carries mounts back to the host`);
            }
        }
    }
    problems.push(...coderMountsProblems(container, volumes));
    problems.push(...usrLibDirProblems(container, volumes, addsGpu));
    return problems;
}

/** The outer-container mount that holds `path` (the deepest mountPath above it). */
function backingMount(container: Record<string, any>, path: string): Record<string, any> | undefined {
    return (Array.isArray(container.volumeMounts) ? container.volumeMounts : [])
        .filter((m: any) => typeof m?.mountPath === "string" && isUnder(path, posix.normalize(m.mountPath)))
        .sort((a: any, b: any) => posix.normalize(b.mountPath).length - posix.normalize(a.mountPath).length)[0];
}

function coderMountsProblems(container: Record<string, any>, volumes: Map<string, Record<string, any>>): string[] {
    const mountsEnv = envValue(container, "CODER_MOUNTS");
    if (!mountsEnv || mountsEnv.fromReference || mountsEnv.value === undefined || mountsEnv.value.includes("$(")) {
        return [];
    }
    const problems: string[] = [];
    if (mountsEnv.value === "") {
        return [];
    }
    // envbox parseMounts: split on ",", then on ":" into 2 or 3 tokens, else an error.
    for (const entry of mountsEnv.value.split(",")) {
        const tokens = entry.split(":");
        if (tokens.length < 2 || tokens.length > 3) {
            problems.push(`CODER_MOUNTS entry ${JSON.stringify(entry)} is malformed (envbox expects src:dst[:ro])`);
            continue;
        }
        const source = tokens[0];
        if (!cleanAbsolute(source)) {
            problems.push(`CODER_MOUNTS source ${JSON.stringify(source)} must be a clean absolute path (no "..", ".", "//" or trailing "/")`);
            continue;
        }
        const forbidden = forbiddenMountPaths.filter((path) => isUnder(source, path) || isUnder(path, source));
        if (source === "/" || forbidden.length > 0 || runtimeSocket.test(source)) {
            problems.push(`CODER_MOUNTS passes ${source} into the inner container, which is or contains a host control surface (${forbidden.join(", ") || "a runtime socket"})`);
            continue;
        }
        const backing = backingMount(container, source);
        const volume = backing ? volumes.get(backing.name) : undefined;
        const kind = volumeKind(volume);
        if (!volume || !kind || !mountableVolumeKinds.includes(kind)) {
            problems.push(`CODER_MOUNTS source ${source} must be backed by a ${mountableVolumeKinds.join("/")} mount of the outer container${kind ? `, not ${kind}` : ""}`);
            continue;
        }
        // Docker bind mounts are recursive: every mount below the source goes along.
        for (const nested of (container.volumeMounts as any[]).filter((m) => typeof m?.mountPath === "string" && m !== backing && isUnder(posix.normalize(m.mountPath), source))) {
            const nestedKind = volumeKind(volumes.get(nested.name));
            if (!nestedKind || !mountableVolumeKinds.includes(nestedKind)) {
                problems.push(`CODER_MOUNTS source ${source} contains the ${nestedKind ?? "unknown"} mount ${nested.mountPath}, which would go along into the inner container`);
            }
        }
    }
    return problems;
}

/** With GPUs, envbox passes the libraries under CODER_USR_LIB_DIR into the inner container. */
function usrLibDirProblems(container: Record<string, any>, volumes: Map<string, Record<string, any>>, addsGpu: boolean): string[] {
    const dir = envValue(container, "CODER_USR_LIB_DIR");
    if (!dir || dir.fromReference || dir.value === undefined || dir.value.includes("$(") || dir.value === "") {
        return [];
    }
    if (!addsGpu) {
        return [];
    }
    const mount = (Array.isArray(container.volumeMounts) ? container.volumeMounts : []).find((m: any) => typeof m?.mountPath === "string" && posix.normalize(m.mountPath) === dir.value);
    const volume = mount ? volumes.get(mount.name) : undefined;
    if (!cleanAbsolute(dir.value) || volume?.hostPath?.path !== gpuLibraryHostPath || mount?.readOnly !== true) {
        return [`CODER_USR_LIB_DIR ${dir.value} must be exactly the read-only mount of the host's ${gpuLibraryHostPath}`];
    }
    return [];
}
