// Least privilege per team (issue 23 item 2), proved with evaluators written from upstream
// semantics (test/helpers/rbac-evaluator.ts, vault-acl.ts, boundary-acl.ts): for every team
// of dev and prod deployed as split stacks, every Kubernetes object, Vault role and Boundary
// item its team stack creates is permitted to that team's identity, and a list of escalation
// attempts is refused. The identities are the builders' own output
// (components/access/team-identity.ts), the same the TeamIdentity component deploys.
//
// The team stacks are the shipped ones (stacks/Pulumi.<env>-<team>.yaml), rendered offline on
// their platform stack's render (tools/render-stack.ts): every Kubernetes object, Vault role and
// Boundary item they register is checked, and anything outside the team's namespace, mount and
// project (or org users) fails the proof. The sign and credential-store policies are read from
// the platform stack's render (TeamSshCa's), so the proof judges what is deployed.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { developerRoleName, teamSshMount } from "../components/access/vault-policies";
import {
    PolicyRule as BuilderRule, buildDeployerObjects, buildDeployerRules, deployerAccountName, deployerBoundaryGrants, deployerName, deployerNamespace,
    deployerTokenSecretName, deployerVaultPolicy, teamStackKinds, vaultPolicyText,
} from "../components/access/team-identity";
import { teamNamespace } from "../components/naming";
import { manifestSubject } from "../policy/manifests";
import { evaluateResourcePolicies, mandatory } from "../policy/evaluate";
import { CapturedResource } from "../tools/program-runner";
import { RenderResult, repoRoot } from "../tools/render-stack";
import { BoundaryAcl, BoundaryResource, RoleSpec, anonymousUser, anyAuthenticatedUser } from "./helpers/boundary-acl";
import { BindingObject, KubernetesObject, RbacAuthorizer, RoleObject, UserInfo, serviceAccountUser } from "./helpers/rbac-evaluator";
import { VaultAcl } from "./helpers/vault-acl";
import { renderedStack } from "./helpers/stacks";
import { admissionVerdicts } from "../policy/admission/evaluate";
import { AdmissionPolicyObjects, admissionNames } from "../components/admission/policies";

// ---------------------------------------------------------------- Kubernetes

/** RBAC names of the kinds this proof meets (group, plural resource, namespaced). */
const resourceOf: Record<string, { group: string; resource: string; namespaced: boolean }> = {
    ...Object.fromEntries(teamStackKinds.map((kind) => [kind.kind, { group: kind.group, resource: kind.resource, namespaced: true }])),
    Pod: { group: "", resource: "pods", namespaced: true },
    Secret: { group: "", resource: "secrets", namespaced: true },
    ServiceAccount: { group: "", resource: "serviceaccounts", namespaced: true },
    Endpoints: { group: "", resource: "endpoints", namespaced: true },
    NetworkPolicy: { group: "networking.k8s.io", resource: "networkpolicies", namespaced: true },
    ResourceQuota: { group: "", resource: "resourcequotas", namespaced: true },
    LimitRange: { group: "", resource: "limitranges", namespaced: true },
    Namespace: { group: "", resource: "namespaces", namespaced: false },
    Role: { group: "rbac.authorization.k8s.io", resource: "roles", namespaced: true },
    RoleBinding: { group: "rbac.authorization.k8s.io", resource: "rolebindings", namespaced: true },
    ClusterRole: { group: "rbac.authorization.k8s.io", resource: "clusterroles", namespaced: false },
    ClusterRoleBinding: { group: "rbac.authorization.k8s.io", resource: "clusterrolebindings", namespaced: false },
};

/** The cluster's RBAC as the platform sets it up: every team's deployer Role and RoleBinding, plus cluster-admin. */
function clusterRbac(teams: string[], rulesFor: (team: string) => BuilderRule[] = () => buildDeployerRules()): RbacAuthorizer {
    const roles: RoleObject[] = [{ kind: "ClusterRole", metadata: { name: "cluster-admin" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }];
    const bindings: BindingObject[] = [];
    for (const team of teams) {
        const objects = buildDeployerObjects(team, teamNamespace(team), rulesFor(team));
        roles.push({ kind: "Role", metadata: objects.role.metadata as { name: string; namespace: string }, rules: objects.role.rules as RoleObject["rules"] });
        bindings.push(objects.roleBinding as unknown as BindingObject);
    }
    return new RbacAuthorizer(roles, bindings);
}

const deployerUser = (team: string): UserInfo => serviceAccountUser(deployerNamespace, deployerAccountName(team));

function canDo(authz: RbacAuthorizer, user: UserInfo, verb: string, object: KubernetesObject): boolean {
    const resource = resourceOf[object.kind];
    assert.ok(resource, `no RBAC name for kind ${object.kind}`);
    if (verb === "create") {
        return authz.canCreate(user, object, resource).allowed;
    }
    return authz.authorize(user, { verb, apiGroup: resource.group, resource: resource.resource, namespace: resource.namespaced ? object.metadata.namespace : undefined, name: object.metadata.name });
}

/** Every Kubernetes object a stack registers. */
function kubernetesObjects(resources: CapturedResource[]): KubernetesObject[] {
    return resources.filter((resource) => resource.custom && resource.type.startsWith("kubernetes:")).map((resource) => resource.inputs as KubernetesObject);
}

// ---------------------------------------------------------------- Vault

/** The body terraform-provider-vault's sshSecretBackendRoleWrite sends (vault/resource_ssh_secret_backend_role.go). */
function roleWriteBody(inputs: Record<string, any>): Record<string, unknown> {
    const body: Record<string, unknown> = {
        key_type: inputs.keyType, allow_bare_domains: inputs.allowBareDomains ?? false, allow_host_certificates: inputs.allowHostCertificates ?? false,
        allow_subdomains: inputs.allowSubdomains ?? false, allow_user_certificates: inputs.allowUserCertificates ?? false, allow_user_key_ids: inputs.allowUserKeyIds ?? false,
    };
    const optional: Record<string, string> = {
        allowedUsers: "allowed_users", defaultUser: "default_user", allowedExtensions: "allowed_extensions", defaultExtensions: "default_extensions",
        ttl: "ttl", maxTtl: "max_ttl", algorithmSigner: "algorithm_signer", allowedCriticalOptions: "allowed_critical_options",
    };
    for (const [input, key] of Object.entries(optional)) {
        if (inputs[input] !== undefined && inputs[input] !== "") {
            body[key] = inputs[input];
        }
    }
    return body;
}

function vaultRoles(resources: CapturedResource[]): Record<string, any>[] {
    return resources.filter((resource) => resource.type === "vault:ssh/secretBackendRole:SecretBackendRole").map((resource) => resource.inputs);
}

/** A policy's text as a stack's render writes it. */
function renderedPolicy(resources: CapturedResource[], name: string): string {
    const found = resources.find((resource) => resource.type === "vault:index/policy:Policy" && resource.inputs.name === name);
    assert.ok(found, `the platform render writes Vault policy ${name}`);
    return found.inputs.policy;
}

const deployerToken = (baseMount: string, team: string, policy = vaultPolicyText(deployerVaultPolicy(teamSshMount(baseMount, team), team))) => new VaultAcl([policy]);

// ---------------------------------------------------------------- Boundary

const ids = { global: "global", org: "o_engineering" };
const projectId = (team: string) => `p_${team}`;
const deployerUserId = (team: string) => `u_deployer_${team}`;

/** Every role that can matter: each team's two deployer roles, and the default roles Boundary makes with each new scope (iam/repository_scope.go). */
function boundaryRoles(teams: string[], grantsFor = () => deployerBoundaryGrants(), projectGrantScope = (team: string) => [projectId(team)]): RoleSpec[] {
    const roles: RoleSpec[] = [
        { scopeId: ids.org, parentScopeId: ids.global, grantScopeIds: ["this"], principals: [anonymousUser],
            grants: ["ids=*;type=scope;actions=list,no-op", "ids=*;type=auth-method;actions=authenticate,list", "ids={{.Account.Id}};actions=read,change-password", "ids=*;type=auth-token;actions=list,read:self,delete:self"] },
    ];
    for (const team of teams) {
        const grants = grantsFor();
        roles.push({ scopeId: ids.org, parentScopeId: ids.global, grantScopeIds: projectGrantScope(team), grants: grants.project, principals: [deployerUserId(team)] });
        roles.push({ scopeId: ids.org, parentScopeId: ids.global, grantScopeIds: ["this"], grants: grants.org, principals: [deployerUserId(team)] });
        roles.push({ scopeId: projectId(team), parentScopeId: ids.org, grantScopeIds: ["this"], principals: [anyAuthenticatedUser],
            grants: ["ids=*;type=session;actions=list,read:self,cancel:self", "type=target;actions=list"] });
    }
    return roles;
}

interface BoundaryRequest { resource: BoundaryResource; actions: string[]; what: string }

/**
 * The API calls a team stack's Boundary items need (create, read on refresh, update, the item
 * actions, delete). Every item must sit in the team's project (directly, or under a catalog or
 * store there) or be a user of the org; anything else fails here.
 */
function teamBoundaryRequests(resources: CapturedResource[], team: string): BoundaryRequest[] {
    const items = new Map(resources.filter((resource) => typeof resource.inputs.boundaryKind === "string").map((resource) => [resource.name, resource.inputs]));
    const ref = (value: unknown) => /^<id:(.+)>$/.exec(String(value))?.[1];
    const projectRef = `boundary-${team}-project`;
    const orgRef = "boundary-org";
    const requests: BoundaryRequest[] = [];
    for (const [name, item] of items) {
        const fields = item.fields ?? {};
        const lifecycle = ["create", "read", "update", "delete", ...Object.keys(item.actions ?? {})];
        const parent = ref(fields.scope_id ?? fields.host_catalog_id ?? fields.credential_store_id);
        const parentItem = parent ? items.get(parent) : undefined;
        if (parent === projectRef || (parentItem && ref(parentItem.fields?.scope_id) === projectRef)) {
            requests.push({
                what: `${item.boundaryKind} ${name}`, actions: lifecycle,
                resource: { scopeId: projectId(team), parentScopeId: ids.org, type: item.boundaryKind, id: `${item.boundaryKind}_x`, ...(parent === projectRef ? {} : { pin: `pin_${parent}` }) },
            });
        } else if (item.boundaryKind === "user" && parent === orgRef) {
            requests.push({ what: `user ${name}`, actions: ["create", "list"], resource: { scopeId: ids.org, parentScopeId: ids.global, type: "user" } });
            requests.push({ what: `user ${name}`, actions: ["read"], resource: { scopeId: ids.org, parentScopeId: ids.global, type: "user", id: `u_${name}` } });
        } else {
            assert.fail(`team stack of ${team} creates ${item.boundaryKind} ${name} outside its project (${String(fields.scope_id ?? parent)})`);
        }
    }
    return requests;
}

/** Boundary's ACL: id actions reach an item by id (case 4: the type must match); create/list reach the collection. */
function boundaryAllowed(acl: BoundaryAcl, request: BoundaryRequest, action: string): boolean {
    const resource = action === "create" || action === "list" ? { ...request.resource, id: undefined } : request.resource;
    return acl.allowed(resource, action);
}

// ---------------------------------------------------------------- the proof

/** The team stacks shipped for an environment: stacks/Pulumi.<env>-<team>.yaml. */
function teamStackNames(env: string): string[] {
    return fs.readdirSync(path.join(repoRoot, "stacks")).map((file) => new RegExp(`^Pulumi\\.(${env}-[a-z0-9-]+)\\.yaml$`).exec(file)?.[1]).filter((name): name is string => name !== undefined).sort();
}

for (const env of ["dev", "prod"]) {
    describe(`least privilege per team: ${env} as platform + team stacks`, () => {
        let platform: RenderResult;
        let teamStacks: { name: string; teams: string[]; render: RenderResult }[];
        let teams: string[];
        let baseMount: string;
        before(async function () {
            this.timeout(600_000);
            platform = await renderedStack(env);
            teams = platform.config.teams.map((team) => team.name);
            baseMount = platform.config.vault.sshMount;
            teamStacks = [];
            for (const name of teamStackNames(env)) {
                const render = await renderedStack(name);
                teamStacks.push({ name, teams: render.config.teams.map((team) => team.name), render });
            }
            assert.deepStrictEqual(teamStacks.flatMap((stack) => stack.teams).sort(), [...teams].sort(), "every declared team has its team stack");
        });

        it("every Kubernetes object of every team stack may be created, read, updated and deleted by that team's deployer, and by no other team's", () => {
            const authz = clusterRbac(teams);
            for (const stack of teamStacks) {
                const objects = kubernetesObjects(stack.render.run.resources);
                assert.ok(objects.length > 0, `${stack.name}: the render has Kubernetes objects`);
                for (const object of objects) {
                    const team = stack.teams.find((name) => teamNamespace(name) === object.metadata.namespace);
                    assert.ok(team, `${stack.name} creates ${object.kind}/${object.metadata.name} outside its teams' namespaces (${object.metadata.namespace ?? "cluster-wide"})`);
                    for (const verb of ["create", "get", "list", "watch", "update", "patch", "delete"]) {
                        assert.ok(canDo(authz, deployerUser(team), verb, object), `${team} deployer: ${verb} ${object.kind}/${object.metadata.name}`);
                    }
                    for (const other of teams.filter((name) => name !== team)) {
                        assert.ok(!canDo(authz, deployerUser(other), "create", object), `${other} deployer must not create ${team}'s ${object.kind}/${object.metadata.name}`);
                    }
                    // The same object moved to any other namespace is refused.
                    const elsewhere = { ...object, metadata: { ...object.metadata, namespace: "kube-system" } };
                    assert.ok(!canDo(authz, deployerUser(team), "create", elsewhere), `${team} deployer must not create ${object.kind} in kube-system`);
                }
            }
        });

        it("refuses the Kubernetes escalations: cluster bindings, RBAC in its namespace, the platform's guard rails, secrets, exec, bare pods, other namespaces", () => {
            const authz = clusterRbac(teams);
            for (const team of teams) {
                const ns = teamNamespace(team);
                const user = deployerUser(team);
                const attempts: [string, string, KubernetesObject & Record<string, unknown>][] = [
                    ["create", "ClusterRoleBinding to cluster-admin", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "own" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" } }],
                    ["create", "ClusterRole", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "mine" }, rules: [] }],
                    ["create", "Role in its namespace", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "more", namespace: ns }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }],
                    ["create", "RoleBinding to cluster-admin in its namespace", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "more", namespace: ns }, roleRef: { kind: "ClusterRole", name: "cluster-admin" } }],
                    ["update", "its own Role", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: deployerName, namespace: ns } }],
                    ["create", "NetworkPolicy allow-all", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-all", namespace: ns } }],
                    ["delete", "the default-deny NetworkPolicy", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: ns } }],
                    ["patch", "its ResourceQuota", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "sandbox-quota", namespace: ns } }],
                    ["delete", "its LimitRange", { apiVersion: "v1", kind: "LimitRange", metadata: { name: "sandbox-limits", namespace: ns } }],
                    ["patch", "its Namespace (Pod Security labels)", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }],
                    ["create", "a Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "mine" } }],
                    ["get", "its deployer token Secret", { apiVersion: "v1", kind: "Secret", metadata: { name: deployerTokenSecretName(team), namespace: deployerNamespace } }],
                    ["create", "a Deployment in the deployers' namespace (to mount the tokens)", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: deployerNamespace } }],
                    ["create", "a token for another team's deployer", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: deployerAccountName("other"), namespace: deployerNamespace } }],
                    ["create", "a Secret", { apiVersion: "v1", kind: "Secret", metadata: { name: "x", namespace: ns } }],
                    ["create", "a bare Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "x", namespace: ns } }],
                    ["create", "a ServiceAccount", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "x", namespace: ns } }],
                    ["create", "Endpoints (a Service onto another team's pods)", { apiVersion: "v1", kind: "Endpoints", metadata: { name: "x", namespace: ns } }],
                    ["create", "a Deployment in kube-system", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "kube-system" } }],
                ];
                for (const [verb, what, object] of attempts) {
                    assert.ok(!canDo(authz, user, verb, object), `${team} deployer must not: ${verb} ${what}`);
                }
                const sub = (resource: string, subresource: string) => authz.authorize(user, { verb: "create", apiGroup: "", resource, subresource, namespace: ns, name: "x" });
                assert.ok(!sub("pods", "exec") && !sub("pods", "attach") && !sub("pods", "portforward") && !sub("serviceaccounts", "token"), `${team}: no exec, attach, port-forward or token request`);
            }
        });

        it("a privileged pod with a host mount passes RBAC (Deployment) but is refused in the cluster by the platform's admission policies, and by the pack", async () => {
            // CrossGuard runs only in `pulumi preview/up --policy-pack policy`, which a team stack could
            // skip; the ValidatingAdmissionPolicies the platform stack renders judge it in the cluster.
            assert.strictEqual(platform.config.admission.action, "deny", `${env}: the platform stack refuses (not only warns) in sandbox namespaces`);
            const authz = clusterRbac(teams);
            for (const team of teams) {
                const escape = {
                    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "escape", namespace: teamNamespace(team) },
                    spec: {
                        selector: { matchLabels: { app: "escape" } },
                        template: {
                            metadata: { labels: { app: "escape" } },
                            spec: {
                                hostPID: true,
                                containers: [{ name: "root", image: "docker.io/library/busybox:1.36", command: ["sleep", "infinity"], securityContext: { privileged: true }, volumeMounts: [{ name: "host", mountPath: "/host" }] }],
                                volumes: [{ name: "host", hostPath: { path: "/" } }],
                            },
                        },
                    },
                };
                assert.ok(canDo(authz, deployerUser(team), "create", escape), "RBAC alone lets the team create Deployments");
                // The cluster's verdict on the platform render's own policies, bindings and the team's Namespace.
                const rendered = platform.run.resources.filter((r) => r.custom).map((r) => r.inputs);
                const namespaceObject = rendered.find((object) => object.kind === "Namespace" && object.metadata?.name === teamNamespace(team));
                assert.ok(namespaceObject, `${env}: the platform renders ${teamNamespace(team)}`);
                const verdict = admissionVerdicts(escape, {
                    namespaceObject,
                    objects: {
                        namespace: rendered.find((object) => object.kind === "Namespace" && object.metadata?.name === admissionNames.paramsNamespace),
                        params: rendered.find((object) => object.kind === "ConfigMap" && object.metadata?.namespace === admissionNames.paramsNamespace),
                        policies: rendered.filter((object) => object.kind === "ValidatingAdmissionPolicy"),
                        bindings: rendered.filter((object) => object.kind === "ValidatingAdmissionPolicyBinding"),
                    } as AdmissionPolicyObjects,
                });
                assert.ok(verdict.refused, `${team}: the admission policies refuse the escape Deployment (${JSON.stringify(verdict.violations).slice(0, 300)})`);
                const violations = mandatory(await evaluateResourcePolicies([manifestSubject(escape)]));
                assert.ok(violations.some((violation) => /privileged/i.test(violation.policy)), `${team}: the privileged rule refuses it (${violations.map((v) => v.policy).join(", ")})`);
                assert.ok(violations.some((violation) => /hostPath/.test(violation.message)), `${team}: the host mount is refused (${violations.map((v) => v.message).join(" | ")})`);
            }
        });

        it("every Vault SSH role of every team stack may be written, read and deleted by that team's token under its own mount, with exactly the body the Vault provider sends", () => {
            for (const stack of teamStacks) {
                const roles = vaultRoles(stack.render.run.resources);
                if (platform.config.vault.enabled) {
                    assert.ok(roles.length > 0, `${stack.name}: the render has Vault roles`);
                }
                for (const role of roles) {
                    const team = stack.teams.find((name) => role.backend === teamSshMount(baseMount, name));
                    assert.ok(team, `${stack.name} writes role ${role.name} on ${role.backend}, not on one of its teams' mounts`);
                    const acl = deployerToken(baseMount, team);
                    assert.ok(acl.allowed("read", "auth/token/lookup-self") && acl.allowed("update", "auth/token/create"), "the Vault provider's lookup-self and child token");
                    assert.ok(acl.allowed("list", `${role.backend}/roles/`), "list its roles");
                    const path = `${role.backend}/roles/${role.name}`;
                    const body = roleWriteBody(role);
                    for (const operation of ["create", "update"] as const) {
                        assert.ok(acl.allowed(operation, path, body), `${team}: ${operation} ${path} ${JSON.stringify(body)}`);
                    }
                    assert.ok(acl.allowed("read", path) && acl.allowed("delete", path), `${team}: read and delete ${path}`);
                }
            }
        });

        it("each developer signs on their own role under their team's mount only (templated policy), never a teammate's, another team's, or the shared mount", () => {
            for (const stack of teamStacks) {
              for (const team of stack.teams) {
                const mount = teamSshMount(baseMount, team);
                const signPolicy = renderedPolicy(platform.run.resources, `sandbox-ssh-${team}`);
                const roster = stack.render.config.teams.find((entry) => entry.name === team)!.developers.map((developer) => developer.name);
                assert.ok(roster.length > 0);
                for (const developer of roster) {
                    const acl = new VaultAcl([signPolicy], { id: `entity-${developer}`, name: developer });
                    assert.ok(acl.allowed("update", `${mount}/sign/${developerRoleName(team, developer)}`, { public_key: "ssh-ed25519 AAAA", valid_principals: developer }));
                    for (const other of roster.filter((name) => name !== developer)) {
                        assert.ok(!acl.allowed("update", `${mount}/sign/${developerRoleName(team, other)}`), `${developer} must not sign on ${other}'s role`);
                    }
                    assert.ok(!acl.allowed("update", `${baseMount}/sign/${developerRoleName(team, developer)}`), "not on the shared all-in-one mount");
                    for (const other of teams.filter((name) => name !== team)) {
                        assert.ok(!acl.allowed("update", `${teamSshMount(baseMount, other)}/sign/${developerRoleName(other, developer)}`), `${developer} must not sign on ${other}'s mount`);
                    }
                    assert.ok(!acl.allowed("update", `${mount}/roles/${developerRoleName(team, developer)}`), "a developer writes no role");
                }
              }
            }
        });

        it("refuses the Vault escalations: ACL policies, mounts, auth, other teams' mounts and groups, its CA, host or OTP roles, signing with its own token", () => {
            for (const team of teams) {
                const acl = deployerToken(baseMount, team);
                const mount = teamSshMount(baseMount, team);
                const refused: [string, "create" | "update" | "read" | "delete", Record<string, unknown>?][] = [
                    [`sys/policies/acl/${team}-admin`, "update", { policy: "path \"*\" { capabilities = [\"sudo\"] }" }],
                    ["sys/policy/root", "update"],
                    [`sys/mounts/${mount}-2`, "update", { type: "ssh" }],
                    [`sys/mounts/${mount}/tune`, "update"],
                    ["sys/auth/userpass", "update"],
                    [`identity/entity`, "update", { name: "x", policies: ["root"] }],
                    [`identity/group/name/sandbox-developers-${team}`, "update", { policies: ["root"] }],
                    [`${mount}/config/ca`, "update", { generate_signing_key: true }],
                    [`${mount}/sign/${developerRoleName(team, "anyone")}`, "update", { public_key: "k" }],
                    [`${mount}/roles/host`, "update", { key_type: "ca", allow_host_certificates: true }],
                    [`${mount}/roles/otp`, "update", { key_type: "otp", allow_host_certificates: false }],
                    [`${baseMount}/roles/${team}.x`, "update", { key_type: "ca" }],
                    ["auth/token/create-orphan", "update"],
                ];
                for (const other of teams.filter((name) => name !== team).concat("other-team")) {
                    refused.push([`${teamSshMount(baseMount, other)}/roles/${other}.mallory`, "update", { key_type: "ca", allowed_users: "*" }]);
                    refused.push([`identity/group/name/sandbox-developers-${other}`, "update", { member_entity_ids: ["e"] }]);
                }
                for (const [path, operation, data] of refused) {
                    assert.ok(!acl.allowed(operation, path, data), `${team} token must not ${operation} ${path} ${JSON.stringify(data ?? {})}`);
                }
                assert.ok(acl.allowed("update", `identity/group/name/sandbox-developers-${team}`, { member_entity_ids: ["e1", "e2"] }), "it may set its own developers");
                if (!platform.run.resources.some((resource) => resource.inputs.name === `boundary-credential-store-${team}`)) {
                    continue; // community edition: no credential store
                }
                const store = new VaultAcl([renderedPolicy(platform.run.resources, `boundary-credential-store-${team}`)]);
                assert.ok(store.allowed("update", `${mount}/sign/${developerRoleName(team, "alice")}`), "its Boundary credential store signs on its mount");
                for (const other of teams.filter((name) => name !== team).concat("other-team")) {
                    assert.ok(!store.allowed("update", `${teamSshMount(baseMount, other)}/sign/${developerRoleName(other, "alice")}`), "never on another team's");
                    assert.ok(!store.allowed("update", `${teamSshMount(baseMount, other)}/roles/x`), "and writes no role");
                }
            }
        });

        it("every Boundary item of every team stack (and its developers' users) is permitted to that team's deployer, and to no other team's", () => {
            const roles = boundaryRoles(teams);
            for (const stack of teamStacks) {
              for (const team of stack.teams) {
                const acl = new BoundaryAcl(roles, deployerUserId(team));
                const requests = teamBoundaryRequests(stack.render.run.resources, team);
                if (platform.config.boundary.enabled) {
                    assert.ok(requests.some((request) => request.resource.type === "target"), `${team}: the render has targets`);
                }
                for (const request of requests) {
                    for (const action of request.actions) {
                        assert.ok(boundaryAllowed(acl, request, action), `${team}: ${action} on ${request.what}`);
                    }
                }
                for (const other of teams.filter((name) => name !== team)) {
                    const otherAcl = new BoundaryAcl(roles, deployerUserId(other));
                    for (const request of requests.filter((entry) => entry.resource.scopeId === projectId(team))) {
                        assert.ok(!boundaryAllowed(otherAcl, request, "create") && !boundaryAllowed(otherAcl, request, "update"), `${other} must not touch ${team}'s ${request.what}`);
                    }
                }
              }
            }
        });

        it("refuses the Boundary escalations: targets outside its project, roles in the org or global, its own roles, other teams' users, scopes, auth methods", () => {
            const roles = boundaryRoles([...teams, "other-team"]);
            for (const team of teams) {
                const acl = new BoundaryAcl(roles, deployerUserId(team));
                const org = { scopeId: ids.org, parentScopeId: ids.global };
                const global = { scopeId: ids.global, parentScopeId: "" };
                const otherProject = { scopeId: projectId("other-team"), parentScopeId: ids.org };
                const refused: [string, BoundaryResource, string][] = [
                    ["a target in another team's project", { ...otherProject, type: "target" }, "create"],
                    ["authorize-session on another team's target", { ...otherProject, type: "target", id: "ttcp_other" }, "authorize-session"],
                    ["add host sources to another team's target", { ...otherProject, type: "target", id: "ttcp_other" }, "set-host-sources"],
                    ["a role in another team's project", { ...otherProject, type: "role" }, "create"],
                    ["a target in the org", { ...org, type: "target" }, "create"],
                    ["a role in the org", { ...org, type: "role" }, "create"],
                    ["grants on its own deployer role (in the org)", { ...org, type: "role", id: "r_deployer" }, "set-grants"],
                    ["principals on its own deployer role", { ...org, type: "role", id: "r_deployer" }, "add-principals"],
                    ["a role in global", { ...global, type: "role" }, "create"],
                    ["update another team's developer user", { ...org, type: "user", id: "u_other" }, "update"],
                    ["delete a user", { ...org, type: "user", id: "u_other" }, "delete"],
                    ["link accounts to a user", { ...org, type: "user", id: "u_other" }, "set-accounts"],
                    ["a user in global", { ...global, type: "user" }, "create"],
                    ["a scope in the org", { ...org, type: "scope" }, "create"],
                    ["an auth method in the org", { ...org, type: "auth-method" }, "create"],
                    ["an account", { ...org, type: "account", pin: "ampw_deployers" }, "create"],
                    ["authorize-session on its own targets", { scopeId: projectId(team), parentScopeId: ids.org, type: "target", id: "ttcp_own" }, "authorize-session"],
                ];
                for (const [what, resource, action] of refused) {
                    assert.ok(!acl.allowed(resource, action), `${team} deployer must not: ${what} (${action})`);
                }
            }
        });
    });
}

describe("least privilege: each proof fails on a mutation that breaks it", () => {
    it("a `*` in the deployer Role lets the evaluator permit a RoleBinding to cluster-admin and a NetworkPolicy", () => {
        const weakened = (): BuilderRule[] => [...buildDeployerRules(), { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }];
        const authz = clusterRbac(["alpha"], weakened);
        const user = deployerUser("alpha");
        assert.ok(canDo(authz, user, "create", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-all", namespace: "sbx-alpha" } }));
        assert.ok(authz.canCreate(user, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "x", namespace: "sbx-alpha" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" } } as KubernetesObject, resourceOf.RoleBinding).allowed,
            "with every verb (bind included) the escalation check passes");
        assert.ok(!canDo(authz, user, "create", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "x" } }), "still no cluster scope: a Role never reaches it");
    });

    it("a `+` for the mount in the deployer's Vault policy lets the evaluator permit a role in another team's mount", () => {
        const policy = deployerVaultPolicy("ssh-client-signer-alpha", "alpha");
        const weakened = { path: Object.fromEntries(Object.entries(policy.path).map(([path, rule]) => [path.replace("ssh-client-signer-alpha/", "+/"), rule])) };
        const acl = new VaultAcl([vaultPolicyText(weakened)]);
        assert.ok(acl.allowed("update", "ssh-client-signer-beta/roles/beta.mallory", { key_type: "ca", allow_host_certificates: false, allowed_users: "*" }));
        assert.ok(!deployerToken("ssh-client-signer", "alpha").allowed("update", "ssh-client-signer-beta/roles/beta.mallory", { key_type: "ca", allow_host_certificates: false }));
    });

    it("a `*` glob in the developers' templated sign path lets the evaluator permit signing a teammate's role", () => {
        const weakened = { path: { "ssh-client-signer-alpha/sign/alpha.*": { capabilities: ["update"] } } };
        const acl = new VaultAcl([vaultPolicyText(weakened)], { id: "e", name: "alice" });
        assert.ok(acl.allowed("update", "ssh-client-signer-alpha/sign/alpha.bob"));
    });

    it("dropping the pinned role parameters lets the evaluator permit a host-certificate role", () => {
        const policy = deployerVaultPolicy("ssh-client-signer-alpha", "alpha");
        policy.path["ssh-client-signer-alpha/roles/*"].allowed_parameters = { "*": [] };
        assert.ok(new VaultAcl([vaultPolicyText(policy)]).allowed("update", "ssh-client-signer-alpha/roles/host", { key_type: "ca", allow_host_certificates: true }));
    });

    it("`children` as the deployer's project grant scope lets the evaluator permit a target in another team's project", () => {
        const roles = boundaryRoles(["alpha", "beta"], () => deployerBoundaryGrants(), () => ["children"]);
        const acl = new BoundaryAcl(roles, deployerUserId("alpha"));
        assert.ok(acl.allowed({ scopeId: projectId("beta"), parentScopeId: ids.org, type: "target" }, "create"));
    });

    it("user update in the org grants lets the evaluator permit renaming another team's developer", () => {
        const grants = () => ({ ...deployerBoundaryGrants(), org: [...deployerBoundaryGrants().org, "ids=*;type=user;actions=update"] });
        const acl = new BoundaryAcl(boundaryRoles(["alpha", "beta"], grants), deployerUserId("alpha"));
        assert.ok(acl.allowed({ scopeId: ids.org, parentScopeId: ids.global, type: "user", id: "u_beta_grace" }, "update"));
    });
});
