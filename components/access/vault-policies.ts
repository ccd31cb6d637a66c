// Vault policies for the SSH CA, as HCL text. Pure.

export function signPath(mount: string, role: string): string {
    return `${mount}/sign/${role}`;
}

/** Lets a team's developers sign their own keys on the team's role (community edition path). */
export function teamSignPolicy(mount: string, role: string): string {
    return [
        `# Sign SSH user certificates on role ${role} (short-lived, principals limited by the role).`,
        `path "${signPath(mount, role)}" {`,
        `  capabilities = ["create", "update"]`,
        `}`,
        "",
    ].join("\n");
}

/**
 * What Boundary's Vault credential store needs: manage its own token and leases,
 * check its capabilities, and sign on the team roles (credential injection).
 */
export function boundaryCredentialStorePolicy(mount: string, roles: string[]): string {
    const lines = [
        `path "auth/token/lookup-self" {\n  capabilities = ["read"]\n}`,
        `path "auth/token/renew-self" {\n  capabilities = ["update"]\n}`,
        `path "auth/token/revoke-self" {\n  capabilities = ["update"]\n}`,
        `path "sys/leases/renew" {\n  capabilities = ["update"]\n}`,
        `path "sys/leases/revoke" {\n  capabilities = ["update"]\n}`,
        `path "sys/capabilities-self" {\n  capabilities = ["update"]\n}`,
        ...roles.map((role) => `path "${signPath(mount, role)}" {\n  capabilities = ["create", "update"]\n}`),
    ];
    return `${lines.join("\n")}\n`;
}

export const sshExtensions = { "permit-pty": "", "permit-agent-forwarding": "", "permit-port-forwarding": "" };

/** Vault SSH role name of a team. */
export function teamRoleName(team: string): string {
    return team;
}

export function teamPolicyName(team: string): string {
    return `sandbox-ssh-${team}`;
}

export const boundaryPolicyName = "boundary-credential-store";
