// Credentials and addresses are deploy-time inputs (DESIGN.md contract): a valid
// config renders offline without any of them. At deploy time each comes from a
// stack secret/config key or from the environment variable the Boundary and Vault
// CLIs (and the Vault provider) read. The offline render and `pulumi preview` show
// a placeholder and a warning for each missing one; `pulumi up` stops before it
// creates anything, naming both ways to provide it.

import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../config/schema";

/** Set by the offline renderer (tools/program-runner.ts) while it evaluates the program. */
export const offlineRenderMarker = Symbol.for("sandbox-platform:offline-render");

export type DeployMode = "render" | "preview" | "up";

/** render: the offline renderer's marker is set; preview: the engine's dry run; up: a real update. */
export function deployMode(): DeployMode {
    if ((globalThis as Record<symbol, unknown>)[offlineRenderMarker] === true) {
        return "render";
    }
    return pulumi.runtime.isDryRun() ? "preview" : "up";
}

export interface CredentialGap {
    /** What is missing, in words. */
    what: string;
    /** The stack setting that provides it. */
    stackWay: string;
    /** The environment variable that provides it. */
    envVar: string;
}

/** Where each value can come from: the flat Pulumi config (presence only) and the environment. */
export interface DeploySources {
    /** Pulumi's flat config map ("namespace:key" → value), as the engine passes it to the program. */
    config: Record<string, string>;
    env: Record<string, string | undefined>;
}

const has = (value: string | undefined): value is string => value !== undefined && value !== "";

/** Every credential or address the platform will need at deploy time and cannot find. */
export function deployCredentialGaps(platform: PlatformConfig, sources: DeploySources): CredentialGap[] {
    const { config, env } = sources;
    const gaps: CredentialGap[] = [];
    if (platform.boundary.enabled) {
        if (!platform.boundary.address && !has(env.BOUNDARY_ADDR)) {
            gaps.push({ what: "Boundary address", stackWay: "`pulumi config set --path sandbox-platform:boundary.address https://boundary.example.com`", envVar: "BOUNDARY_ADDR" });
        }
        if (!has(config["sandbox-platform:boundaryToken"]) && !has(config["sandbox-platform:boundaryPassword"]) && !has(env.BOUNDARY_TOKEN)) {
            gaps.push({
                what: "Boundary token",
                stackWay: "`pulumi config set --secret sandbox-platform:boundaryToken <token>` (or the secret boundaryPassword with boundary.authMethodId and boundary.loginName)",
                envVar: "BOUNDARY_TOKEN",
            });
        }
    }
    if (platform.stack === "team" && platform.boundary.enabled && platform.boundary.edition !== "community" && platform.vault.enabled
        && !has(config["sandbox-platform:boundaryVaultToken"]) && !has(env.SANDBOX_BOUNDARY_VAULT_TOKEN)) {
        gaps.push({
            what: "Vault token of the team's Boundary credential store",
            stackWay: "`pulumi config set --secret sandbox-platform:boundaryVaultToken <token>` (the platform owner reads it with `pulumi stack output --stack <platform stack> --show-secrets teamCredentials`)",
            envVar: "SANDBOX_BOUNDARY_VAULT_TOKEN",
        });
    }
    if (platform.vault.enabled) {
        // The Vault provider (@pulumi/vault) reads vault:address / vault:token, or VAULT_ADDR / VAULT_TOKEN.
        if (!has(config["vault:address"]) && !has(env.VAULT_ADDR)) {
            gaps.push({ what: "Vault address", stackWay: "`pulumi config set vault:address https://vault.example.com:8200`", envVar: "VAULT_ADDR" });
        }
        if (!has(config["vault:token"]) && !has(env.VAULT_TOKEN)) {
            gaps.push({ what: "Vault token", stackWay: "`pulumi config set --secret vault:token <token>`", envVar: "VAULT_TOKEN" });
        }
    }
    return gaps;
}

/** The placeholder a render shows for a value only a deploy can know. */
export function deployPlaceholder(envVar: string): string {
    return `<deploy-time: ${envVar}>`;
}

export function gapWarning(gap: CredentialGap): string {
    return `${gap.what} is not set: the render uses ${deployPlaceholder(gap.envVar)}; before \`pulumi up\` set ${gap.stackWay} or the environment variable ${gap.envVar}`;
}

/** The error `pulumi up` stops with: each missing value and both ways to provide it. */
export function deployCredentialsError(gaps: CredentialGap[]): Error {
    const lines = gaps.map((gap) => `  - ${gap.what}: set ${gap.stackWay}, or the environment variable ${gap.envVar}`);
    return new Error(`sandbox-platform: pulumi up needs credentials and addresses it cannot find:\n${lines.join("\n")}`);
}

export interface DeployCredentials {
    /** Boundary's API address (or a placeholder). */
    boundaryAddress: string;
    /** Boundary token: the stack secret, else BOUNDARY_TOKEN (as a secret), else a placeholder when no password is set. */
    boundaryToken?: pulumi.Input<string>;
    boundaryPassword?: pulumi.Input<string>;
    /** Team stacks: the Vault token of the team's Boundary credential store (or a placeholder). */
    boundaryVaultToken?: pulumi.Input<string>;
    /** Vault's address as Boundary's workers reach it: vault.address, else the Vault provider's address, else a placeholder. */
    vaultAddress: string;
    /** One warning per missing value (render and preview). */
    warnings: string[];
}

/**
 * Resolves the deploy-time inputs. Throws (before any resource exists) when one is missing in `up` mode;
 * otherwise fills placeholders and returns a warning for each.
 */
export function resolveDeployCredentials(platform: PlatformConfig, sources: DeploySources, mode: DeployMode,
    secrets: { boundaryToken?: pulumi.Input<string>; boundaryPassword?: pulumi.Input<string>; boundaryVaultToken?: pulumi.Input<string> }): DeployCredentials {
    const gaps = deployCredentialGaps(platform, sources);
    if (gaps.length > 0 && mode === "up") {
        throw deployCredentialsError(gaps);
    }
    const { env, config } = sources;
    const envToken = has(env.BOUNDARY_TOKEN) ? pulumi.secret(env.BOUNDARY_TOKEN) : undefined;
    const boundaryToken = secrets.boundaryToken ?? envToken ?? (secrets.boundaryPassword ? undefined : pulumi.secret(deployPlaceholder("BOUNDARY_TOKEN")));
    return {
        boundaryAddress: platform.boundary.address ?? (has(env.BOUNDARY_ADDR) ? env.BOUNDARY_ADDR : deployPlaceholder("BOUNDARY_ADDR")),
        boundaryToken,
        boundaryPassword: secrets.boundaryPassword,
        ...(platform.stack === "team" ? {
            boundaryVaultToken: secrets.boundaryVaultToken ?? (has(env.SANDBOX_BOUNDARY_VAULT_TOKEN) ? pulumi.secret(env.SANDBOX_BOUNDARY_VAULT_TOKEN) : pulumi.secret(deployPlaceholder("SANDBOX_BOUNDARY_VAULT_TOKEN"))),
        } : {}),
        vaultAddress: platform.vault.address ?? (has(config["vault:address"]) ? config["vault:address"] : has(env.VAULT_ADDR) ? env.VAULT_ADDR : deployPlaceholder("VAULT_ADDR")),
        warnings: gaps.map(gapWarning),
    };
}
