// How a sandbox starts: the one start-up script (images/sandbox/sandbox-start.sh, also
// baked into the platform's sandbox image) and the per-sandbox settings it reads.
// The script travels once per namespace, in the `sandbox-start` ConfigMap mounted at
// /etc/sandbox/start (start-script.ts); the settings in the sandbox's own ConfigMap,
// mounted at /etc/sandbox/sshd. envbox pipes the stub below into `/bin/sh -s` in the
// inner container (cli/docker.go, runDockerCVM), sysbox and kata pods run it as their
// command, envbuilder as its init script.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { sshdConfigDir, sshdPort } from "../access/sshd";

/** Keys of the sandbox ConfigMap that carry the start-up script and its settings. */
export const startScriptFile = "sandbox-start.sh";
export const startSettingsFile = "sandbox.env";
/** Where the namespace's start-up script ConfigMap is mounted in every sandbox, read-only. */
export const startScriptDir = "/etc/sandbox/start";
/** Where the start-up script is inside every sandbox (the shared ConfigMap's mount). */
export const startScriptPath = `${startScriptDir}/${startScriptFile}`;
/** Where the per-sandbox settings are (the sandbox's own ConfigMap, next to sshd_config; the script's default SANDBOX_CONFIG_DIR). */
export const startSettingsPath = `${sshdConfigDir}/${startSettingsFile}`;
/** code-server's port inside the workspace; the Service exposes it unchanged. */
export const codeServerPort = 13337;
/** Where a repository's Secret (deploy key or token) is mounted, read-only. */
export const repoCredentialsDir = "/etc/sandbox/repo-credentials";

/** The script's text once read (one read per process, not per namespace). */
let startScript: string | undefined;

/** The script's source, read from the repository (one file, shellchecked, run for real in tests). */
export function readStartScript(): string {
    if (startScript !== undefined) {
        return startScript;
    }
    let dir = __dirname;
    for (let i = 0; i < 6; i++) {
        const candidate = path.join(dir, "images", "sandbox", startScriptFile);
        if (fs.existsSync(candidate)) {
            startScript = fs.readFileSync(candidate, "utf8");
            return startScript;
        }
        dir = path.dirname(dir);
    }
    throw new Error(`start-up script images/sandbox/${startScriptFile} not found above ${__dirname}`);
}

/** sha256 of the script's text: a sandbox's pod template carries it, so that a changed script restarts the sandbox. */
export function startScriptSha256(): string {
    return crypto.createHash("sha256").update(readStartScript()).digest("hex");
}

/** What the start-up script does in one sandbox; rendered as shell assignments. */
export interface StartSettings {
    /** Sandbox name (logs, host key comment). */
    name: string;
    /** The workspace user sshd logs in. */
    user: string;
    /** How the workspace is made: the image as is, the repo's devcontainer, or an envbuilder-built image. */
    workspace: "image" | "devcontainer" | "envbuilder";
    /** Repository to clone on first start (not in envbuilder mode, where envbuilder clones). */
    repoUrl?: string;
    repoRef?: string;
    /** Absolute path the repository is cloned into and editors open. */
    repoDir: string;
    /** Whether a repository Secret is mounted at repoCredentialsDir. */
    credentials: boolean;
    /** Ephemeral sandboxes restart clean once the last session has been gone this long. */
    ephemeral: boolean;
    idleSeconds: number;
    /** exit: the container restarts clean (sysbox, kata); inplace: envbox's inner container outlives the script. */
    recycle: "exit" | "inplace";
    /** Plain workspace variables, whose values are the ConfigMap's `env.<NAME>` keys. */
    envNames?: string[];
    /** Secret workspace variables as `NAME=<secret> ...`: the value is the file <secretsDir>/<secret>/NAME. */
    secretEnv?: string;
    secretsDir?: string;
}

/** Single-quotes a value for POSIX sh. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}

export function renderStartSettings(settings: StartSettings): string {
    const values: [string, string | undefined][] = [
        ["SANDBOX_NAME", settings.name],
        ["SANDBOX_USER", settings.user],
        ["SANDBOX_WORKSPACE", settings.workspace],
        ["SANDBOX_REPO_URL", settings.workspace === "envbuilder" ? undefined : settings.repoUrl],
        ["SANDBOX_REPO_REF", settings.workspace === "envbuilder" ? undefined : settings.repoRef],
        ["SANDBOX_REPO_DIR", settings.repoDir],
        ["SANDBOX_REPO_CREDENTIALS_DIR", settings.credentials ? repoCredentialsDir : undefined],
        ["SANDBOX_DEVCONTAINER", settings.workspace === "devcontainer" ? "auto" : "off"],
        ["SANDBOX_SSHD_PORT", String(sshdPort)],
        ["SANDBOX_CODE_SERVER_PORT", String(codeServerPort)],
        ["SANDBOX_EPHEMERAL", settings.ephemeral ? "true" : "false"],
        ["SANDBOX_IDLE_SECONDS", String(settings.idleSeconds)],
        ["SANDBOX_RECYCLE", settings.recycle],
        ["SANDBOX_ENV_NAMES", settings.envNames && settings.envNames.length > 0 ? settings.envNames.join(" ") : undefined],
        ["SANDBOX_SECRET_ENV", settings.secretEnv],
        ["SANDBOX_SECRETS_DIR", settings.secretEnv !== undefined ? settings.secretsDir : undefined],
    ];
    return [
        "# Generated by sandbox-platform: settings for sandbox-start.sh (sourced by it).",
        ...values.filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${shellQuote(value!)}`),
        "",
    ].join("\n");
}

/**
 * What the runtime runs: the start-up script from the ConfigMap, in the foreground
 * (it watches sshd, and an ephemeral sandbox's sessions).
 */
export function buildBootstrapScript(): string {
    return `SANDBOX_FOREGROUND=true exec /bin/sh ${startScriptPath}\n`;
}
