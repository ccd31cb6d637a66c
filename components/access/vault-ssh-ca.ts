import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { PlatformConfig, VaultConfig } from "../config/schema";
import { commonLabels, teamNamespace } from "../naming";
import { sshCaConfigMapName, sshCaKeyFile } from "./sshd";
import { sshExtensions } from "./vault-policies";
import { SshRoleSpec, buildBoundaryTokens, buildDeveloperPolicies, buildSshRoles } from "./vault-roles";

export interface VaultSshCaArgs {
    /** The environment's Vault settings and its teams' rosters. */
    config: Pick<PlatformConfig, "vault" | "teams">;
    /** Team name → its sandbox namespace, where the CA public key is published. */
    teamNamespaces: Record<string, k8s.core.v1.Namespace>;
    /** Create the orphan periodic tokens Boundary's credential stores use (one per team). */
    boundaryToken: boolean;
}

/** An SSH CA in Vault: one role and one sign policy per developer, a Boundary token per team, the CA key in every sandbox namespace. */
export class VaultSshCa extends pulumi.ComponentResource {
    readonly publicKey: pulumi.Output<string>;
    readonly mount: string;
    /** Team → token for that team's Boundary Vault credential store (secrets), when requested. */
    readonly boundaryTokens: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: VaultSshCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:access:VaultSshCa", name, {}, opts);
        const { config } = args;
        const { vault: settings } = config;
        const mount = new vault.Mount("ssh-ca-mount", {
            path: settings.sshMount, type: "ssh", description: "sandbox-platform SSH certificate authority",
        }, { parent: this, protect: false });
        const ca = new vault.ssh.SecretBackendCa("ssh-ca", {
            backend: mount.path, generateSigningKey: true, keyType: "ed25519",
        }, { parent: this });

        // One role per developer (allowed_users and default_user: that developer), so no
        // certificate can carry a teammate's principal; a team with no developers gets none.
        const roles = buildSshRoles(config.teams, args.boundaryToken);
        for (const role of roles) {
            createSshRole(role, mount.path, settings, { parent: this, dependsOn: [ca] });
        }
        for (const policy of buildDeveloperPolicies(config)) {
            new vault.Policy(`ssh-policy-${policy.name}`, { name: policy.name, policy: policy.policy }, { parent: this });
        }

        if (args.boundaryToken) {
            // Boundary requires a token per credential store; each signs on its own team's roles only.
            for (const spec of buildBoundaryTokens(config, roles)) {
                const policy = new vault.Policy(`boundary-credential-store-policy-${spec.team}`, { name: spec.policyName, policy: spec.policy }, { parent: this });
                const token = new vault.Token(`boundary-credential-store-token-${spec.team}`, {
                    policies: [spec.policyName], noParent: true, renewable: true, period: "24h", noDefaultPolicy: true,
                    displayName: `boundary-credential-store-${spec.team}`,
                }, { parent: this, dependsOn: [policy], additionalSecretOutputs: ["clientToken"] });
                this.boundaryTokens[spec.team] = pulumi.secret(token.clientToken);
            }
        }

        for (const team of config.teams) {
            new k8s.core.v1.ConfigMap(`${teamNamespace(team.name)}-${sshCaConfigMapName}`, {
                metadata: { name: sshCaConfigMapName, namespace: teamNamespace(team.name), labels: commonLabels("access") },
                data: { [sshCaKeyFile]: ca.publicKey.apply((key) => `${key.trim()}\n`) },
            }, { parent: this, dependsOn: [args.teamNamespaces[team.name]] });
        }
        this.publicKey = ca.publicKey;
        this.mount = settings.sshMount;
        this.registerOutputs({ publicKey: this.publicKey, mount: this.mount });
    }
}

/**
 * vault.ssh.SecretBackendRole's type token and default options, from @pulumi/vault itself: the
 * class's `__pulumiType`, and utilities.resourceOptsDefaults() (`{ version }` from its
 * package.json), which its constructor merges under the caller's options.
 */
const secretBackendRoleType: string = (vault.ssh.SecretBackendRole as unknown as { __pulumiType: string }).__pulumiType;
// eslint-disable-next-line @typescript-eslint/no-var-requires
const vaultResourceDefaults = (require("@pulumi/vault/utilities") as { resourceOptsDefaults(): pulumi.CustomResourceOptions }).resourceOptsDefaults;

/**
 * A vault.ssh.SecretBackendRole registered without the class: the class's constructor sets every
 * one of the role's 30 input properties (24 of them undefined here), and the SDK makes an
 * Output with four promises, each capturing a stack trace, for every property it is given
 * (runtime/rpc.js transferProperties), then leaves the undefined ones out of the registration
 * (serializeFilteredProperties). One per developer, that was the dearest resource in the render
 * (2.7 ms of CPU each, against 0.7 ms for a Kubernetes object). The request the engine receives
 * is the class's (test/vault-ssh-role.test.ts).
 */
class SshRole extends pulumi.CustomResource {
    constructor(name: string, args: vault.ssh.SecretBackendRoleArgs, opts: pulumi.CustomResourceOptions) {
        const inputs = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
        super(secretBackendRoleType, name, inputs, pulumi.mergeOptions(vaultResourceDefaults(), opts));
    }
}

/** One SSH role: user certificates only, for the role's principals, with the CA's TTLs. */
export function createSshRole(role: SshRoleSpec, backend: pulumi.Input<string>, settings: VaultConfig, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    return new SshRole(`ssh-role-${role.name}`, {
        name: role.name,
        backend,
        keyType: "ca",
        allowUserCertificates: true,
        allowHostCertificates: false,
        allowedUsers: role.allowedUsers,
        ...(role.defaultUser ? { defaultUser: role.defaultUser } : {}),
        allowedExtensions: Object.keys(sshExtensions).join(","),
        defaultExtensions: sshExtensions,
        ttl: String(settings.certTtlSeconds),
        maxTtl: String(settings.certMaxTtlSeconds),
    }, opts);
}
