// The Boundary layout the program renders, per edition, replayed through the
// dynamic provider against the conformance server: every item the platform
// declares is accepted by a controller of that edition (hashicorp/boundary v0.21.3
// behaviour, see test/helpers/boundary-server.ts), and the roles give each
// developer exactly read + authorize-session on their own target.

import * as assert from "assert";
import { BoundaryConnection } from "../components/access/boundary/client";
import { boundaryProvider, BoundaryResourceInputs } from "../components/access/boundary/provider";
import { parseGrant } from "./boundary-api/grants";
import { Edition, subtypes } from "./boundary-api/subtypes";
import { schemaErrors } from "./boundary-api/validator";
import { BoundaryConformanceServer } from "./helpers/boundary-server";
import { baseConfig, runPlatform } from "./helpers/platform";
import { CapturedResource } from "../tools/program-runner";

const definitions: Record<string, string> = {
    "scopes": "controller.api.resources.scopes.v1.Scope",
    "users": "controller.api.resources.users.v1.User",
    "host-catalogs": "controller.api.resources.hostcatalogs.v1.HostCatalog",
    "hosts": "controller.api.resources.hosts.v1.Host",
    "host-sets": "controller.api.resources.hostsets.v1.HostSet",
    "credential-stores": "controller.api.resources.credentialstores.v1.CredentialStore",
    "credential-libraries": "controller.api.resources.credentiallibraries.v1.CredentialLibrary",
    "targets": "controller.api.resources.targets.v1.Target",
    "roles": "controller.api.resources.roles.v1.Role",
};

const layout = (edition: Edition) => baseConfig({
    vault: { enabled: true, address: "https://vault.internal:8200" },
    boundary: { enabled: true, edition, address: "https://boundary.example.com" },
    teams: [
        { name: "alpha", developers: ["alice", "bob"] },
        { name: "pool", allocation: "pool", poolSize: 2, developers: ["carol", "dave"] },
    ],
});

/** Replaces the render's `<id:name>` placeholders with the ids the server gave. */
function substitute(value: unknown, ids: Map<string, string>): any {
    if (typeof value === "string") {
        return value.replace(/<id:([^>]+)>/g, (whole, name) => ids.get(name) ?? whole);
    }
    if (Array.isArray(value)) {
        return value.map((entry) => substitute(entry, ids));
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, substitute(entry, ids)]));
    }
    return value;
}

for (const edition of ["community", "enterprise", "hcp"] as Edition[]) {
    describe(`Boundary layout of the ${edition} edition, replayed against the conformance server`, function () {
        let resources: CapturedResource[];
        let server: BoundaryConformanceServer;
        let connection: BoundaryConnection;

        before(async () => {
            resources = (await runPlatform(layout(edition))).resources.filter((resource) => typeof resource.inputs.boundaryKind === "string");
        });
        beforeEach(async () => {
            server = new BoundaryConformanceServer({ edition });
            await server.start();
            connection = { address: server.address, authMethodId: server.login.authMethodId, loginName: server.login.loginName, password: server.login.password, retry: { attempts: 3, backoffMs: 1 } };
        });
        afterEach(() => server.stop());

        it("declares every item in the shape of its swagger definition, with attributes of a subtype this edition registers", () => {
            for (const resource of resources) {
                const { collection, fields } = resource.inputs as BoundaryResourceInputs;
                assert.deepStrictEqual(schemaErrors(definitions[collection], fields), [], `${resource.name} against ${definitions[collection]}`);
                assert.notStrictEqual(fields.description, "", `${resource.name} sends no empty description`);
                const type = fields.type as string | undefined;
                if (type && subtypes[collection]?.[type]) {
                    assert.ok(subtypes[collection][type].editions.includes(edition), `${resource.name}: ${collection} type ${type} is registered by ${edition}`);
                    const schema = subtypes[collection][type].attributes;
                    if (schema && fields.attributes) {
                        assert.deepStrictEqual(schemaErrors(schema, fields.attributes), [], `${resource.name} attributes`);
                    }
                }
            }
        });

        it("is accepted item by item by a controller of this edition, and each developer may open only their own target", async () => {
            const ids = new Map<string, string>();
            for (const resource of resources) {
                const declared = resource.inputs as BoundaryResourceInputs;
                const inputs: BoundaryResourceInputs = {
                    ...declared, connection,
                    fields: substitute(declared.fields, ids), actions: substitute(declared.actions, ids),
                    ...(declared.secretAttributes ? { secretAttributes: { token: "hvs.test-token" } } : {}),
                };
                const created = await boundaryProvider.create(inputs);
                ids.set(resource.name, created.id);
            }
            assert.deepStrictEqual(server.violations, []);
            assert.deepStrictEqual(server.requests.filter((request) => request.discarded.length > 0).map((request) => request.path), []);

            const items = [...server.items.values()];
            const targets = items.filter((item) => item.collection === "targets");
            const users = new Map(items.filter((item) => item.collection === "users").map((user) => [user.id, user.name as string]));
            const expectedType = edition === "community" ? "tcp" : "ssh";
            assert.deepStrictEqual(targets.map((target) => [target.name, target.type]).sort(), [
                ["alpha-alice", expectedType], ["alpha-bob", expectedType], ["pool-pool", expectedType]]);
            for (const target of targets) {
                const injected = (target.injected_application_credential_source_ids as string[] | undefined) ?? [];
                assert.strictEqual(injected.length, edition === "community" ? 0 : 1, `${target.name} injected credentials`);
                if (injected.length > 0) {
                    const library = server.items.get(injected[0])!;
                    const username = (library.attributes as Record<string, unknown>).username;
                    assert.strictEqual(username, target.name === "pool-pool" ? "{{.User.Name}}" : String(target.name).replace(/^alpha-/, ""));
                }
            }

            // Who may open what: follow each role's principals and parsed grants (internal/perms/grants.go grammar).
            const access = new Map<string, string[]>();
            for (const role of items.filter((item) => item.collection === "roles")) {
                const grants = (role.grant_strings as string[]).map(parseGrant);
                assert.ok(grants.length > 0, `${role.name} grants something`);
                for (const grant of grants) {
                    assert.deepStrictEqual(grant.actions, ["read", "authorize-session"], `${role.name}: least privilege`);
                    assert.strictEqual(grant.type, undefined);
                    assert.strictEqual(grant.ids.length, 1);
                    const target = server.items.get(grant.ids[0])!;
                    assert.strictEqual(target.collection, "targets");
                    for (const principal of role.principal_ids as string[]) {
                        access.set(users.get(principal)!, [...(access.get(users.get(principal)!) ?? []), target.name as string]);
                    }
                }
            }
            assert.deepStrictEqual(Object.fromEntries([...access].sort()), {
                alice: ["alpha-alice"], bob: ["alpha-bob"], carol: ["pool-pool"], dave: ["pool-pool"],
            });
        });
    });
}
