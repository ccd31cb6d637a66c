// The Boundary ACL evaluator checked against hashicorp/boundary v0.21.3's own cases
// (internal/perms/acl_test.go Test_ACLAllowed: commonGrants, templateGrants and their
// tcases; output fields left out) before it judges the team deployer's grants.

import * as assert from "assert";
import { BoundaryAcl, BoundaryResource, RoleSpec, anonymousUser } from "./helpers/boundary-acl";

const role = (scope: string, grants: string[], principals = ["u_1234567890", "u_abcd1234"], grantScopeIds = ["this"]): RoleSpec => ({
    scopeId: scope, parentScopeId: scope === "global" ? "" : scope.startsWith("o_") ? "global" : "o_parent", grantScopeIds, grants, principals,
});

const commonGrants: RoleSpec[] = [
    role("o_a", ["ids=ampw_bar,ampw_baz;actions=read,update", "ids=ampw_bop;actions=read:self,update", "type=host-catalog;actions=create", "type=target;actions=list", "ids=*;type=host-set;actions=list,create"]),
    role("o_b", ["ids=*;type=host-set;actions=list,create", "ids=hcst_mypin;type=host;actions=*;output_fields=name,description", "ids=*;type=*;actions=authenticate", "ids=*;type=*;output_fields=id"]),
    role("o_d", ["ids=*;type=*;actions=create,update", "ids=*;type=session;actions=*", "ids=*;type=account;actions=update;output_fields=id,version"]),
];
const templateGrants: RoleSpec[] = [role("o_c", ["ids={{user.id }};actions=read,update", "ids={{ account.id}};actions=change-password"])];

type Case = { name: string; roles: RoleSpec[]; resource: BoundaryResource; actions: [string, boolean][]; userId?: string; accountId?: string };

const inOrg = (scopeId: string, rest: Partial<BoundaryResource> = {}): BoundaryResource => ({ scopeId, parentScopeId: "global", ...rest });

const cases: Case[] = [
    { name: "no grants", roles: [], resource: { scopeId: "foo", parentScopeId: "", id: "bar", type: "host-catalog" }, actions: [["create", false], ["read", false]] },
    { name: "no overlap", roles: commonGrants, resource: { scopeId: "foo", parentScopeId: "", id: "bar", type: "host-catalog" }, actions: [["create", false], ["read", false]] },
    { name: "top level create with type only", roles: commonGrants, resource: inOrg("o_a", { type: "host-catalog" }), actions: [["create", true], ["delete", false]] },
    { name: "matching scope and id no matching action", roles: commonGrants, resource: inOrg("o_a", { id: "a_foo", type: "role" }), actions: [["update", false], ["delete", false]] },
    { name: "matching scope and id and matching action first id", roles: commonGrants, resource: inOrg("o_a", { id: "ampw_bar" }), actions: [["read", true], ["update", true], ["delete", false]] },
    { name: "matching scope and id and matching action second id", roles: commonGrants, resource: inOrg("o_a", { id: "ampw_baz" }), actions: [["read", true], ["update", true], ["delete", false]] },
    { name: "matching scope and type and all action with valid pin", roles: commonGrants, resource: inOrg("o_b", { pin: "hcst_mypin", type: "host" }), actions: [["read", true], ["update", true], ["delete", true]] },
    { name: "matching scope and type and all action but bad pin", roles: commonGrants, resource: inOrg("o_b", { pin: "notmypin", type: "host" }), actions: [["read", false], ["update", false], ["delete", false]] },
    { name: "matching scope and id and some action", roles: commonGrants, resource: inOrg("o_b", { id: "myhost", type: "host-set" }), actions: [["list", true], ["create", true], ["add-hosts", false]] },
    { name: "matching scope and id and all action but bad specifier", roles: commonGrants, resource: inOrg("o_b", { id: "id_g" }), actions: [["read", false], ["update", false], ["delete", false]] },
    { name: "matching scope and not matching type", roles: commonGrants, resource: inOrg("o_a", { type: "host-catalog" }), actions: [["update", false], ["delete", false]] },
    { name: "matching scope and matching type", roles: commonGrants, resource: inOrg("o_a", { type: "host-set" }), actions: [["list", true], ["create", true], ["delete", false]] },
    { name: "matching scope, type, action, random id and bad pin first id", roles: commonGrants, resource: inOrg("o_a", { id: "anything", type: "host-catalog", pin: "ampw_bar" }), actions: [["update", false], ["delete", false], ["read", false]] },
    { name: "wrong scope and matching type", roles: commonGrants, resource: inOrg("o_bad", { type: "host-set" }), actions: [["list", false], ["create", false], ["delete", false]] },
    { name: "any id", roles: commonGrants, resource: inOrg("o_b", { type: "auth-method" }), actions: [["list", false], ["authenticate", true], ["delete", false]] },
    { name: "bad templated user id", roles: [...commonGrants, ...templateGrants], resource: inOrg("o_c"), actions: [["list", false], ["authenticate", false], ["delete", false]], userId: "u_abcd1234" },
    { name: "good templated user id", roles: [...commonGrants, ...templateGrants], resource: inOrg("o_c", { id: "u_abcd1234" }), actions: [["read", true], ["update", true]], userId: "u_abcd1234" },
    { name: "good templated new account id", roles: [...commonGrants, ...templateGrants], resource: inOrg("o_c", { id: "acctpw_1234567890" }), actions: [["change-password", true], ["update", false]], accountId: "acctpw_1234567890" },
    { name: "all type", roles: commonGrants, resource: inOrg("o_d", { type: "account" }), actions: [["create", true], ["update", true]], userId: "u_abcd1234" },
    { name: "list with top level list", roles: commonGrants, resource: inOrg("o_a", { type: "target" }), actions: [["list", true]] },
    { name: "list sessions with wildcard actions", roles: commonGrants, resource: inOrg("o_d", { type: "session" }), actions: [["list", true]] },
    { name: "read self with top level read first id", roles: commonGrants, resource: inOrg("o_a", { id: "ampw_bar" }), actions: [["read", true], ["read:self", true]] },
    { name: "read self only", roles: commonGrants, resource: inOrg("o_a", { id: "ampw_bop" }), actions: [["read", false], ["read:self", true]] },
];

describe("Boundary ACL evaluator (hashicorp/boundary v0.21.3 internal/perms/acl.go, upstream Test_ACLAllowed cases)", () => {
    for (const test of cases) {
        it(test.name, () => {
            const acl = new BoundaryAcl(test.roles, test.userId ?? "u_1234567890", test.accountId);
            for (const [action, expected] of test.actions) {
                assert.strictEqual(acl.allowed(test.resource, action), expected, `${action}`);
            }
        });
    }

    it("grant scopes: children apply to the role scope's child scopes, descendants to every scope but global, a project id only to that project", () => {
        const roles: RoleSpec[] = [
            { scopeId: "o_org", parentScopeId: "global", grantScopeIds: ["children"], grants: ["ids=*;type=target;actions=read"], principals: ["u_x"] },
            { scopeId: "o_org", parentScopeId: "global", grantScopeIds: ["p_one"], grants: ["ids=*;type=host-catalog;actions=read"], principals: ["u_x"] },
            { scopeId: "global", parentScopeId: "", grantScopeIds: ["descendants"], grants: ["ids=*;type=user;actions=read"], principals: ["u_x"] },
        ];
        const acl = new BoundaryAcl(roles, "u_x");
        assert.ok(acl.allowed({ scopeId: "p_one", parentScopeId: "o_org", type: "target", id: "ttcp_1" }, "read"));
        assert.ok(!acl.allowed({ scopeId: "p_other", parentScopeId: "o_else", type: "target", id: "ttcp_2" }, "read"));
        assert.ok(acl.allowed({ scopeId: "p_one", parentScopeId: "o_org", type: "host-catalog", id: "hcst_1" }, "read"));
        assert.ok(!acl.allowed({ scopeId: "p_two", parentScopeId: "o_org", type: "host-catalog", id: "hcst_2" }, "read"));
        assert.ok(acl.allowed({ scopeId: "o_org", parentScopeId: "global", type: "user", id: "u_1" }, "read"));
        assert.ok(!acl.allowed({ scopeId: "global", parentScopeId: "", type: "user", id: "u_2" }, "read"), "descendants never include global");
    });

    it("the anonymous user gets only scope and auth-method discovery and authenticate (case 1), whatever it is granted", () => {
        const roles: RoleSpec[] = [{ scopeId: "o_org", parentScopeId: "global", grantScopeIds: ["this"], grants: ["ids=*;type=auth-method;actions=authenticate,list", "ids=*;type=user;actions=read"], principals: [anonymousUser] }];
        const acl = new BoundaryAcl(roles, anonymousUser);
        assert.ok(acl.allowed({ scopeId: "o_org", parentScopeId: "global", type: "auth-method", id: "ampw_1" }, "authenticate"));
        assert.ok(!acl.allowed({ scopeId: "o_org", parentScopeId: "global", type: "user", id: "u_1" }, "read"));
    });
});
