import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { PlatformConfig } from "../config/schema";
import { commonLabels, teamNamespace } from "../naming";
import { sshCaConfigMapName, sshCaKeyFile } from "./sshd";
import {
    boundaryCredentialStorePolicy, boundaryPolicyName, sshExtensions, teamPolicyName, teamRoleName, teamSignPolicy,
} from "./vault-policies";

export interface VaultSshCaArgs {
    /** The validated platform config (vault settings and team rosters). */
    config: PlatformConfig;
    /** Team name → its sandbox namespace, where the CA public key is published. */
    teamNamespaces: Record<string, k8s.core.v1.Namespace>;
    /** Create the orphan periodic token Boundary's credential store uses. */
    boundaryToken: boolean;
}

/** An SSH CA in Vault: one role and one sign policy per team, the CA key in every sandbox namespace. */
export class VaultSshCa extends pulumi.ComponentResource {
    readonly publicKey: pulumi.Output<string>;
    readonly mount: string;
    /** Token for Boundary's Vault credential store (a secret), when requested. */
    readonly boundaryToken?: pulumi.Output<string>;

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

        // A team with no developers gets no role: an empty allowed_users signs for nobody on
        // current Vault, and for any principal on Vault before the empty-principals fix
        // (builtin/logical/ssh/path_issue_sign.go calculateValidPrincipals).
        const roles = config.teams.filter((team) => team.developers.length > 0).map((team) => {
            const role = teamRoleName(team.name);
            new vault.ssh.SecretBackendRole(`ssh-role-${team.name}`, {
                name: role,
                backend: mount.path,
                keyType: "ca",
                allowUserCertificates: true,
                allowHostCertificates: false,
                allowedUsers: team.developers.map((developer) => developer.name).join(","),
                allowedExtensions: Object.keys(sshExtensions).join(","),
                defaultExtensions: sshExtensions,
                ttl: String(settings.certTtlSeconds),
                maxTtl: String(settings.certMaxTtlSeconds),
            }, { parent: this, dependsOn: [ca] });
            new vault.Policy(`ssh-policy-${team.name}`, { name: teamPolicyName(team.name), policy: teamSignPolicy(settings.sshMount, role) }, { parent: this });
            return role;
        });

        if (args.boundaryToken) {
            const policy = new vault.Policy("boundary-credential-store-policy", {
                name: boundaryPolicyName, policy: boundaryCredentialStorePolicy(settings.sshMount, roles),
            }, { parent: this });
            const token = new vault.Token("boundary-credential-store-token", {
                policies: [boundaryPolicyName], noParent: true, renewable: true, period: "24h", noDefaultPolicy: true,
                displayName: "boundary-credential-store",
            }, { parent: this, dependsOn: [policy], additionalSecretOutputs: ["clientToken"] });
            this.boundaryToken = pulumi.secret(token.clientToken);
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
