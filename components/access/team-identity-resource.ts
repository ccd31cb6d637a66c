// TeamIdentity: what the platform stack creates per declared team in split mode so that the
// team's own stack can deploy with least privilege. Thin wiring over team-identity.ts.

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { k8sClasses, vaultClasses } from "../provider-classes";
import { teamNamespace } from "../naming";
import { ConnectionInput, AccountPassword, AuthMethodPassword, Role, User } from "./boundary/resources";
import {
    boundaryDeployerNames, buildDeployerNamespace, buildDeployerObjects, buildKubeconfig, deployerAuthMethodName, deployerBoundaryGrants, deployerName,
    deployerNamespace, deployerTokenSecretName, deployerVaultPolicy, developerGroupName, teamPolicyNames, vaultPolicyText,
} from "./team-identity";

export interface TeamIdentityArgs {
    /**
     * Kubernetes: the API server URL written into the deployer's kubeconfig, the team Namespace
     * and the deployers' Namespace (both platform-owned, see deployerNamespaceResource) to wait for.
     */
    kubernetes: { server: pulumi.Input<string>; namespace?: pulumi.Resource; deployers?: pulumi.Resource };
    /** Vault: the team's own SSH mount, from its TeamSshCa (which also writes the developers' sign policy). Omit when Vault is off. */
    vault?: { mount: string; ca?: pulumi.Resource };
    /** Boundary: the org, the team's project (both platform-owned) and the deployers' org-scoped password auth method. Omit when Boundary is off. */
    boundary?: {
        connection: ConnectionInput;
        orgId: pulumi.Input<string>;
        projectId: pulumi.Input<string>;
        /** From `deployerAuthMethod(...)`: accounts must be in an auth method of their user's scope (the org). */
        authMethodId: pulumi.Input<string>;
    };
}

/** What a team stack logs in with: every credential a secret. */
export interface TeamIdentityOutputs {
    namespace: string;
    kubeconfig: pulumi.Output<string>;
    vaultMount?: string;
    vaultToken?: pulumi.Output<string>;
    boundary?: pulumi.Output<{ authMethodId: string; loginName: string; password: string }>;
}

/** The deployers' namespace (ServiceAccounts and their token Secrets); create once per platform stack. */
export function deployerNamespaceResource(opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8sClasses.core.v1.Namespace(deployerNamespace, buildDeployerNamespace(), opts);
}

/** The org-scoped password auth method every team deployer's account lives in; create once per platform stack. */
export function deployerAuthMethod(connection: ConnectionInput, orgId: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): AuthMethodPassword {
    return new AuthMethodPassword("boundary-deployers-auth-method", { connection, scopeId: orgId, name: deployerAuthMethodName, minPasswordLength: 24 }, opts);
}

/**
 * One team's deployer identities: a ServiceAccount bound to a Role in the team namespace; a
 * Vault token that manages roles on the team's own mount (TeamSshCa's) and the developers'
 * group carrying TeamSshCa's templated sign policy; a Boundary deployer user with a role over
 * the team's project. Type token sandbox-platform:access:TeamIdentity.
 */
export class TeamIdentity extends pulumi.ComponentResource {
    readonly outputs: TeamIdentityOutputs;

    constructor(team: string, args: TeamIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:access:TeamIdentity", team, {}, opts);
        const namespace = teamNamespace(team);
        const child: pulumi.CustomResourceOptions = { parent: this };
        const inNamespace: pulumi.CustomResourceOptions = { parent: this, dependsOn: args.kubernetes.namespace ? [args.kubernetes.namespace] : [] };
        const inDeployers: pulumi.CustomResourceOptions = { parent: this, dependsOn: args.kubernetes.deployers ? [args.kubernetes.deployers] : [] };

        const objects = buildDeployerObjects(team, namespace);
        const tokenName = deployerTokenSecretName(team);
        const account = new k8sClasses.core.v1.ServiceAccount(`${deployerNamespace}-${objects.serviceAccount.metadata!.name}`, objects.serviceAccount, inDeployers);
        const role = new k8sClasses.rbac.v1.Role(`${namespace}-${deployerName}`, objects.role, inNamespace);
        new k8sClasses.rbac.v1.RoleBinding(`${namespace}-${deployerName}`, objects.roleBinding, { ...inNamespace, dependsOn: [account, role] });
        const tokenSecret = new k8sClasses.core.v1.Secret(`${deployerNamespace}-${tokenName}`, objects.tokenSecret, { ...inDeployers, dependsOn: [account] });
        // The token controller fills the Secret right after it is created (kubernetes/kubernetes
        // pkg/controller/serviceaccount/tokens_controller.go); if the first `pulumi up` read it back
        // still empty, `pulumi refresh` picks the token up.
        const kubeconfig = pulumi.secret(pulumi.all([args.kubernetes.server, tokenSecret.data]).apply(([server, data]) => buildKubeconfig({
            team, server, namespace, caData: data?.["ca.crt"] ?? "", token: Buffer.from(data?.token ?? "", "base64").toString("utf8"),
        })));

        const outputs: TeamIdentityOutputs = { namespace, kubeconfig };
        if (args.vault) {
            Object.assign(outputs, this.vaultIdentity(team, args.vault));
        }
        if (args.boundary) {
            outputs.boundary = this.boundaryIdentity(team, args.boundary, child);
        }
        this.outputs = outputs;
        this.registerOutputs({ ...outputs });
    }

    private vaultIdentity(team: string, settings: NonNullable<TeamIdentityArgs["vault"]>) {
        const child: pulumi.CustomResourceOptions = { parent: this, dependsOn: settings.ca ? [settings.ca] : [] };
        const names = teamPolicyNames(team);
        const deployerPolicy = new vaultClasses.Policy(`vault-policy-${names.deployer}`, { name: names.deployer, policy: vaultPolicyText(deployerVaultPolicy(settings.mount, team)) }, child);
        // The developers' group carries TeamSshCa's templated sign policy; its members are the team's to
        // set (its deployer token may update member_entity_ids only), so Pulumi does not manage them here.
        new vaultClasses.identity.Group(`vault-group-${developerGroupName(team)}`, {
            name: developerGroupName(team), type: "internal", policies: [names.developerSign], externalMemberEntityIds: true, externalMemberGroupIds: true,
        }, child);
        const deployerToken = new vaultClasses.Token(`vault-token-${names.deployer}`, {
            policies: [names.deployer], noParent: true, noDefaultPolicy: true, renewable: true, period: "768h", displayName: names.deployer,
        }, { parent: this, dependsOn: [deployerPolicy], additionalSecretOutputs: ["clientToken"] });
        return { vaultMount: settings.mount, vaultToken: pulumi.secret(deployerToken.clientToken) };
    }

    private boundaryIdentity(team: string, settings: NonNullable<TeamIdentityArgs["boundary"]>, child: pulumi.CustomResourceOptions) {
        const { connection } = settings;
        const names = boundaryDeployerNames(team);
        const grants = deployerBoundaryGrants();
        const password = new random.RandomPassword(`boundary-deployer-password-${team}`, { length: 40, special: false }, child);
        const account = new AccountPassword(`boundary-deployer-account-${team}`, {
            connection, authMethodId: settings.authMethodId, name: names.loginName, loginName: names.loginName, password: password.result,
        }, child);
        const user = new User(`boundary-deployer-user-${team}`, {
            connection, scopeId: settings.orgId, name: names.user, description: `deploys team ${team}'s stack`, accountIds: [account.id], meta: { deployer: team },
        }, child);
        // Both roles live in the org, so nothing the team may do inside its project can edit them.
        new Role(`boundary-deployer-role-${team}-project`, {
            connection, scopeId: settings.orgId, name: names.projectRole, grantScopeIds: [settings.projectId], principalIds: [user.id], grantStrings: grants.project, deployer: team,
        }, child);
        new Role(`boundary-deployer-role-${team}-users`, {
            connection, scopeId: settings.orgId, name: names.orgRole, grantScopeIds: ["this"], principalIds: [user.id], grantStrings: grants.org, deployer: team,
        }, child);
        return pulumi.secret(pulumi.all([settings.authMethodId, password.result]).apply(([authMethodId, secret]) => ({ authMethodId, loginName: names.loginName, password: secret })));
    }
}
