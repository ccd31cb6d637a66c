// What sandboxes a team has, independent of how they are isolated.

import { PlatformConfig, SandboxResources, SandboxRuntime, TeamConfig, kataShimOverheads } from "../config/schema";
import { parseQuantity } from "../config/quantity";
import { parseDuration } from "../config/duration";
import { poolMemberName, sandboxName, teamNamespace } from "../naming";

export const sysboxRuntimeClassName = "sysbox-runc";

export function kataRuntimeClassName(shim: string): string {
    return `kata-${shim}`;
}

export interface SandboxPlan {
    /** Kubernetes name of the Deployment, Service and prefix of the PVCs. */
    name: string;
    namespace: string;
    team: string;
    runtime: SandboxRuntime;
    /** The owning developer of a dedicated sandbox; undefined for a pool member. */
    developer?: string;
    poolIndex?: number;
    image: string;
    imagePullSecret?: string;
    gpu: number;
    suspended: boolean;
    resources: SandboxResources;
    /** How the workspace is made (default image: the image as is). */
    workspace?: WorkspaceMode;
    /** Repository cloned into the workspace on first start. */
    repo?: RepoSpec;
    /** Ephemeral pool member: no persistent volumes, recycled after its session. */
    ephemeral?: boolean;
    /** Seconds without a session after which an ephemeral member restarts clean. */
    idleSeconds?: number;
    /** envbuilder settings (workspace envbuilder). */
    envbuilder?: EnvbuilderSpec;
    /** Ephemeral member on the agent-sandbox backend: when its claim expires (RFC 3339). */
    shutdownTime?: string;
    /** Plain variables of the workspace (team's, then the developer's). */
    env?: Record<string, string>;
    /** Secret variables of the workspace: a key of a Secret in the team namespace, never its value. */
    secretEnv?: Record<string, SecretKeyRef>;
}

export interface SecretKeyRef {
    /** Secret in the sandbox's namespace. */
    secret: string;
    key: string;
}

export type WorkspaceMode = "image" | "devcontainer" | "envbuilder";

export interface RepoSpec {
    /** Clone URL (https://, ssh://, git@host:path or file://). */
    url: string;
    /** Branch, tag or commit; the default branch when absent. */
    ref?: string;
    /** Secret in the team namespace with ssh-privatekey (and known_hosts), or username/password or token. */
    secret?: string;
}

export interface EnvbuilderSpec {
    /** Registry repository envbuilder pushes and pulls cached layers to (ENVBUILDER_CACHE_REPO). */
    cacheRepo?: string;
    /** Image used when the repository has no devcontainer.json or the build fails (ENVBUILDER_FALLBACK_IMAGE). */
    fallbackImage?: string;
}

export function planTeamSandboxes(team: TeamConfig): SandboxPlan[] {
    const namespace = teamNamespace(team.name);
    const base = {
        namespace, team: team.name, runtime: team.runtime, imagePullSecret: team.imagePullSecret,
        envbuilder: team.envbuilder,
    };
    if (team.allocation !== "dedicated") {
        const ephemeral = team.allocation === "ephemeral";
        return Array.from({ length: team.poolSize }, (_, index) => ({
            ...base, name: poolMemberName(team.name, index), poolIndex: index,
            image: team.image, gpu: 0, suspended: false, resources: team.resources,
            workspace: team.workspace, repo: team.repo, ...workspaceSettings(team),
            ...(ephemeral ? { ephemeral: true, idleSeconds: parseDuration(team.idleTtl) } : {}),
            ...(ephemeral && team.shutdownTime !== undefined ? { shutdownTime: team.shutdownTime } : {}),
        }));
    }
    return team.developers.map((developer) => ({
        ...base, name: sandboxName(team.name, developer.name), developer: developer.name,
        image: developer.image, gpu: developer.gpu, suspended: developer.suspended, resources: developer.resources,
        workspace: developer.workspace, repo: developer.repo, ...workspaceSettings(developer),
    }));
}

/** env and secretEnv of a plan, left out when empty (a sandbox without them renders as before). */
function workspaceSettings(level: { env: Record<string, string>; secretEnv: Record<string, SecretKeyRef> }): Pick<SandboxPlan, "env" | "secretEnv"> {
    return {
        ...(Object.keys(level.env).length > 0 ? { env: level.env } : {}),
        ...(Object.keys(level.secretEnv).length > 0 ? { secretEnv: level.secretEnv } : {}),
    };
}

/** RuntimeClass a team's pods run with; envbox pods use the node's default runtime. */
export function runtimeClassFor(team: Pick<TeamConfig, "runtime">, config: Pick<PlatformConfig, "runtimes">): string | undefined {
    switch (team.runtime) {
        case "envbox": return undefined;
        case "sysbox": return sysboxRuntimeClassName;
        case "kata": return kataRuntimeClassName(config.runtimes.kata.shims[0]);
    }
}

/** Pod overhead the RuntimeClass adds (cores, bytes): Kubernetes charges it to quotas and scheduling. */
export function podOverhead(team: Pick<TeamConfig, "runtime">, config: { runtimes: Pick<PlatformConfig["runtimes"], "kata"> }): { cpu: number; memory: number } {
    if (team.runtime !== "kata") {
        return { cpu: 0, memory: 0 };
    }
    const overhead = kataShimOverheads[config.runtimes.kata.shims[0]];
    return { cpu: parseQuantity(overhead.cpu)!, memory: parseQuantity(overhead.memory)! };
}
