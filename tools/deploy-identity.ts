// Each team stack deploys with its own team's identity, which the platform stack creates and
// exports in one secret stack output (`teamCredentials`, keyed by team: index.ts platformStack,
// components/access/team-identity-resource.ts TeamIdentityOutputs). This module turns a team's
// entry into the environment of the team's `pulumi` process:
//   KUBECONFIG      a file (0600, in a directory this run creates and removes) holding the team's
//                   kubeconfig: @pulumi/kubernetes falls back to KUBECONFIG when the stack sets no
//                   kubernetes:kubeconfig (provider.js, 4.34.2), and the team stack file may not set it
//                   (deploy-plan.ts teamCredentialKeys);
//   VAULT_TOKEN     the team's Vault token (the Vault provider reads VAULT_TOKEN when vault:token is unset);
//   BOUNDARY_TOKEN  a token from logging in as the team's Boundary deployer (password auth method),
//                   which the program takes from the environment (components/access/deploy-credentials.ts),
//                   with BOUNDARY_ADDR the address it logged in at;
//   SANDBOX_BOUNDARY_VAULT_TOKEN  the Vault token of the team's Boundary credential store (enterprise/hcp),
//                   which the team stack's program reads (deploy-credentials.ts): another team's token
//                   there would let this team's targets sign with the other team's CA.
// The `pulumi` process inherits this process's environment (execa's extendEnv, used by
// @pulumi/pulumi automation/cmd.js): each variable above is always set for a team, to the team's
// value or to an empty string, so the operator's own credentials never reach a team stack.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { OutputMap } from "@pulumi/pulumi/automation";

/** The platform stack output holding every team's deploy identity (a secret). */
export const teamCredentialsOutput = "teamCredentials";
/** The platform stack's plain output for team stacks (its config sections, declared teams, access ids). */
const platformOutput = "platform";

/** The team's Boundary deployer: a password account in the org scope, and the controller's address. */
export interface BoundaryLogin { address: string; authMethodId: string; loginName: string; password: string }

/** One team's deploy identity as the platform stack exports it under teamCredentials.<team>. */
export interface TeamIdentity {
    /** A kubeconfig for the team's ServiceAccount (bound to a Role in the team namespace only). */
    kubeconfig: string;
    /** A Vault token that may manage only the team's SSH roles. */
    vaultToken?: string;
    boundary?: BoundaryLogin;
    /** The Vault token of the team's Boundary credential store (enterprise/hcp). */
    boundaryVaultToken?: string;
}

/** The variables a team's pulumi process always gets; each overrides whatever the operator's environment holds. */
export const teamCredentialVariables = ["KUBECONFIG", "VAULT_TOKEN", "BOUNDARY_TOKEN", "SANDBOX_BOUNDARY_VAULT_TOKEN"] as const;

export class TeamIdentityError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TeamIdentityError";
    }
}

const text = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * The team's identity from the platform stack's outputs, or an error naming the output key.
 * `teamCredentials.<team>`: { kubeconfig, vaultToken?, boundary?: { authMethodId, loginName, password,
 * address? }, boundaryVaultToken? (or boundaryCredentialStoreToken) }. Boundary's address, when the
 * entry has none, is the platform's `boundary.address` (its `platform` output's config), else
 * `fallbackBoundaryAddress` (the operator's BOUNDARY_ADDR).
 */
export function teamIdentityFrom(outputs: OutputMap, platformStack: string, team: string, fallbackBoundaryAddress?: string): TeamIdentity {
    const output = outputs[teamCredentialsOutput];
    const where = `platform stack ${platformStack} output ${teamCredentialsOutput}`;
    if (output === undefined) {
        throw new TeamIdentityError(`${where}: missing; the platform stack exports each team's deploy identity there (is the platform stack deployed, with sandbox-platform:stack: platform?)`);
    }
    if (!output.secret) {
        throw new TeamIdentityError(`${where}: not a secret; it carries credentials, so the platform must export it with pulumi.secret (refusing to use it)`);
    }
    const entry = (output.value as Record<string, unknown> | null)?.[team] as Record<string, unknown> | undefined;
    const key = `${where}.${team}`;
    if (entry === undefined || entry === null || typeof entry !== "object") {
        const known = output.value && typeof output.value === "object" ? Object.keys(output.value).sort() : [];
        throw new TeamIdentityError(`${key}: missing; the platform stack has identities for: ${known.length > 0 ? known.join(", ") : "no team"}`);
    }
    if (!text(entry.kubeconfig)) {
        throw new TeamIdentityError(`${key}.kubeconfig: missing or empty; a team stack never deploys with the operator's kubeconfig`);
    }
    const identity: TeamIdentity = { kubeconfig: entry.kubeconfig };
    for (const [field, value] of [["vaultToken", entry.vaultToken], ["boundaryVaultToken", entry.boundaryVaultToken ?? entry.boundaryCredentialStoreToken]] as const) {
        if (value !== undefined) {
            if (!text(value)) {
                throw new TeamIdentityError(`${key}.${field}: expected a non-empty string`);
            }
            identity[field] = value;
        }
    }
    if (entry.boundary !== undefined) {
        const boundary = { ...(entry.boundary as Record<string, unknown>) };
        const exported = (outputs[platformOutput]?.value as { config?: { boundary?: { address?: unknown } } } | undefined)?.config?.boundary?.address;
        boundary.address ??= exported ?? fallbackBoundaryAddress;
        const missing = ["authMethodId", "loginName", "password"].filter((field) => !text(boundary[field]));
        if (missing.length > 0) {
            throw new TeamIdentityError(`${key}.boundary: ${missing.join(", ")} missing; expected { authMethodId, loginName, password }`);
        }
        if (!text(boundary.address)) {
            throw new TeamIdentityError(`${key}.boundary: no Boundary address to log in at: none in the entry, no boundary.address in the platform stack's ${platformOutput} output, and BOUNDARY_ADDR is not set`);
        }
        identity.boundary = boundary as unknown as BoundaryLogin;
    }
    return identity;
}

type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ status: number; text(): Promise<string> }>;

/**
 * Logs in with Boundary's password auth method and returns the token:
 * `POST /v1/auth-methods/<id>:authenticate` with `{"command":"login","attributes":{"login_name","password"}}`;
 * the token is `attributes.token` of the answer (hashicorp/boundary internal/gen/controller.swagger.json,
 * AuthMethodService_Authenticate; handlers/authmethods/password.go; docs/upstream.md).
 */
export async function boundaryLogin(boundary: BoundaryLogin, fetchImpl: Fetch = (url, init) => fetch(url, init)): Promise<string> {
    const url = `${boundary.address.replace(/\/+$/, "")}/v1/auth-methods/${boundary.authMethodId}:authenticate`;
    let status: number, body: string;
    try {
        const response = await fetchImpl(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ command: "login", attributes: { login_name: boundary.loginName, password: boundary.password } }),
        });
        status = response.status;
        body = await response.text();
    } catch (error) {
        throw new TeamIdentityError(`log in to Boundary at ${boundary.address} as ${boundary.loginName}: ${(error as Error).message}`);
    }
    let parsed: { attributes?: { token?: unknown }; message?: unknown } = {};
    try {
        parsed = JSON.parse(body);
    } catch {
        // not JSON: reported below with the status
    }
    if (status !== 200 || typeof parsed.attributes?.token !== "string") {
        throw new TeamIdentityError(`log in to Boundary at ${boundary.address} as ${boundary.loginName}: ${status} ${typeof parsed.message === "string" ? parsed.message : body.slice(0, 200)}`);
    }
    return parsed.attributes.token;
}

/** Where a run keeps the team kubeconfig files; remove() deletes only what it wrote. */
export class CredentialDir {
    private dir?: string;

    /** Writes a file readable only by this user and returns its path. */
    write(name: string, content: string): string {
        this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-deploy-"));
        const file = path.join(this.dir, name);
        fs.writeFileSync(file, content, { mode: 0o600, flag: "wx" });
        return file;
    }

    remove(): void {
        if (this.dir) {
            fs.rmSync(this.dir, { recursive: true, force: true });
            this.dir = undefined;
        }
    }
}

/** The environment of a team's pulumi process: every credential variable set, to the team's value or "". */
export async function teamEnvironment(identity: TeamIdentity, team: string, files: CredentialDir,
    login: (boundary: BoundaryLogin) => Promise<string> = (boundary) => boundaryLogin(boundary)): Promise<Record<string, string>> {
    return {
        KUBECONFIG: files.write(`${team}.kubeconfig`, identity.kubeconfig),
        VAULT_TOKEN: identity.vaultToken ?? "",
        BOUNDARY_TOKEN: identity.boundary ? await login(identity.boundary) : "",
        SANDBOX_BOUNDARY_VAULT_TOKEN: identity.boundaryVaultToken ?? "",
        ...(identity.boundary ? { BOUNDARY_ADDR: identity.boundary.address } : {}),
    };
}
