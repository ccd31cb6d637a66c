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
            new VaultResource(vault.Policy, `ssh-policy-${policy.name}`, { name: policy.name, policy: policy.policy }, { parent: this });
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

// eslint-disable-next-line @typescript-eslint/no-var-requires
const vaultResourceDefaults = (require("@pulumi/vault/utilities") as { resourceOptsDefaults(): pulumi.CustomResourceOptions }).resourceOptsDefaults;

/**
 * A @pulumi/vault resource registered without its class, for the ones every developer has: the
 * class's constructor sets every one of its inputs (a vault.ssh.SecretBackendRole's 30, 24 of
 * them undefined here; a vault.Policy's `namespace`), and the SDK makes an Output with four
 * promises, each capturing a stack trace, for every property it is given (runtime/rpc.js
 * transferProperties), then leaves the undefined ones out of the registration
 * (serializeFilteredProperties). One role per developer was the dearest resource in the render
 * (2.7 ms of CPU each, against 0.7 ms for a Kubernetes object). Registered with the class's type
 * token and @pulumi/vault's own default options (utilities.resourceOptsDefaults(): `{ version }`,
 * merged under the caller's as the class does) and the inputs that are set, the request the
 * engine receives is the class's (test/vault-ssh-role.test.ts). `new VaultResource(vault.Policy,
 * name, args, opts)` registers what `new vault.Policy(name, args, opts)` does, as deep in the call
 * stack (the SDK captures it for every registration).
 */
export class VaultResource<Args extends object> extends pulumi.CustomResource {
    constructor(Class: new (name: string, args: Args, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource, name: string, args: Args, opts: pulumi.CustomResourceOptions) {
        const inputs = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
        // The class's type token: its static `__pulumiType` (marked @internal in its declarations).
        super((Class as unknown as { __pulumiType: string }).__pulumiType, name, inputs, pulumi.mergeOptions(vaultResourceDefaults(), opts));
    }
}

/** One SSH role: user certificates only, for the role's principals, with the CA's TTLs. */
export function createSshRole(role: SshRoleSpec, backend: pulumi.Input<string>, settings: VaultConfig, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    return new VaultResource(vault.ssh.SecretBackendRole, `ssh-role-${role.name}`, {
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
