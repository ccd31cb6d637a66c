// TeamIdentity under the mock monitor: it registers exactly the builders' objects (so the
// least-privilege proof, which evaluates the builders, speaks of what is deployed), keeps
// every credential secret, and passes the policy pack.

import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { TeamIdentity, deployerAuthMethod, deployerNamespaceResource } from "../components/access/team-identity-resource";
import {
    buildDeployerRules, deployerBoundaryGrants, deployerNamespace, deployerVaultPolicy, vaultPolicyText,
} from "../components/access/team-identity";
import { teamSshMount } from "../components/access/vault-policies";
import { deployerTokenNamespace } from "../policy/rules/host-volumes";
import { evaluatePolicies, mandatory } from "../policy/evaluate";
import { CapturedResource, ProgramRun, runProgram } from "../tools/program-runner";
import { policySubjects } from "../tools/render-stack";

const connection = { address: "https://boundary.example.com", token: "[secret]" };

async function runIdentities(teams: string[]): Promise<{ run: ProgramRun; identities: TeamIdentity[] }> {
    const identities: TeamIdentity[] = [];
    const run = await runProgram({
        stack: "test", config: {},
        program: () => {
            const deployers = deployerNamespaceResource({});
            const authMethod = deployerAuthMethod(connection, "o_engineering", {});
            for (const team of teams) {
                identities.push(new TeamIdentity(team, {
                    kubernetes: { server: "https://k3s.example.com:6443", deployers },
                    vault: { mount: teamSshMount("ssh-client-signer", team) },
                    boundary: { connection, orgId: "o_engineering", projectId: `p_${team}`, authMethodId: authMethod.id },
                }));
            }
        },
    });
    return { run, identities };
}

const ofType = (run: ProgramRun, type: string) => run.resources.filter((resource) => resource.type === type);
const boundary = (run: ProgramRun, kind: string) => run.resources.filter((resource) => resource.inputs.boundaryKind === kind);

describe("team deployer Role rules (components/access/team-identity.ts)", () => {
    it("manage exactly the team stack's kinds and read what the provider's await logic watches (pulumi-kubernetes await: deployment.go, daemonset.go, service.go)", () => {
        assert.deepStrictEqual(buildDeployerRules(), [
            { apiGroups: [""], resources: ["configmaps", "persistentvolumeclaims", "services"], verbs: ["create", "get", "list", "watch", "update", "patch", "delete"] },
            { apiGroups: ["apps"], resources: ["daemonsets", "deployments"], verbs: ["create", "get", "list", "watch", "update", "patch", "delete"] },
            { apiGroups: ["agents.x-k8s.io"], resources: ["sandboxes"], verbs: ["create", "get", "list", "watch", "update", "patch", "delete"] },
            { apiGroups: ["extensions.agents.x-k8s.io"], resources: ["sandboxclaims", "sandboxtemplates", "sandboxwarmpools"], verbs: ["create", "get", "list", "watch", "update", "patch", "delete"] },
            { apiGroups: [""], resources: ["endpoints", "pods"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
        ]);
    });
});

describe("TeamIdentity (platform stack, one per declared team in split mode)", () => {
    let run: ProgramRun;
    let identities: TeamIdentity[];
    before(async function () {
        this.timeout(120_000);
        ({ run, identities } = await runIdentities(["alpha", "beta"]));
    });

    it("binds the team namespace's Role, with exactly the builder's rules, to a ServiceAccount in the deployers' namespace", () => {
        const roles = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.deepStrictEqual(roles.map((role) => role.inputs.metadata.namespace), ["sbx-alpha", "sbx-beta"]);
        for (const role of roles) {
            assert.deepStrictEqual(role.inputs.rules, buildDeployerRules());
        }
        const bindings = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        assert.deepStrictEqual(bindings.map((binding) => [binding.inputs.metadata.namespace, binding.inputs.subjects]), [
            ["sbx-alpha", [{ kind: "ServiceAccount", name: "deployer-alpha", namespace: deployerNamespace }]],
            ["sbx-beta", [{ kind: "ServiceAccount", name: "deployer-beta", namespace: deployerNamespace }]],
        ]);
        assert.strictEqual(ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").length + ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0, "nothing cluster-scoped");
        const secrets = ofType(run, "kubernetes:core/v1:Secret");
        assert.deepStrictEqual(secrets.map((secret) => [secret.inputs.metadata.namespace, secret.inputs.type]), [[deployerNamespace, "kubernetes.io/service-account-token"], [deployerNamespace, "kubernetes.io/service-account-token"]]);
        assert.strictEqual(deployerTokenNamespace, deployerNamespace, "the policy pack exempts exactly the deployers' namespace");
    });

    it("writes the builder's deployer policy on the team's own mount, a developer group carrying TeamSshCa's sign policy, and an orphan deployer token without the default policy", () => {
        assert.strictEqual(ofType(run, "vault:index/mount:Mount").length, 0, "the mount and CA are TeamSshCa's");
        const policies = Object.fromEntries(ofType(run, "vault:index/policy:Policy").map((policy) => [policy.inputs.name, policy.inputs.policy]));
        assert.deepStrictEqual(Object.keys(policies).sort(), ["sandbox-deployer-alpha", "sandbox-deployer-beta"]);
        for (const team of ["alpha", "beta"]) {
            assert.strictEqual(policies[`sandbox-deployer-${team}`], vaultPolicyText(deployerVaultPolicy(teamSshMount("ssh-client-signer", team), team)));
        }
        for (const token of ofType(run, "vault:index/token:Token")) {
            assert.deepStrictEqual([token.inputs.noParent, token.inputs.noDefaultPolicy, token.inputs.renewable, token.inputs.policies], [true, true, true, [token.inputs.displayName]]);
        }
        const groups = ofType(run, "vault:identity/group:Group");
        assert.deepStrictEqual(groups.map((group) => [group.inputs.name, group.inputs.policies, group.inputs.externalMemberEntityIds]),
            [["sandbox-developers-alpha", ["sandbox-ssh-alpha"], true], ["sandbox-developers-beta", ["sandbox-ssh-beta"], true]]);
    });

    it("makes a Boundary deployer per team: an account in the deployers' auth method linked to an org user, a project role scoped to its project and an org role", () => {
        assert.strictEqual(boundary(run, "auth-method").length, 1);
        const accounts = boundary(run, "account");
        assert.deepStrictEqual(accounts.map((account) => account.inputs.fields.attributes.login_name), ["deployer.alpha", "deployer.beta"]);
        assert.ok(accounts.every((account) => account.inputs.secretAttributes !== undefined && account.inputs.fields.attributes.password === undefined), "the password travels as a secret attribute");
        const users = boundary(run, "user");
        assert.deepStrictEqual(users.map((user) => [user.inputs.fields.name, user.inputs.fields.scope_id, Object.keys(user.inputs.actions)]), [
            ["deployer.alpha", "o_engineering", ["set-accounts"]], ["deployer.beta", "o_engineering", ["set-accounts"]],
        ]);
        const roles = boundary(run, "role");
        const grants = deployerBoundaryGrants();
        assert.deepStrictEqual(roles.map((role) => [role.inputs.fields.name, role.inputs.fields.scope_id, role.inputs.actions["set-grant-scopes"].grant_scope_ids, role.inputs.actions["set-grants"].grant_strings]), [
            ["deployer.alpha.project", "o_engineering", ["p_alpha"], grants.project], ["deployer.alpha.users", "o_engineering", ["this"], grants.org],
            ["deployer.beta.project", "o_engineering", ["p_beta"], grants.project], ["deployer.beta.users", "o_engineering", ["this"], grants.org],
        ]);
    });

    it("exports every credential as a secret", async () => {
        const [alpha] = identities;
        for (const output of [alpha.outputs.kubeconfig, alpha.outputs.vaultToken!, alpha.outputs.boundary!]) {
            assert.strictEqual(await pulumi.isSecret(output as pulumi.Output<unknown>), true);
        }
        assert.strictEqual(alpha.outputs.vaultMount, "ssh-client-signer-alpha");
        assert.strictEqual(alpha.outputs.namespace, "sbx-alpha");
    });

    it("passes the policy pack; a deployer role with a wildcard type, or grants reaching child scopes, does not", async () => {
        assert.deepStrictEqual(mandatory(await evaluatePolicies(policySubjects(run.resources))).map((violation) => violation.message), []);
        const role = boundary(run, "role")[0];
        const weaken = (change: (inputs: Record<string, any>) => void): CapturedResource => {
            const inputs = JSON.parse(JSON.stringify(role.inputs));
            change(inputs);
            return { ...role, inputs };
        };
        const wildcard = weaken((inputs) => { inputs.actions["set-grants"].grant_strings = ["ids=*;type=*;actions=*"]; });
        const children = weaken((inputs) => { inputs.actions["set-grant-scopes"].grant_scope_ids = ["children"]; });
        for (const weakened of [wildcard, children]) {
            const violations = mandatory(await evaluatePolicies(policySubjects([weakened])));
            assert.ok(violations.some((violation) => violation.policy === "boundary-targets" && /team deployer/.test(violation.message)), JSON.stringify(violations));
        }
    });
});
