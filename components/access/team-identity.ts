// The identities a team stack deploys with (split mode: a platform stack plus one stack
// per team), as plain data. Pure: the TeamIdentity component (team-identity-resource.ts)
// only wires these into resources, and test/least-privilege.test.ts feeds the very same
// output to evaluators written from Kubernetes', Vault's and Boundary's own source.
//
// What a team stack creates and where (issue 23): in its namespace `sbx-<team>` the kinds
// TeamSandboxes creates (PVC, ConfigMap, Deployment, Service, DaemonSet) and the
// agent-sandbox kinds; its Vault SSH roles under its own mount; its Boundary catalog,
// hosts, host sets, credential store and libraries, targets and roles in its own project,
// and its developers' Boundary users in the org. Everything else is the platform's.

import { podSecurityLabels } from "../cluster/namespaces";
import { Namespace, Role, RoleBinding, ServiceAccount } from "../manifest";
import { commonLabels } from "../naming";
import { teamDeveloperPolicyName } from "./vault-policies";

/** Name of the team deployer's Role and RoleBinding in the team namespace. */
export const deployerName = "sandbox-deployer";
/**
 * The platform-owned namespace of every team's deployer ServiceAccount and its long-lived
 * token Secret. Not the team namespace: a team creates Deployments there, and a pod may
 * mount any Secret of its own namespace (the kubelet fetches it, no RBAC on secrets
 * needed), so a token kept there would reach the team's sandboxes. No team may create
 * anything here.
 */
export const deployerNamespace = "sandbox-deployers";
/** The deployer ServiceAccount of one team (in deployerNamespace). */
export function deployerAccountName(team: string): string {
    return `deployer-${team}`;
}
/** Its long-lived token Secret (in deployerNamespace). */
export function deployerTokenSecretName(team: string): string {
    return `deployer-${team}-token`;
}

/**
 * Vault names of one team in split mode. The team's mount, CA, templated developer sign policy
 * and credential-store token are TeamSshCa's (team-ssh-ca.ts, vault-policies.ts teamSshMount,
 * teamDeveloperSignPolicy); the deployer's policy and the developers' group are TeamIdentity's.
 */
export function teamPolicyNames(team: string): { deployer: string; developerSign: string } {
    return { deployer: `sandbox-deployer-${team}`, developerSign: teamDeveloperPolicyName(team) };
}

/** The Vault identity group whose members are the team's developers; it carries the sign policy. */
export function developerGroupName(team: string): string {
    return `sandbox-developers-${team}`;
}

/**
 * Boundary names of the deployer. A dot never appears in a team or developer name (DNS
 * labels), so `deployer.<team>` can collide with no developer's user in the org.
 */
export function boundaryDeployerNames(team: string): { user: string; loginName: string; orgRole: string; projectRole: string } {
    return { user: `deployer.${team}`, loginName: `deployer.${team}`, orgRole: `deployer.${team}.users`, projectRole: `deployer.${team}.project` };
}

/** Org-scoped password auth method the platform creates for the deployers (accounts must share their user's scope). */
export const deployerAuthMethodName = "sandbox-platform-deployers";

// ---------------------------------------------------------------- Kubernetes

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
}

/** A kind a team stack creates in its namespace, as RBAC names it (group + plural resource). */
export interface TeamKind { apiVersion: string; kind: string; group: string; resource: string }

/**
 * Every kind a team stack creates. The core and apps kinds are TeamSandboxes' (check the
 * render of stacks/Pulumi.prod.yaml under sbx-*); the agent-sandbox kinds are
 * kubernetes-sigs/agent-sandbox's CRDs (k8s/crds/*.yaml @ v0.5.6: namespaced, plurals
 * sandboxes, sandboxtemplates, sandboxclaims, sandboxwarmpools). RBAC matches group and
 * plural only, never the version.
 */
export const teamStackKinds: TeamKind[] = [
    { apiVersion: "v1", kind: "PersistentVolumeClaim", group: "", resource: "persistentvolumeclaims" },
    { apiVersion: "v1", kind: "ConfigMap", group: "", resource: "configmaps" },
    { apiVersion: "v1", kind: "Service", group: "", resource: "services" },
    { apiVersion: "apps/v1", kind: "Deployment", group: "apps", resource: "deployments" },
    { apiVersion: "apps/v1", kind: "DaemonSet", group: "apps", resource: "daemonsets" },
    { apiVersion: "agents.x-k8s.io/v1beta1", kind: "Sandbox", group: "agents.x-k8s.io", resource: "sandboxes" },
    { apiVersion: "extensions.agents.x-k8s.io/v1beta1", kind: "SandboxTemplate", group: "extensions.agents.x-k8s.io", resource: "sandboxtemplates" },
    { apiVersion: "extensions.agents.x-k8s.io/v1beta1", kind: "SandboxClaim", group: "extensions.agents.x-k8s.io", resource: "sandboxclaims" },
    { apiVersion: "extensions.agents.x-k8s.io/v1beta1", kind: "SandboxWarmPool", group: "extensions.agents.x-k8s.io", resource: "sandboxwarmpools" },
];

/** What Pulumi does to a resource it owns: create, read back, refresh, update (server-side apply patches), delete. */
export const manageVerbs = ["create", "get", "list", "watch", "update", "patch", "delete"];
const readVerbs = ["get", "list", "watch"];

/**
 * Read-only kinds the Kubernetes provider lists and watches while it waits for what it
 * created (pulumi/pulumi-kubernetes provider/pkg/await @ 0012b9d2): deployment.go —
 * ReplicaSets, Pods and PersistentVolumeClaims of the namespace; daemonset.go — Pods;
 * service.go — Endpoints. Reading them writes nothing.
 */
export const awaitReadKinds: { group: string; resource: string }[] = [
    { group: "", resource: "pods" },
    { group: "", resource: "endpoints" },
    { group: "apps", resource: "replicasets" },
];

/**
 * The deployer Role's rules: manage exactly the team stack's kinds, read what the
 * provider's await logic watches. No wildcard, no subresource (so no pods/exec,
 * pods/attach, pods/portforward, serviceaccounts/token), no secrets, no RBAC, no
 * NetworkPolicy, ResourceQuota, LimitRange or Namespace, and nothing cluster-scoped:
 * a Role only ever applies inside its own namespace.
 */
export function buildDeployerRules(kinds: TeamKind[] = teamStackKinds): PolicyRule[] {
    const byGroup = new Map<string, string[]>();
    for (const kind of kinds) {
        byGroup.set(kind.group, [...(byGroup.get(kind.group) ?? []), kind.resource]);
    }
    const manage = [...byGroup.entries()].map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: [...manageVerbs] }));
    const readGroups = new Map<string, string[]>();
    for (const kind of awaitReadKinds) {
        readGroups.set(kind.group, [...(readGroups.get(kind.group) ?? []), kind.resource]);
    }
    const read = [...readGroups.entries()].map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: [...readVerbs] }));
    return [...manage, ...read];
}

/** A Secret of the Kubernetes input shape (no Outputs inside). */
export type Secret = { apiVersion: "v1"; kind: "Secret"; type: string; metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } };

/** The deployers' namespace: `restricted`, and no pod ever runs in it. Create once per platform stack. */
export function buildDeployerNamespace(): Namespace {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name: deployerNamespace, labels: { ...commonLabels("team-identity"), ...podSecurityLabels("restricted") } } };
}

/**
 * One team's deployer: the ServiceAccount and its token Secret in the deployers' namespace,
 * the Role and a RoleBinding (to that ServiceAccount) in the team namespace.
 */
export function buildDeployerObjects(team: string, teamNs: string, rules: PolicyRule[] = buildDeployerRules()): { serviceAccount: ServiceAccount; role: Role; roleBinding: RoleBinding; tokenSecret: Secret } {
    const labels = { ...commonLabels("team-identity"), "sandbox-platform.io/team": team };
    const account = deployerAccountName(team);
    const inTeam = { name: deployerName, namespace: teamNs, labels };
    return {
        // The deployer never runs a pod: no token is mounted anywhere.
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: account, namespace: deployerNamespace, labels }, automountServiceAccountToken: false },
        role: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: inTeam, rules },
        roleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: inTeam,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: deployerName },
            subjects: [{ kind: "ServiceAccount", name: account, namespace: deployerNamespace }],
        },
        // Filled by the token controller (kubernetes/kubernetes pkg/controller/serviceaccount
        // tokens_controller.go): token, ca.crt and namespace keys.
        tokenSecret: {
            apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token",
            metadata: { name: deployerTokenSecretName(team), namespace: deployerNamespace, labels, annotations: { "kubernetes.io/service-account.name": account } },
        },
    };
}

/** A kubeconfig for the deployer: one cluster, one user (bearer token), default namespace the team's. */
export function buildKubeconfig(args: { team: string; server: string; caData: string; token: string; namespace: string }): string {
    const name = `sandbox-${args.team}`;
    return JSON.stringify({
        apiVersion: "v1", kind: "Config", "current-context": name,
        clusters: [{ name, cluster: { server: args.server, "certificate-authority-data": args.caData } }],
        users: [{ name: `${name}-deployer`, user: { token: args.token } }],
        contexts: [{ name, context: { cluster: name, user: `${name}-deployer`, namespace: args.namespace } }],
    }, null, 2);
}

// ---------------------------------------------------------------- Vault

/** One path stanza of a Vault ACL policy (vault/policy.go PathRules, HCL/JSON keys). */
export interface VaultPathRule {
    capabilities: string[];
    allowed_parameters?: Record<string, unknown[]>;
    denied_parameters?: Record<string, unknown[]>;
    required_parameters?: string[];
}
/** A Vault ACL policy document; Vault parses JSON policies with the same HCL parser as HCL ones. */
export interface VaultPolicyDocument { path: Record<string, VaultPathRule> }

export function vaultPolicyText(document: VaultPolicyDocument): string {
    return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * What every role a team writes must keep (terraform-provider-vault
 * vault/resource_ssh_secret_backend_role.go always sends these keys): a CA role for user
 * certificates only. Other keys are the team's to set (`*`): principals, TTLs and
 * extensions of its own CA only matter to its own sandboxes.
 */
export const pinnedRoleParameters: Record<string, unknown[]> = {
    key_type: ["ca"],
    allow_host_certificates: [false],
    allow_bare_domains: [false],
    allow_subdomains: [false],
};

/**
 * The team deployer token's policy: manage SSH roles under its own mount, look itself up
 * and make the child token the Vault provider makes by default
 * (terraform-provider-vault internal/provider/meta.go: LookupSelf, then createChildToken
 * unless skip_child_token), and set the members of its own developer group (nothing
 * else of the group). Never sys/*, never another mount, never its own CA config, never
 * sign: it writes roles, its developers sign (TeamSshCa's templated policy, through the group).
 */
export function deployerVaultPolicy(mount: string, team: string): VaultPolicyDocument {
    return {
        path: {
            [`${mount}/roles/*`]: {
                capabilities: ["create", "read", "update", "delete", "list"],
                allowed_parameters: { "*": [], ...pinnedRoleParameters },
            },
            // LIST on `<mount>/roles/` (the trailing slash): acl.go tries the exact rule without it.
            [`${mount}/roles`]: { capabilities: ["list"] },
            "auth/token/lookup-self": { capabilities: ["read"] },
            "auth/token/renew-self": { capabilities: ["update"] },
            "auth/token/create": { capabilities: ["create", "update"] },
            [`identity/group/name/${developerGroupName(team)}`]: {
                capabilities: ["read", "update"],
                allowed_parameters: { member_entity_ids: [] },
            },
        },
    };
}

// ---------------------------------------------------------------- Boundary

/** Resource types a team stack creates in its project, with the id actions it needs (handlers' IdActions). */
export const projectResourceActions: Record<string, string[]> = {
    "host-catalog": ["create", "list", "read", "update", "delete"],
    "host": ["create", "list", "read", "update", "delete"],
    "host-set": ["create", "list", "read", "update", "delete", "add-hosts", "set-hosts", "remove-hosts"],
    "credential-store": ["create", "list", "read", "update", "delete"],
    "credential-library": ["create", "list", "read", "update", "delete"],
    "target": ["create", "list", "read", "update", "delete", "add-host-sources", "set-host-sources", "remove-host-sources",
        "add-credential-sources", "set-credential-sources", "remove-credential-sources"],
    "role": ["create", "list", "read", "update", "delete", "add-principals", "set-principals", "remove-principals",
        "add-grants", "set-grants", "remove-grants"],
};

/**
 * The deployer's grants. Project role (in the org, grant scope: the team's project only, so
 * the team cannot edit it): every type it creates, `ids=*` (internal/perms/acl.go case 4,
 * which covers create and list too). Org role (grant scope: the org): create and list
 * users (case 3) and read them (the provider reads an item back on refresh); not update
 * or delete, which would reach every other team's users.
 */
export function deployerBoundaryGrants(): { project: string[]; org: string[] } {
    return {
        project: Object.entries(projectResourceActions).map(([type, actions]) => `ids=*;type=${type};actions=${actions.join(",")}`),
        org: ["type=user;actions=create,list", "ids=*;type=user;actions=read"],
    };
}
