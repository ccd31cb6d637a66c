// Each team stack deploys with its own team's identity, which the platform stack creates and
// exports as one secret stack output (`teamIdentities`, keyed by team). This module turns that
// output into the environment of the team's `pulumi` process:
//   KUBECONFIG      a file (0600, in a directory this run creates and removes) holding the team's
//                   kubeconfig: @pulumi/kubernetes falls back to KUBECONFIG when the stack sets no
//                   kubernetes:kubeconfig (provider.js, 4.34.2), and the team stack file may not set it
//                   (deploy-plan.ts teamCredentialKeys);
//   VAULT_TOKEN     the team's Vault token (the Vault provider reads VAULT_TOKEN when vault:token is unset);
//   BOUNDARY_TOKEN  a token from logging in as the team's Boundary deployer (password auth method),
//                   which the program takes from the environment (components/access/deploy-credentials.ts),
//                   with BOUNDARY_ADDR the address it logged in at.
// The `pulumi` process inherits this process's environment (execa's extendEnv, used by
// @pulumi/pulumi automation/cmd.js): each variable above is always set for a team, to the team's
// value or to an empty string, so the operator's own credentials never reach a team stack.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { OutputMap } from "@pulumi/pulumi/automation";

/** The platform stack output holding every team's deploy identity (a secret). */
export const teamIdentitiesOutput = "teamIdentities";

/** One team's deploy identity as the platform stack exports it under teamIdentities.<team>. */
export interface TeamIdentity {
    /** A kubeconfig for the team's ServiceAccount (bound to a Role in the team namespace only). */
    kubeconfig: string;
    /** A Vault token that may manage only the team's SSH roles. */
    vaultToken?: string;
    /** The team's Boundary deployer: a password account in the org scope. */
    boundary?: { address: string; authMethodId: string; loginName: string; password: string };
}

/** The variables a team's pulumi process gets; each overrides an operator credential. */
export const teamCredentialVariables = ["KUBECONFIG", "VAULT_TOKEN", "BOUNDARY_TOKEN"] as const;

export class TeamIdentityError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TeamIdentityError";
    }
}

const text = (value: unknown): value is string => typeof value === "string" && value !== "";

/** The team's identity from the platform stack's outputs, or an error naming the output key. */
export function teamIdentityFrom(outputs: OutputMap, platformStack: string, team: string): TeamIdentity {
    const output = outputs[teamIdentitiesOutput];
    const where = `platform stack ${platformStack} output ${teamIdentitiesOutput}`;
    if (output === undefined) {
        throw new TeamIdentityError(`${where}: missing; the platform stack exports each team's deploy identity there (is the platform stack deployed, and in split mode?)`);
    }
    if (!output.secret) {
        throw new TeamIdentityError(`${where}: not a secret; it carries credentials, so the platform must export it with pulumi.secret (refusing to use it)`);
    }
    const entry = (output.value as Record<string, unknown> | null)?.[team] as Record<string, unknown> | undefined;
    const key = `${where}.${team}`;
    if (entry === undefined || entry === null || typeof entry !== "object") {
        const known = output.value && typeof output.value === "object" ? Object.keys(output.value).sort() : [];
        throw new TeamIdentityError(`${key}: missing; the platform stack declares identities for: ${known.length > 0 ? known.join(", ") : "no team"}`);
    }
    if (!text(entry.kubeconfig)) {
        throw new TeamIdentityError(`${key}.kubeconfig: missing or empty; a team stack never deploys with the operator's kubeconfig`);
    }
    const identity: TeamIdentity = { kubeconfig: entry.kubeconfig };
    if (entry.vaultToken !== undefined) {
        if (!text(entry.vaultToken)) {
            throw new TeamIdentityError(`${key}.vaultToken: expected a non-empty string`);
        }
        identity.vaultToken = entry.vaultToken;
    }
    if (entry.boundary !== undefined) {
        const boundary = entry.boundary as Record<string, unknown>;
        const missing = ["address", "authMethodId", "loginName", "password"].filter((field) => !text(boundary?.[field]));
        if (missing.length > 0) {
            throw new TeamIdentityError(`${key}.boundary: ${missing.join(", ")} missing; expected { address, authMethodId, loginName, password }`);
        }
        identity.boundary = boundary as TeamIdentity["boundary"];
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
export async function boundaryLogin(boundary: NonNullable<TeamIdentity["boundary"]>, fetchImpl: Fetch = (url, init) => fetch(url, init)): Promise<string> {
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
    login: (boundary: NonNullable<TeamIdentity["boundary"]>) => Promise<string> = (boundary) => boundaryLogin(boundary)): Promise<Record<string, string>> {
    return {
        KUBECONFIG: files.write(`${team}.kubeconfig`, identity.kubeconfig),
        VAULT_TOKEN: identity.vaultToken ?? "",
        BOUNDARY_TOKEN: identity.boundary ? await login(identity.boundary) : "",
        ...(identity.boundary ? { BOUNDARY_ADDR: identity.boundary.address } : {}),
    };
}
