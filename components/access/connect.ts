// How a developer reaches their sandbox, as commands and config they can paste. Pure.

import { workspaceUser } from "../sandboxes/envbox";
import { developerRoleName } from "./vault-policies";

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
}

export interface ConnectInstructions {
    steps: string[];
    sshConfig: string;
    vscodeUri: string;
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
    return { steps, sshConfig, vscodeUri: `vscode://vscode-remote/ssh-remote+${alias}/home/${workspaceUser}` };
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
        vscodeUri: `vscode://vscode-remote/ssh-remote+${alias}/home/${workspaceUser}`,
    };
}
