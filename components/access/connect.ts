// How a developer reaches their sandbox, as commands and config they can paste. Pure.

import { workspaceUser } from "../sandboxes/envbox";
import { developerRoleName } from "./vault-policies";
import { codeServerPort } from "../sandboxes/bootstrap";

export interface ConnectInput {
    team: string;
    developer: string;
    /** Whether Boundary injects the certificate (SSH target) or only carries TCP. */
    injected: boolean;
    sshMount: string;
    /** Boundary target; without one, the developer port-forwards with kubectl. */
    targetId?: string;
    namespace: string;
    sandbox: string;
    /** Pool member host, picked with -host-id. */
    hostId?: string;
    /** Folder editors open: the repository's, or the home directory. */
    workspacePath?: string;
    /** Ephemeral pool member: any free member, state only in git. */
    ephemeral?: boolean;
    /** Whether the sandbox's image runs code-server (reached through an SSH tunnel, so through Boundary). */
    codeServer?: boolean;
}

export interface ConnectInstructions {
    steps: string[];
    sshConfig: string;
    vscodeUri: string;
    /** code-server in a browser, after the tunnel in codeServerTunnel is up. */
    codeServerUrl?: string;
    codeServerTunnel?: string;
    notes: string[];
}

/** The VS Code Remote-SSH URI that opens `folder` on the host alias. */
export function vscodeRemoteUri(alias: string, folder: string): string {
    return `vscode://vscode-remote/ssh-remote+${alias}${folder.startsWith("/") ? folder : `/${folder}`}`;
}

/** Editor links and notes shared by both access paths. */
function extras(input: ConnectInput, alias: string): Pick<ConnectInstructions, "vscodeUri" | "codeServerUrl" | "codeServerTunnel" | "notes"> {
    const folder = input.workspacePath ?? `/home/${workspaceUser}`;
    const notes: string[] = [];
    if (input.ephemeral) {
        notes.push("ephemeral sandbox: any free pool member; nothing outside git survives the session (push your work)");
    }
    if (input.codeServer === false) {
        notes.push("code-server: not in this sandbox's image (the platform's sandbox image has it)");
    }
    return {
        vscodeUri: vscodeRemoteUri(alias, folder),
        ...(input.codeServer ? {
            // Through the SSH session (and so through Boundary): no extra Service port or target.
            codeServerTunnel: `ssh -N -L ${codeServerPort}:127.0.0.1:${codeServerPort} ${alias}`,
            codeServerUrl: `http://127.0.0.1:${codeServerPort}/?folder=${encodeURIComponent(folder)}`,
        } : {}),
        notes,
    };
}

export function connectInstructions(input: ConnectInput): ConnectInstructions {
    if (!input.targetId) {
        return directInstructions(input);
    }
    const hostArg = input.hostId ? ` -host-id ${input.hostId}` : "";
    const alias = `sbx-${input.team}-${input.developer}`;
    const key = "~/.ssh/id_ed25519";
    const steps = input.injected
        ? [`boundary connect ssh -target-id ${input.targetId}${hostArg}`]
        : [
            `vault write -field=signed_key ${input.sshMount}/sign/${developerRoleName(input.team, input.developer)} public_key=@${key}.pub valid_principals=${input.developer} > ${key}-cert.pub`,
            `boundary connect ssh -target-id ${input.targetId}${hostArg} -username ${workspaceUser} -- -i ${key} -o CertificateFile=${key}-cert.pub`,
        ];
    const sshConfig = [
        `Host ${alias}`,
        `  User ${input.injected ? input.developer : workspaceUser}`,
        ...(input.injected ? [] : [`  IdentityFile ${key}`, `  CertificateFile ${key}-cert.pub`]),
        `  ProxyCommand boundary connect -target-id ${input.targetId}${hostArg} -exec nc -- {{boundary.ip}} {{boundary.port}}`,
        "",
    ].join("\n");
    return { steps, sshConfig, ...extras(input, alias) };
}

/** Without Boundary: sign with Vault, forward the Service port with kubectl. */
function directInstructions(input: ConnectInput): ConnectInstructions {
    const alias = `sbx-${input.team}-${input.developer}`;
    const key = "~/.ssh/id_ed25519";
    return {
        steps: [
            `vault write -field=signed_key ${input.sshMount}/sign/${developerRoleName(input.team, input.developer)} public_key=@${key}.pub valid_principals=${input.developer} > ${key}-cert.pub`,
            `kubectl -n ${input.namespace} port-forward svc/${input.sandbox} 2222:22 &`,
            `ssh -p 2222 -i ${key} -o CertificateFile=${key}-cert.pub ${workspaceUser}@127.0.0.1`,
        ],
        sshConfig: [`Host ${alias}`, "  HostName 127.0.0.1", "  Port 2222", `  User ${workspaceUser}`, `  IdentityFile ${key}`, `  CertificateFile ${key}-cert.pub`, ""].join("\n"),
        ...extras(input, alias),
    };
}
