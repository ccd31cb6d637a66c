// Settings and secrets of a workspace (teams[].env/secretEnv, developers[].env/secretEnv):
// how they reach the workspace on every runtime without a secret value ever being in the
// render, the plan, a process's argv or a log.
//
//   plain env   ConfigMap keys `env.<NAME>` (read by the start-up script), and the
//               container's environment: the pod's own env on sysbox and kata, and on envbox
//               the outer container's env passed on with envbox's CODER_INNER_ENVS (exact
//               names; coder/envbox 0.6.7 cli/docker.go filterElements).
//   secretEnv   a Secret volume per referenced Secret, projecting only the referenced keys,
//               each as a file named after its variable, under workspaceSecretsDir/<secret>;
//               envbox passes the directory read-only through CODER_MOUNTS. Never an env var of
//               a container: envbox copies CODER_INNER_ENVS into the inner container's Docker
//               config (`docker inspect`) and into every process of it.
//
// The start-up script (images/sandbox/sandbox-start.sh, step "env") reads both into the
// workspace user's ~/.sandbox/env (sourced by code-server), ~/.ssh/environment (sshd
// sessions: PermitUserEnvironment names exactly these variables) and the devcontainer
// CLI's --secrets-file, each 0600.

import { EnvVar, Volume, VolumeMount } from "../manifest";
import { SandboxPlan } from "./plan";

/** Where each referenced Secret's projected keys are mounted, read-only: <dir>/<secret>/<NAME>. */
export const workspaceSecretsDir = "/etc/sandbox/workspace-secrets";
/** Prefix of the sandbox ConfigMap keys that carry plain variables (keys stay apart from sshd_config, principals, ...). */
export const plainEnvKeyPrefix = "env.";

export function plainEnvNames(plan: Pick<SandboxPlan, "env">): string[] {
    return Object.keys(plan.env ?? {}).sort();
}

export function secretEnvNames(plan: Pick<SandboxPlan, "secretEnv">): string[] {
    return Object.keys(plan.secretEnv ?? {}).sort();
}

/** Every variable the workspace user's sessions get (what sshd's PermitUserEnvironment lets through). */
export function workspaceEnvNames(plan: Pick<SandboxPlan, "env" | "secretEnv">): string[] {
    return [...new Set([...plainEnvNames(plan), ...secretEnvNames(plan)])].sort();
}

/** ConfigMap data for the plain variables: `env.<NAME>` → value. */
export function plainEnvConfigMapData(plan: Pick<SandboxPlan, "env">): Record<string, string> {
    return Object.fromEntries(plainEnvNames(plan).map((name) => [`${plainEnvKeyPrefix}${name}`, plan.env![name]]));
}

/** Plain variables as container env entries (values in the clear: they are settings, not secrets). */
export function plainEnvVars(plan: Pick<SandboxPlan, "env">): EnvVar[] {
    return plainEnvNames(plan).map((name) => ({ name, value: plan.env![name] }));
}

/**
 * envbox's CODER_INNER_ENVS: the outer container's variables envbox copies into the inner
 * container, by exact name (a trailing `*` would match a prefix, and would also pass
 * envbox's own CODER_* variables: never used).
 */
export function coderInnerEnvs(plan: Pick<SandboxPlan, "env">): string | undefined {
    const names = plainEnvNames(plan);
    return names.length > 0 ? names.join(",") : undefined;
}

/** The Secrets a sandbox references, in a stable order, with the volume each is mounted from. */
function referencedSecrets(plan: Pick<SandboxPlan, "secretEnv">): { secret: string; volume: string; items: { key: string; path: string }[] }[] {
    const bySecret = new Map<string, { key: string; path: string }[]>();
    for (const name of secretEnvNames(plan)) {
        const ref = plan.secretEnv![name];
        bySecret.set(ref.secret, [...(bySecret.get(ref.secret) ?? []), { key: ref.key, path: name }]);
    }
    return [...bySecret.keys()].sort().map((secret, i) => ({ secret, volume: `workspace-secret-${i}`, items: bySecret.get(secret)! }));
}

export function secretMountPath(secret: string): string {
    return `${workspaceSecretsDir}/${secret}`;
}

/**
 * The Secret volumes and their mounts. `readableByAll`: envbox's inner user and envbuilder's
 * devcontainer user are not root (and envbox's user namespace shows the outer root's files as
 * nobody's), so the files must be world-readable there (0444) inside the developer's own
 * sandbox; where the start-up script runs as root (sysbox, kata) only root reads them (0400).
 */
export function secretEnvVolumes(plan: Pick<SandboxPlan, "secretEnv">, readableByAll: boolean): { volumes: Volume[]; mounts: VolumeMount[] } {
    const secrets = referencedSecrets(plan);
    return {
        // optional: a Secret or key not created yet leaves its variable out (the start-up log names it as an
        // ERROR) instead of keeping the whole sandbox from starting.
        volumes: secrets.map(({ secret, volume, items }) => ({ name: volume, secret: { secretName: secret, items, defaultMode: readableByAll ? 0o444 : 0o400, optional: true } })),
        mounts: secrets.map(({ secret, volume }) => ({ name: volume, mountPath: secretMountPath(secret), readOnly: true })),
    };
}

/** `NAME=<secret>` pairs for the start-up script: the file of NAME is <secrets dir>/<secret>/NAME. */
export function secretEnvSetting(plan: Pick<SandboxPlan, "secretEnv">): string | undefined {
    const names = secretEnvNames(plan);
    return names.length > 0 ? names.map((name) => `${name}=${plan.secretEnv![name].secret}`).join(" ") : undefined;
}
