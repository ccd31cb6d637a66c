// What a sandbox's workspace is: where the repository lands, how the start-up script
// is configured, and the ConfigMap that carries sshd's config and the script's settings
// (the script itself is shared per namespace: start-script.ts).

import { ConfigMap, Volume, VolumeMount } from "../manifest";
import { dockerCacheClaimName, homeClaimName } from "../naming";
import { buildSshdConfigMap } from "../access/sshd";
import { StartSettings, repoCredentialsDir, renderStartSettings, startSettingsFile } from "./bootstrap";
import { workspaceHome, workspaceUser } from "./envbox";
import { SandboxPlan } from "./plan";
import { plainEnvConfigMapData, plainEnvNames, secretEnvSetting, workspaceEnvNames, workspaceSecretsDir } from "./workspace-env";

/** Where envbuilder clones and builds (its ENVBUILDER_WORKSPACE_BASE_DIR default), on the home volume. */
export const envbuilderWorkspaceBase = "/workspaces";
/** Default idle time before an ephemeral sandbox restarts clean. */
export const defaultIdleSeconds = 1800;

/** The repository's directory name: the last path segment of its URL without `.git`. */
export function repoDirName(url: string): string {
    const trimmed = url.replace(/[#?].*$/, "").replace(/\/+$/, "");
    const last = trimmed.split(/[/:]/).pop() ?? "";
    const name = last.replace(/\.git$/, "");
    return /^[A-Za-z0-9._-]+$/.test(name) && name !== "." && name !== ".." ? name : "workspace";
}

/** The folder editors open: the repository, or the home directory when there is none. */
export function workspacePath(plan: SandboxPlan): string {
    if (plan.workspace === "envbuilder") {
        return `${envbuilderWorkspaceBase}/${plan.repo ? repoDirName(plan.repo.url) : "empty"}`;
    }
    return plan.repo ? `${workspaceHome}/${repoDirName(plan.repo.url)}` : workspaceHome;
}

export function startSettingsFor(plan: SandboxPlan): StartSettings {
    return {
        name: plan.name,
        user: workspaceUser,
        workspace: plan.workspace ?? "image",
        repoUrl: plan.repo?.url,
        repoRef: plan.repo?.ref,
        repoDir: workspacePath(plan),
        credentials: plan.repo?.secret !== undefined,
        ephemeral: plan.ephemeral ?? false,
        idleSeconds: plan.idleSeconds ?? defaultIdleSeconds,
        recycle: plan.runtime === "envbox" ? "inplace" : "exit",
        envNames: plainEnvNames(plan),
        secretEnv: secretEnvSetting(plan),
        secretsDir: workspaceSecretsDir,
    };
}

/** The sandbox's ConfigMap: sshd_config and principals, plus the start-up script's settings for this sandbox. */
export function buildSandboxConfigMap(plan: SandboxPlan, principals: string[]): ConfigMap {
    const configMap = buildSshdConfigMap(plan.name, plan.namespace, principals, workspaceEnvNames(plan));
    return {
        ...configMap,
        data: {
            ...configMap.data,
            ...plainEnvConfigMapData(plan),
            [startSettingsFile]: renderStartSettings(startSettingsFor(plan)),
        },
    };
}

/**
 * The volumes behind a sandbox's home and Docker cache: its retained PVCs, or for an
 * ephemeral pool member emptyDirs that die with the pod (nothing to retain, nothing lost:
 * its state lives only in git).
 */
export function sandboxDataVolumes(plan: SandboxPlan): Volume[] {
    if (plan.ephemeral) {
        return [
            { name: "home", emptyDir: { sizeLimit: plan.resources.disk } },
            { name: "docker-cache", emptyDir: { sizeLimit: plan.resources.dockerCache } },
        ];
    }
    return [
        { name: "home", persistentVolumeClaim: { claimName: homeClaimName(plan.name) } },
        { name: "docker-cache", persistentVolumeClaim: { claimName: dockerCacheClaimName(plan.name) } },
    ];
}

export const repoCredentialsVolume = "repo-credentials";

/** The repository Secret's volume (deploy key or token), read-only, when the sandbox has one. */
export function repoCredentialsVolumes(plan: SandboxPlan): { volumes: Volume[]; mounts: VolumeMount[] } {
    if (!plan.repo?.secret || plan.workspace === "envbuilder") {
        return { volumes: [], mounts: [] };
    }
    // 0444: envbox's inner user sees the outer root's files as nobody's; ssh wants the key
    // private, so the start-up script copies it to a 0600 file of its own.
    return {
        volumes: [{ name: repoCredentialsVolume, secret: { secretName: plan.repo.secret, defaultMode: 0o444 } }],
        mounts: [{ name: repoCredentialsVolume, mountPath: repoCredentialsDir, readOnly: true }],
    };
}
