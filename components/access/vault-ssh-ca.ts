import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { k8sClasses, vaultClasses } from "../provider-classes";
import { PlatformConfig, VaultConfig } from "../config/schema";
import { commonLabels, teamNamespace } from "../naming";
import { classTypeToken, requireClassInputs } from "../class-free";
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
        const mount = new vaultClasses.Mount("ssh-ca-mount", {
            path: settings.sshMount, type: "ssh", description: "sandbox-platform SSH certificate authority",
        }, { parent: this, protect: false });
        const ca = new vaultClasses.ssh.SecretBackendCa("ssh-ca", {
            backend: mount.path, generateSigningKey: true, keyType: "ed25519",
        }, { parent: this });

        // One role per developer (allowed_users and default_user: that developer), so no
        // certificate can carry a teammate's principal; a team with no developers gets none.
        const roles = buildSshRoles(config.teams, args.boundaryToken);
        for (const role of roles) {
            createSshRole(role, mount.path, settings, { parent: this, dependsOn: [ca] });
        }
        for (const policy of buildDeveloperPolicies(config)) {
            new VaultResource(vaultClasses.Policy, `ssh-policy-${policy.name}`, { name: policy.name, policy: policy.policy }, { parent: this });
        }

        if (args.boundaryToken) {
            // Boundary requires a token per credential store; each signs on its own team's roles only.
            for (const spec of buildBoundaryTokens(config, roles)) {
                const policy = new vaultClasses.Policy(`boundary-credential-store-policy-${spec.team}`, { name: spec.policyName, policy: spec.policy }, { parent: this });
                const token = new vaultClasses.Token(`boundary-credential-store-token-${spec.team}`, {
                    policies: [spec.policyName], noParent: true, renewable: true, period: "24h", noDefaultPolicy: true,
                    displayName: `boundary-credential-store-${spec.team}`,
                }, { parent: this, dependsOn: [policy], additionalSecretOutputs: ["clientToken"] });
                this.boundaryTokens[spec.team] = pulumi.secret(token.clientToken);
            }
        }

        for (const team of config.teams) {
            new k8sClasses.core.v1.ConfigMap(`${teamNamespace(team.name)}-${sshCaConfigMapName}`, {
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
 * The @pulumi/vault classes VaultResource registers as, and the inputs each requires: classes whose
 * constructor only copies its inputs, in sorted order, checks the required ones and merges the
 * package's default options (test/vault-ssh-role.test.ts reads both constructors). Others do more
 * (vault.ssh.SecretBackendCa makes its private key a secret and an additional secret output) and
 * are created with their class.
 */
export const classFreeVaultTypes: ReadonlyMap<string, { className: string; required: readonly string[] }> = new Map([
    [classTypeToken(vaultClasses.Policy), { className: "vault.Policy", required: ["policy"] }],
    [classTypeToken(vaultClasses.ssh.SecretBackendRole), { className: "vault.ssh.SecretBackendRole", required: ["backend", "keyType"] }],
]);

/**
 * A @pulumi/vault resource registered without its class, for the ones every developer has: the
 * class's constructor sets every one of its inputs (a vault.ssh.SecretBackendRole's 30, 24 of
 * them undefined here; a vault.Policy's `namespace`), and the SDK makes an Output with four
 * promises, each capturing a stack trace, for every property it is given (runtime/rpc.js
 * transferProperties), then leaves the undefined ones out of the registration
 * (serializeFilteredProperties). One role per developer was the dearest resource in the render
 * (2.7 ms of CPU each, against 0.7 ms for a Kubernetes object). Registered with the class's type
 * token, @pulumi/vault's own default options (utilities.resourceOptsDefaults(): `{ version }`,
 * merged under the caller's as the class does) and the inputs that are set, in the class's order
 * (the SDK lists a resource's dependencies in the order of its inputs), the request the engine
 * receives is the class's (test/vault-ssh-role.test.ts). `new VaultResource(vaultClasses.Policy, name,
 * args, opts)` registers what `new vaultClasses.Policy(name, args, opts)` does, as deep in the call stack
 * (the SDK captures it for every registration); only for the classes in classFreeVaultTypes.
 */
export class VaultResource<Args extends object> extends pulumi.CustomResource {
    constructor(Class: new (name: string, args: Args, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource, name: string, args: Args, opts: pulumi.CustomResourceOptions) {
        super(classTypeToken(Class), name, classInputs(classTypeToken(Class), args, opts), pulumi.mergeOptions(vaultResourceDefaults(), opts));
    }
}

/** The inputs a class-free Vault resource sends: the set ones in sorted order (its class's), after the class's required-input check. */
function classInputs(type: string, args: object, opts: pulumi.CustomResourceOptions): Record<string, unknown> {
    const known = classFreeVaultTypes.get(type);
    if (!known) {
        const accepted = [...classFreeVaultTypes.values()].map(({ className }) => className).join(" or ");
        throw new Error(`VaultResource: ${type} is not registered without its class (its constructor may add secrets or options); accepted: ${accepted}. Create it with its class.`);
    }
    requireClassInputs(known.required, args, opts);
    const given = args as Record<string, unknown>;
    return Object.fromEntries(Object.keys(given).sort().filter((key) => given[key] !== undefined).map((key) => [key, given[key]]));
}

/** One SSH role: user certificates only, for the role's principals, with the CA's TTLs. */
export function createSshRole(role: SshRoleSpec, backend: pulumi.Input<string>, settings: VaultConfig, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    return new VaultResource(vaultClasses.ssh.SecretBackendRole, `ssh-role-${role.name}`, {
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
