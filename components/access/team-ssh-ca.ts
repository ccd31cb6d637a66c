// Vault on split stacks: each team has its own SSH CA (a mount of its own), made by the platform
// stack; the team's stack writes only roles on that mount. See vault-policies.ts teamSshMount.

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { k8sClasses, vaultClasses } from "../provider-classes";
import { TeamConfig, VaultConfig } from "../config/schema";
import { commonLabels, teamNamespace } from "../naming";
import { sshCaConfigMapName, sshCaKeyFile } from "./sshd";
import { boundaryCredentialStorePolicy, boundaryPolicyName, teamDeveloperPolicyName, teamDeveloperSignPolicy, teamSshMount } from "./vault-policies";
import { buildSshRoles } from "./vault-roles";
import { createSshRole } from "./vault-ssh-ca";

export interface TeamSshCaArgs {
    /** The team's name. */
    team: string;
    /** Vault settings of the environment (base mount name, TTLs). */
    vault: VaultConfig;
    /** The team's namespace, where its sandboxes read the CA's public key. */
    namespace: k8s.core.v1.Namespace;
    /** Make the token the team's Boundary credential store signs with (enterprise/hcp). */
    boundaryToken: boolean;
}

/** Platform stack, per team: the team's CA mount, its public key in the team namespace, and the team-wide sign policy. */
export class TeamSshCa extends pulumi.ComponentResource {
    readonly mount: string;
    readonly publicKey: pulumi.Output<string>;
    /** Token for the team's Boundary Vault credential store (a secret), when requested. */
    readonly boundaryToken?: pulumi.Output<string>;

    constructor(name: string, args: TeamSshCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:access:TeamSshCa", name, {}, opts);
        const { team, vault: settings } = args;
        this.mount = teamSshMount(settings.sshMount, team);
        const mount = new vaultClasses.Mount(`ssh-ca-mount-${team}`, {
            path: this.mount, type: "ssh", description: `sandbox-platform SSH certificate authority of team ${team}`,
            // No certificate outlives the environment's longest TTL, whatever a team's role asks for.
            maxLeaseTtlSeconds: settings.certMaxTtlSeconds,
        }, { parent: this });
        const ca = new vaultClasses.ssh.SecretBackendCa(`ssh-ca-${team}`, { backend: mount.path, generateSigningKey: true, keyType: "ed25519" }, { parent: this });
        const policyName = teamDeveloperPolicyName(team);
        new vaultClasses.Policy(`ssh-policy-${policyName}`, { name: policyName, policy: teamDeveloperSignPolicy(team, this.mount) }, { parent: this });
        if (args.boundaryToken) {
            const storePolicyName = boundaryPolicyName(team);
            const policy = new vaultClasses.Policy(`boundary-credential-store-policy-${team}`, {
                name: storePolicyName, policy: boundaryCredentialStorePolicy(this.mount, ["*"]),
            }, { parent: this });
            const token = new vaultClasses.Token(`boundary-credential-store-token-${team}`, {
                policies: [storePolicyName], noParent: true, renewable: true, period: "24h", noDefaultPolicy: true,
                displayName: `boundary-credential-store-${team}`,
            }, { parent: this, dependsOn: [policy], additionalSecretOutputs: ["clientToken"] });
            this.boundaryToken = pulumi.secret(token.clientToken);
        }
        new k8sClasses.core.v1.ConfigMap(`${teamNamespace(team)}-${sshCaConfigMapName}`, {
            metadata: { name: sshCaConfigMapName, namespace: teamNamespace(team), labels: commonLabels("access") },
            data: { [sshCaKeyFile]: ca.publicKey.apply((key) => `${key.trim()}\n`) },
        }, { parent: this, dependsOn: [args.namespace] });
        this.publicKey = ca.publicKey;
        this.registerOutputs({ mount: this.mount, publicKey: this.publicKey });
    }
}

export interface VaultTeamRolesArgs {
    /** The team whose developers get roles (and, for pools with injection, its Boundary role). */
    team: TeamConfig;
    /** Vault settings of the environment (base mount name, TTLs). */
    vault: VaultConfig;
    /** Whether Boundary injects certificates (then pool teams get their injection role). */
    injection: boolean;
}

/** Team stack: one role per developer on the team's own mount, `<team>.<developer>`, as the all-in-one stack names them. */
export class VaultTeamRoles extends pulumi.ComponentResource {
    readonly mount: string;

    constructor(name: string, args: VaultTeamRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:access:VaultTeamRoles", name, {}, opts);
        this.mount = teamSshMount(args.vault.sshMount, args.team.name);
        for (const role of buildSshRoles([args.team], args.injection)) {
            createSshRole(role, this.mount, args.vault, { parent: this });
        }
        this.registerOutputs({ mount: this.mount });
    }
}
