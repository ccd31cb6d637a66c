// Vault policies for the SSH CA, as HCL text. Pure.

export function signPath(mount: string, role: string): string {
    return `${mount}/sign/${role}`;
}

/**
 * Lets one developer sign their own key on their own role (attach it to that developer's
 * Vault identity only). The role allows that one principal, so the certificate can name
 * nobody else.
 */
export function developerSignPolicy(mount: string, role: string): string {
    return [
        `# Sign SSH user certificates on role ${role}: one developer, one principal, short-lived.`,
        `path "${signPath(mount, role)}" {`,
        `  capabilities = ["create", "update"]`,
        `}`,
        "",
    ].join("\n");
}

/**
 * What one team's Boundary Vault credential store needs: manage its own token and
 * leases, check its capabilities, and sign on that team's roles only (injection).
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

/**
 * Vault SSH role of one developer: `<team>.<developer>`. Team and developer names are DNS
 * labels (no dots), so the dot keeps every pair distinct; Vault role names accept dots
 * (sdk/framework GenericNameWithAtRegex).
 */
export function developerRoleName(team: string, developer: string): string {
    return `${team}.${developer}`;
}

/** The policy a developer's Vault identity gets: sign on their own role only. */
export function developerPolicyName(team: string, developer: string): string {
    return `sandbox-ssh-${team}.${developer}`;
}

/**
 * The role a pool team's Boundary library signs on: Boundary fills the username from the
 * authenticated Boundary user, so the role allows the team's roster. `_` never appears in a
 * team or developer name, so it cannot collide with a developer's role. Only the team's
 * Boundary token may use it.
 */
export function poolInjectionRoleName(team: string): string {
    return `${team}_boundary-pool`;
}

/** The policy of one team's Boundary credential-store token. */
export function boundaryPolicyName(team: string): string {
    return `boundary-credential-store-${team}`;
}

/**
 * A team's own SSH secrets mount on split stacks (`<sshMount>-<team>`): its own CA, trusted only by
 * its own sandboxes, whose roles its team stack manages. A shared CA whose roles a team could write
 * would let that team sign another team's principals.
 */
export function teamSshMount(sshMount: string, team: string): string {
    return `${sshMount}-${team}`;
}

/** The policy a split team's developers get (attach it to their Vault identities): one for the team, templated. */
export function teamDeveloperPolicyName(team: string): string {
    return `sandbox-ssh-${team}`;
}

/**
 * Lets a developer sign on their own role of their team's mount: the role named `<team>.<entity name>`
 * (Vault fills `{{identity.entity.name}}` from the caller's identity entity, vault/sdk/helper/identitytpl),
 * so adding a developer needs a role (the team stack writes it) but no new ACL policy.
 */
export function teamDeveloperSignPolicy(team: string, mount: string): string {
    return [
        `# Sign SSH user certificates on your own role of team ${team}: the role is named ${team}.<your Vault entity name>.`,
        `path "${signPath(mount, developerRoleName(team, "{{identity.entity.name}}"))}" {`,
        `  capabilities = ["create", "update"]`,
        `}`,
        "",
    ].join("\n");
}
