// The Vault ACL evaluator checked against hashicorp/vault's own test cases (vault/acl_test.go
// @ 01c88db7: the aclPolicy / aclPolicy2 / permissionsPolicy / valuePermissionsPolicy
// fixtures and the tcases of testACLSingle, testLayeredACL, testACLCapabilities) before it
// judges the team identities.

import * as assert from "assert";
import { Operation, VaultAcl, populateTemplate } from "./helpers/vault-acl";

// acl_test.go aclPolicy, as upstream writes it (HCL, old-style `policy =` included).
const aclPolicy = `
name = "DeV"
path "dev/*" { policy = "sudo" }
path "stage/*" { policy = "write" }
path "stage/aws/*" {
	policy = "read"
	capabilities = ["update", "sudo"]
}
path "stage/aws/policy/*" { policy = "sudo" }
path "prod/*" { policy = "read" }
path "prod/aws/*" { policy = "deny" }
path "sys/*" { policy = "deny" }
path "foo/bar" { capabilities = ["read", "create", "sudo"] }
path "baz/quux" { capabilities = ["read", "create", "patch"] }
path "test/+/segment" { capabilities = ["read"] }
path "+/segment/at/front" { capabilities = ["read"] }
path "test/segment/at/end/+" { capabilities = ["read"] }
path "test/segment/at/end/v2/+/" { capabilities = ["read"] }
path "test/+/wildcard/+/*" { capabilities = ["read"] }
path "test/+/wildcardglob/+/end*" { capabilities = ["read"] }
path "1/2/*" { capabilities = ["create"] }
path "1/2/+" { capabilities = ["read"] }
path "1/2/+/+" { capabilities = ["update", "recover"] }
`;

const aclPolicy2 = `
name = "OpS"
path "dev/hide/*" { policy = "deny" }
path "stage/aws/policy/*" {
	policy = "deny"
	# This should have no effect
	capabilities = ["read", "update", "sudo"]
}
path "prod/*" { policy = "write" }
path "sys/seal" { policy = "sudo" }
path "foo/bar" { capabilities = ["deny"] }
path "baz/quux" { capabilities = ["deny"] }
`;

type Case = [Operation, string, boolean];

describe("Vault ACL evaluator (hashicorp/vault vault/acl.go semantics, upstream test cases)", () => {
    it("testACLSingle: exact, glob-prefix, old-style policies, segment wildcards and `+` versus `*` priority", () => {
        const acl = new VaultAcl([aclPolicy]);
        const cases: Case[] = [
            ["read", "root", false],
            ["read", "dev/foo", true], ["update", "dev/foo", true],
            ["delete", "stage/foo", true], ["list", "stage/aws/foo", true], ["update", "stage/aws/foo", true], ["update", "stage/aws/policy/foo", true],
            ["delete", "prod/foo", false], ["update", "prod/foo", false], ["read", "prod/foo", true], ["list", "prod/foo", true], ["read", "prod/aws/foo", false],
            ["read", "foo/bar", true], ["list", "foo/bar", false], ["update", "foo/bar", false], ["create", "foo/bar", true],
            ["read", "baz/quux", true], ["create", "baz/quux", true], ["patch", "baz/quux", true], ["list", "baz/quux", false], ["update", "baz/quux", false],
            ["read", "test/foo/bar/segment", false], ["read", "test/foo/segment", true], ["read", "test/bar/segment", true],
            ["read", "test/segment/at/frond", false], ["read", "test/segment/at/front", true],
            ["read", "test/segment/at/end/foo", true], ["read", "test/segment/at/end/foo/", false], ["read", "test/segment/at/end/v2/foo/", true],
            ["read", "test/segment/wildcard/at/foo/", true], ["read", "test/segment/wildcard/at/end", true], ["read", "test/segment/wildcard/at/end/", true],
            ["read", "1/2/3/4", false], ["read", "1/2/3", true], ["update", "1/2/3", false], ["update", "1/2/3/4", true], ["create", "1/2/3/4/5", true], ["recover", "1/2/3/4", true],
        ];
        for (const [operation, path, expected] of cases) {
            assert.strictEqual(acl.allowed(operation, path), expected, `${operation} ${path}`);
        }
    });

    it("testLayeredACL: a deny in any policy wins over the same path elsewhere; capabilities of one path merge", () => {
        const acl = new VaultAcl([aclPolicy, aclPolicy2]);
        const cases: Case[] = [
            ["read", "dev/foo", true], ["update", "dev/foo", true], ["read", "dev/hide/foo", false], ["update", "dev/hide/foo", false],
            ["delete", "stage/foo", true], ["list", "stage/aws/foo", true], ["update", "stage/aws/foo", true], ["update", "stage/aws/policy/foo", false],
            ["delete", "prod/foo", true], ["update", "prod/foo", true], ["read", "prod/foo", true], ["list", "prod/foo", true], ["read", "prod/aws/foo", false],
            ["read", "sys/status", false], ["update", "sys/seal", true],
            ["read", "foo/bar", false], ["list", "foo/bar", false], ["update", "foo/bar", false], ["create", "foo/bar", false],
            ["read", "baz/quux", false], ["list", "baz/quux", false], ["update", "baz/quux", false], ["create", "baz/quux", false], ["patch", "baz/quux", false],
        ];
        for (const [operation, path, expected] of cases) {
            assert.strictEqual(acl.allowed(operation, path), expected, `${operation} ${path}`);
        }
    });

    it("testACLCapabilities: a path with no rule reports deny; dev/ has every capability of `dev/*`", () => {
        const acl = new VaultAcl([aclPolicy]);
        assert.deepStrictEqual(acl.capabilities("dev"), ["deny"]);
        assert.deepStrictEqual(acl.capabilities("dev/"), ["create", "delete", "list", "read", "sudo", "update"]);
        assert.deepStrictEqual(acl.capabilities("stage/aws/test"), ["list", "read", "sudo", "update"]);
    });

    it("permissionsPolicy: allowed_parameters, denied_parameters and `*` keys (testACLAllowOperation)", () => {
        const acl = new VaultAcl([`
path "dev/*" { policy = "write"
  allowed_parameters = { "zip" = [] } }
path "broken/phone" { policy = "write"
  allowed_parameters = { "steve" = [] }
  denied_parameters = { "steve" = [] } }
path "hello/world" { policy = "write"
  allowed_parameters = { "*" = [] }
  denied_parameters = { "*" = [] } }
path "tree/fort" { policy = "write"
  allowed_parameters = { "*" = [] }
  denied_parameters = { "foo" = [] } }
path "fruit/apple" { policy = "write"
  allowed_parameters = { "pear" = [] }
  denied_parameters = { "*" = [] } }
path "cold/weather" { policy = "write"
  allowed_parameters = {}
  denied_parameters = {} }
path "var/req" { policy = "write"
  required_parameters = ["foo"] }
`]);
        for (const operation of ["update", "create"] as Operation[]) {
            assert.ok(acl.allowed(operation, "dev/ops", { zip: 1 }));
            assert.ok(!acl.allowed(operation, "dev/ops", { zap: 1 }), "a key outside allowed_parameters");
            assert.ok(!acl.allowed(operation, "broken/phone", { steve: 1 }), "denied wins over allowed");
            assert.ok(!acl.allowed(operation, "hello/world", { one: 1 }), "denied `*` refuses every key");
            assert.ok(acl.allowed(operation, "tree/fort", { beer: 1 }));
            assert.ok(!acl.allowed(operation, "tree/fort", { foo: 1 }));
            assert.ok(!acl.allowed(operation, "fruit/apple", { pear: 1 }));
            assert.ok(acl.allowed(operation, "cold/weather", { anything: 1 }));
            assert.ok(!acl.allowed(operation, "var/req", { bar: 1 }), "a required parameter missing");
            assert.ok(acl.allowed(operation, "var/req", { foo: 1 }));
            assert.ok(acl.allowed(operation, "dev/ops", {}), "no data: allowed");
        }
    });

    it("valuePermissionsPolicy: value lists, globs, case-insensitive keys, typed values, comma-separated strings", () => {
        const acl = new VaultAcl([`
path "dev/*" { policy = "write"
  allowed_parameters = { "allow" = ["good"] } }
path "foo/bar" { policy = "write"
  denied_parameters = { "deny" = ["bad*"] } }
path "foo/baz" { policy = "write"
  allowed_parameters = { "ALLOW" = ["good"] }
  denied_parameters = { "dEny" = ["bad"] } }
path "fizz/buzz" { policy = "write"
  allowed_parameters = { "allow_multi" = ["good", "good1", "good2", "*good3"]
    "allow" = ["good"] }
  denied_parameters = { "deny_multi" = ["bad", "bad1", "bad2"] } }
path "test/types" { policy = "write"
  allowed_parameters = { "map" = [{"good" = "one"}]
    "int" = [1, 2]
    "bool" = [false] } }
path "test/star" { policy = "write"
  allowed_parameters = { "*" = []
    "foo" = []
    "bar" = [false] } }
`]);
        assert.ok(acl.allowed("update", "dev/ops", { allow: "good" }));
        assert.ok(!acl.allowed("update", "dev/ops", { allow: "bad" }));
        assert.ok(!acl.allowed("update", "foo/bar", { deny: "bad trailing" }), "glob suffix `bad*`");
        assert.ok(acl.allowed("update", "foo/bar", { deny: "good" }));
        assert.ok(acl.allowed("update", "foo/baz", { aLLow: "good" }), "keys compare lower-cased");
        assert.ok(!acl.allowed("update", "foo/baz", { deny: "bad" }));
        assert.ok(acl.allowed("update", "fizz/buzz", { allow_multi: "good1,good2" }), "every element of a comma-separated string allowed");
        assert.ok(acl.allowed("update", "fizz/buzz", { allow_multi: "not-so-good3" }), "`*good3` is a suffix glob");
        assert.ok(!acl.allowed("update", "fizz/buzz", { allow_multi: "good,bad" }));
        assert.ok(!acl.allowed("update", "fizz/buzz", { deny_multi: ["good", "bad1"] }), "any denied element of a list denies");
        assert.ok(acl.allowed("update", "test/types", { map: { good: "one" }, int: 1, bool: false }));
        assert.ok(!acl.allowed("update", "test/types", { bool: true }));
        assert.ok(!acl.allowed("update", "test/types", { int: 3 }));
        assert.ok(acl.allowed("update", "test/star", { anything: "x", foo: 1, bar: false }));
        assert.ok(!acl.allowed("update", "test/star", { bar: true }), "a listed key keeps its values even next to `*`");
    });

    it("identitytpl: fills {{identity.entity.name}}; refuses a missing entity and results with `*` or `+`; a failed template path grants nothing", () => {
        assert.strictEqual(populateTemplate("ssh/sign/alpha.{{identity.entity.name}}", { id: "e1", name: "alice" }), "ssh/sign/alpha.alice");
        assert.strictEqual(populateTemplate("x/{{ identity.entity.id }}", { id: "e1", name: "alice" }), "x/e1");
        assert.throws(() => populateTemplate("x/{{identity.entity.name}}", undefined), /no entity was provided/);
        assert.throws(() => populateTemplate("x/{{identity.entity.name}}", { id: "e1", name: "a*" }), /globs and wildcards/);
        assert.throws(() => populateTemplate("x/{{identity.entity.name}}", { id: "e1", name: "" }), /no value could be found/);
        assert.throws(() => populateTemplate("x/}}{{identity.entity.name}}", { id: "e1", name: "a" }), /unbalanced/);
        const templated = `path "ssh/sign/alpha.{{identity.entity.name}}" { capabilities = ["update"] }`;
        assert.ok(new VaultAcl([templated], { id: "e1", name: "alice" }).allowed("update", "ssh/sign/alpha.alice"));
        assert.ok(!new VaultAcl([templated], { id: "e1", name: "alice" }).allowed("update", "ssh/sign/alpha.bob"));
        assert.ok(!new VaultAcl([templated]).allowed("update", "ssh/sign/alpha.alice"), "a token without an entity gets no path");
    });

    it("refuses `+*` in a path (policy.go) and an unknown capability", () => {
        assert.throws(() => new VaultAcl([`path "a/+*" { capabilities = ["read"] }`]), /\+\*/);
        assert.throws(() => new VaultAcl([`path "a" { capabilities = ["write"] }`]), /invalid capability/);
    });
});
