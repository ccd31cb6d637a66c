// sysbox and kata sandboxes: the runtime isolates the workload (a user namespace
// with sysbox, a VM with kata), so no container in the pod is privileged.

import { DevicesConfig, PlatformConfig } from "../config/schema";
import { Container, EnvVar, PodSpec } from "../manifest";
import { sshdConfigMapName } from "../naming";
import { sshCaConfigMapName, sshCaDir, sshdConfigDir } from "../access/sshd";
import { buildBootstrapScript, repoCredentialsDir } from "./bootstrap";
import { startScriptMount, startScriptVolume } from "./start-script";
import { envbuilderWorkspaceBase, repoCredentialsVolumes, sandboxDataVolumes, workspacePath } from "./workspace";
import { envbuilderImage } from "../versions";
import { sandboxServedPorts } from "./ports";
import { workspaceHome } from "./envbox";
import { SandboxPlan, runtimeClassFor } from "./plan";
import { plainEnvVars, secretEnvVolumes } from "./workspace-env";

/** Extended resources smarter-device-manager advertises for FUSE and TUN. */
export const fuseResource = "smarter-devices/fuse";
export const tunResource = "smarter-devices/net_tun";

export function buildIsolatedPodSpec(sandbox: SandboxPlan, config: Pick<PlatformConfig, "runtimes"> & { devices: DevicesConfig }): PodSpec {
    if (sandbox.runtime === "envbox") {
        throw new Error(`sandbox ${sandbox.name}: buildIsolatedPodSpec is for sysbox and kata, not envbox`);
    }
    const limits: Record<string, string> = { cpu: sandbox.resources.cpu, memory: sandbox.resources.memory };
    if (config.devices.fuse) {
        limits[fuseResource] = "1";
    }
    if (config.devices.tun) {
        limits[tunResource] = "1";
    }
    const repoCredentials = repoCredentialsVolumes(sandbox);
    const envbuilder = sandbox.workspace === "envbuilder";
    // The start-up script runs as root here, except envbuilder's init script (the devcontainer's user).
    const secretEnv = secretEnvVolumes(sandbox, envbuilder);
    const plainEnv = plainEnvVars(sandbox);
    const container: Container = {
        name: "workspace",
        ...(envbuilder
            // envbuilder builds the repo's devcontainer.json into this container, then runs the
            // start-up script as its init script (as the devcontainer's user).
            ? { image: envbuilderImage, env: [...buildEnvbuilderEnv(sandbox), ...plainEnv] }
            : { image: sandbox.image, command: ["/bin/sh", "-c", buildBootstrapScript()], ...(plainEnv.length > 0 ? { env: plainEnv } : {}) }),
        // The start-up script serves these in this container (sshd; code-server when it starts it).
        ports: sandboxServedPorts().map(({ name, port }) => ({ name, containerPort: port, protocol: "TCP" })),
        // Root inside the sandbox is unprivileged on the host: sysbox maps it through a
        // user namespace, kata confines it to a VM. It lets the image start its dockerd.
        securityContext: { runAsUser: 0, allowPrivilegeEscalation: true, privileged: false },
        // A failed start shows its last log lines in the pod's status.
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources: { requests: { cpu: sandbox.resources.cpu, memory: sandbox.resources.memory }, limits },
        volumeMounts: [
            envbuilder
                ? { name: "home", mountPath: envbuilderWorkspaceBase, subPath: "home" }
                : { name: "home", mountPath: workspaceHome, subPath: "home" },
            envbuilder
                ? { name: "docker-cache", mountPath: envbuilderLayerCacheDir, subPath: "envbuilder" }
                : { name: "docker-cache", mountPath: "/var/lib/docker", subPath: "docker" },
            { name: "sshd", mountPath: sshdConfigDir, readOnly: true },
            { name: "ssh-ca", mountPath: sshCaDir, readOnly: true },
            startScriptMount(),
            ...repoCredentials.mounts,
            ...(envbuilder && sandbox.repo?.secret ? [{ name: "repo-credentials", mountPath: repoCredentialsDir, readOnly: true }] : []),
            ...secretEnv.mounts,
        ],
    };
    return {
        runtimeClassName: runtimeClassFor(sandbox, config),
        ...(sandbox.runtime === "sysbox" ? { hostUsers: false } : {}),
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        hostNetwork: false,
        hostPID: false,
        hostIPC: false,
        terminationGracePeriodSeconds: 60,
        ...(sandbox.imagePullSecret ? { imagePullSecrets: [{ name: sandbox.imagePullSecret }] } : {}),
        containers: [container],
        volumes: [
            ...sandboxDataVolumes(sandbox),
            { name: "sshd", configMap: { name: sshdConfigMapName(sandbox.name) } },
            { name: "ssh-ca", configMap: { name: sshCaConfigMapName, optional: true } },
            startScriptVolume(),
            ...repoCredentials.volumes,
            ...(envbuilder && sandbox.repo?.secret ? [{ name: "repo-credentials", secret: { secretName: sandbox.repo.secret, defaultMode: 0o400 } }] : []),
            ...secretEnv.volumes,
        ],
    };
}

/** Where envbuilder keeps built layers (ENVBUILDER_LAYER_CACHE_DIR), on the cache volume. */
export const envbuilderLayerCacheDir = "/var/cache/envbuilder";

/** The git ref envbuilder checks out: go-git wants a full reference name (ENVBUILDER_GIT_URL's #fragment). */
export function envbuilderRef(ref: string): string {
    return ref.startsWith("refs/") ? ref : `refs/heads/${ref}`;
}

/** envbuilder's settings (coder/envbuilder options/options.go, docs/env-variables.md at v1.3.0). */
export function buildEnvbuilderEnv(sandbox: SandboxPlan): EnvVar[] {
    const repo = sandbox.repo;
    if (!repo) {
        throw new Error(`sandbox ${sandbox.name}: workspace envbuilder needs a repo (teams[].repo or developers[].repo)`);
    }
    const env: EnvVar[] = [
        { name: "ENVBUILDER_GIT_URL", value: repo.ref ? `${repo.url}#${envbuilderRef(repo.ref)}` : repo.url },
        { name: "ENVBUILDER_WORKSPACE_FOLDER", value: workspacePath(sandbox) },
        { name: "ENVBUILDER_INIT_SCRIPT", value: buildBootstrapScript() },
        { name: "ENVBUILDER_LAYER_CACHE_DIR", value: envbuilderLayerCacheDir },
        // A restarted container keeps its built filesystem: do not build again.
        { name: "ENVBUILDER_SKIP_REBUILD", value: "true" },
        { name: "ENVBUILDER_FALLBACK_IMAGE", value: sandbox.envbuilder?.fallbackImage ?? sandbox.image },
    ];
    if (sandbox.envbuilder?.cacheRepo) {
        env.push({ name: "ENVBUILDER_CACHE_REPO", value: sandbox.envbuilder.cacheRepo });
    }
    if (repo.secret) {
        if (/^(ssh:\/\/|[A-Za-z0-9._-]+@[^/]+:)/.test(repo.url)) {
            env.push({ name: "ENVBUILDER_GIT_SSH_PRIVATE_KEY_PATH", value: `${repoCredentialsDir}/ssh-privatekey` });
        } else {
            env.push(
                { name: "ENVBUILDER_GIT_USERNAME", valueFrom: { secretKeyRef: { name: repo.secret, key: "username", optional: true } } },
                { name: "ENVBUILDER_GIT_PASSWORD", valueFrom: { secretKeyRef: { name: repo.secret, key: "password", optional: true } } },
            );
        }
    }
    return env;
}
