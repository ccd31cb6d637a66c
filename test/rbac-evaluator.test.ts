// The RBAC evaluator checked against kubernetes/kubernetes' own cases
// (plugin/pkg/auth/authorizer/rbac/rbac_test.go @ 00bdb3fa TestAuthorizer and TestRuleMatches,
// resource requests; non-resource URLs are out of scope) and the escalation rules of
// pkg/registry/rbac, before it judges the team deployer's Role.

import * as assert from "assert";
import { BindingObject, PolicyRule, RbacAuthorizer, RoleObject, ResourceRequest, covers, ruleAllows, serviceAccountUser } from "./helpers/rbac-evaluator";

const rule = (verbs: string, groups: string, resources: string): PolicyRule => ({ verbs: verbs.split(","), apiGroups: groups.split(","), resources: resources.split(",") });
const clusterRole = (name: string, ...rules: PolicyRule[]): RoleObject => ({ kind: "ClusterRole", metadata: { name }, rules });
const roleBinding = (namespace: string, roleName: string, kind: "Role" | "ClusterRole", ...subjects: string[]): BindingObject => ({
    kind: "RoleBinding", metadata: { name: `${roleName}-binding`, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: roleName },
    subjects: subjects.map((subject) => { const [k, n] = subject.split(":"); return { kind: k, name: n }; }),
});
const attrs = (user: string, groups: string, verb: string, resource: string, subresource: string, namespace: string, apiGroup: string) =>
    ({ user: { name: user, groups: groups ? groups.split(",") : [] }, request: { verb, resource, subresource, namespace, apiGroup } as ResourceRequest });

describe("Kubernetes RBAC evaluator (kubernetes/kubernetes rbac.go and evaluation_helpers.go, upstream test cases)", () => {
    it("TestAuthorizer: a RoleBinding to an `*` ClusterRole grants in its namespace only, to its users and groups; verbs compare case-sensitively", () => {
        const authz = new RbacAuthorizer([clusterRole("admin", rule("*", "*", "*"))], [roleBinding("ns1", "admin", "ClusterRole", "User:admin", "Group:admins")]);
        for (const a of [attrs("admin", "", "get", "Pods", "", "ns1", ""), attrs("admin", "", "watch", "Pods", "", "ns1", ""), attrs("admin", "group1", "watch", "Foobar", "", "ns1", ""),
            attrs("joe", "admins", "watch", "Foobar", "", "ns1", ""), attrs("joe", "group1,admins", "watch", "Foobar", "", "ns1", "")]) {
            assert.ok(authz.authorize(a.user, a.request), JSON.stringify(a));
        }
        for (const a of [attrs("admin", "", "GET", "Pods", "", "ns2", ""), attrs("admin", "", "GET", "Nodes", "", "", ""), attrs("admin", "admins", "GET", "Pods", "", "ns2", ""),
            attrs("admin", "admins", "GET", "Nodes", "", "", "")]) {
            assert.ok(!authz.authorize(a.user, a.request), JSON.stringify(a));
        }
    });

    it("TestAuthorizer: `pods` does not grant pods/status, and `pods/status` does not grant pods", () => {
        const pods = new RbacAuthorizer([clusterRole("admin", rule("*", "*", "pods"))], [roleBinding("ns1", "admin", "ClusterRole", "User:admin")]);
        assert.ok(pods.authorize(attrs("admin", "", "get", "pods", "", "ns1", "").user, attrs("admin", "", "get", "pods", "", "ns1", "").request));
        assert.ok(!pods.authorize({ name: "admin", groups: [] }, { verb: "get", resource: "pods", subresource: "status", namespace: "ns1", apiGroup: "" }));
        const status = new RbacAuthorizer([clusterRole("admin", rule("*", "*", "pods/status"))], [roleBinding("ns1", "admin", "ClusterRole", "User:admin")]);
        assert.ok(status.authorize({ name: "admin", groups: [] }, { verb: "get", resource: "pods", subresource: "status", namespace: "ns1", apiGroup: "" }));
        assert.ok(!status.authorize({ name: "admin", groups: [] }, { verb: "get", resource: "pods", namespace: "ns1", apiGroup: "" }));
    });

    it("TestRuleMatches: star verb, star group, star resource, tuple expansion, subresource expansion", () => {
        const req = (verb: string, apiGroup: string, resource: string, subresource = ""): ResourceRequest => ({ verb, apiGroup, resource, subresource });
        const table: [PolicyRule, [ResourceRequest, boolean][]][] = [
            [rule("*", "group1", "resource1"), [[req("verb1", "group1", "resource1"), true], [req("verb1", "group2", "resource1"), false], [req("verb1", "group1", "resource2"), false], [req("verb2", "group1", "resource1"), true]]],
            [rule("verb1", "*", "resource1"), [[req("verb1", "group1", "resource1"), true], [req("verb1", "group2", "resource1"), true], [req("verb1", "group1", "resource2"), false], [req("verb2", "group1", "resource1"), false]]],
            [rule("verb1", "group1", "*"), [[req("verb1", "group1", "resource1"), true], [req("verb1", "group2", "resource1"), false], [req("verb1", "group1", "resource2"), true], [req("verb2", "group1", "resource1"), false]]],
            [rule("verb1,verb2", "group1,group2", "resource1,resource2"), [[req("verb1", "group1", "resource1"), true], [req("verb2", "group2", "resource2"), true], [req("verb2", "group1", "resource2"), true]]],
            [rule("*", "*", "resource1/subresource1"), [[req("verb1", "group1", "resource1", "subresource1"), true], [req("verb1", "group2", "resource1", "subresource2"), false], [req("verb1", "group1", "resource2", "subresource1"), false]]],
            [rule("*", "*", "*/subresource1"), [[req("verb1", "group1", "resource1", "subresource1"), true], [req("verb1", "group1", "resource2", "subresource1"), true], [req("verb1", "group1", "resource1", "subresource2"), false], [req("verb1", "group1", "resource1"), false]]],
        ];
        for (const [policyRule, requests] of table) {
            for (const [request, expected] of requests) {
                assert.strictEqual(ruleAllows(request, policyRule), expected, `${JSON.stringify(policyRule)} ${JSON.stringify(request)}`);
            }
        }
        assert.ok(ruleAllows({ verb: "get", apiGroup: "", resource: "configmaps", name: "a" }, { ...rule("get", "", "configmaps"), resourceNames: ["a"] }));
        assert.ok(!ruleAllows({ verb: "get", apiGroup: "", resource: "configmaps", name: "b" }, { ...rule("get", "", "configmaps"), resourceNames: ["a"] }));
        assert.ok(!ruleAllows({ verb: "create", apiGroup: "", resource: "configmaps", name: "" }, { ...rule("create", "", "configmaps"), resourceNames: ["a"] }), "create has no name: resourceNames never match it");
    });

    it("ServiceAccount subjects: the binding's namespace is the default; the user is system:serviceaccount:<ns>:<name>", () => {
        const role: RoleObject = { kind: "Role", metadata: { name: "r", namespace: "team" }, rules: [rule("create", "", "configmaps")] };
        const binding: BindingObject = { kind: "RoleBinding", metadata: { name: "b", namespace: "team" }, roleRef: { kind: "Role", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "deployer" }] };
        const authz = new RbacAuthorizer([role], [binding]);
        assert.ok(authz.authorize(serviceAccountUser("team", "deployer"), { verb: "create", apiGroup: "", resource: "configmaps", namespace: "team" }));
        assert.ok(!authz.authorize(serviceAccountUser("other", "deployer"), { verb: "create", apiGroup: "", resource: "configmaps", namespace: "team" }));
        assert.ok(!authz.authorize(serviceAccountUser("team", "deployer"), { verb: "create", apiGroup: "", resource: "configmaps", namespace: "other" }), "a RoleBinding grants nothing outside its namespace");
        assert.ok(!authz.authorize(serviceAccountUser("team", "deployer"), { verb: "create", apiGroup: "", resource: "configmaps" }), "nor cluster-wide");
    });

    it("escalation prevention: creating a binding needs `bind` on the role or every rule it grants (Covers, BreakdownRule)", () => {
        const user = serviceAccountUser("team", "deployer");
        const own: RoleObject = { kind: "Role", metadata: { name: "own", namespace: "team" }, rules: [rule("create,get", "", "configmaps,rolebindings"), rule("create", "rbac.authorization.k8s.io", "rolebindings")] };
        const wide = clusterRole("wide", rule("*", "*", "*"));
        const narrow: RoleObject = { kind: "Role", metadata: { name: "narrow", namespace: "team" }, rules: [rule("get", "", "configmaps")] };
        const binding: BindingObject = { kind: "RoleBinding", metadata: { name: "b", namespace: "team" }, roleRef: { kind: "Role", name: "own" }, subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "team" }] };
        const authz = new RbacAuthorizer([own, wide, narrow], [binding]);
        const resource = { group: "rbac.authorization.k8s.io", resource: "rolebindings", namespaced: true };
        const bindTo = (kind: string, name: string) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "x", namespace: "team" }, roleRef: { kind, name }, subjects: [] });
        assert.ok(authz.canCreate(user, bindTo("Role", "narrow"), resource).allowed, "binding a role whose rules it holds");
        assert.ok(!authz.canCreate(user, bindTo("ClusterRole", "wide"), resource).allowed, "binding cluster-admin-like rules it does not hold");
        assert.ok(covers([rule("*", "*", "*")], [rule("get", "apps", "deployments")]).covered);
        assert.ok(!covers([rule("get", "apps", "deployments")], [rule("get,delete", "apps", "deployments")]).covered);
        assert.ok(covers([rule("get", "", "*/status")], [rule("get", "", "pods/status")]).covered, "resourceCoversAll: `*/status` covers pods/status");
    });
});
