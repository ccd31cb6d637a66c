// The Boundary client and dynamic provider against the conformance server
// (test/helpers/boundary-server.ts), which is derived from hashicorp/boundary v0.21.3.

import * as assert from "assert";
import { BoundaryClient, BoundaryConnection, boundaryErrorOf } from "../components/access/boundary/client";
import { boundaryProvider, BoundaryResourceInputs } from "../components/access/boundary/provider";
import { Edition } from "./boundary-api/subtypes";
import { BoundaryConformanceServer } from "./helpers/boundary-server";

const fast = { attempts: 4, backoffMs: 1 };

function connectionTo(server: BoundaryConformanceServer): BoundaryConnection {
    return { address: server.address, authMethodId: server.login.authMethodId, loginName: server.login.loginName, password: server.login.password, retry: fast };
}

/** Nothing the client sent was discarded or refused by schema, and nothing the server answered broke its own schema. */
function assertClean(server: BoundaryConformanceServer): void {
    assert.deepStrictEqual(server.violations, []);
    const discarded = server.requests.filter((request) => request.discarded.length > 0).map((request) => `${request.method} ${request.path}: ${request.discarded}`);
    assert.deepStrictEqual(discarded, [], "the client sent fields the controller would silently discard");
}

describe("Boundary HTTP client against the conformance server (hashicorp/boundary v0.21.3)", () => {
    let server: BoundaryConformanceServer;
    let connection: BoundaryConnection;

    beforeEach(async () => {
        server = new BoundaryConformanceServer();
        await server.start();
        connection = connectionTo(server);
    });
    afterEach(() => server.stop());

    it("logs in with the password auth method and sends the token as a bearer", async () => {
        const client = new BoundaryClient(connection);
        const org = await client.create("scopes", { scope_id: "global", name: "engineering" });
        assert.match(org.id, /^o_[A-Za-z0-9]{10}$/);
        assert.deepStrictEqual(server.requests.map((r) => `${r.method} ${r.path}`), [`POST /v1/auth-methods/${server.login.authMethodId}:authenticate`, "POST /v1/scopes"]);
        assert.match(server.requests[1].authorization!, /^Bearer at_/);
        assertClean(server);
    });

    it("reads create, read and update answers as the resource itself, with no item wrapper (swagger: response_body item)", async () => {
        const client = new BoundaryClient(connection);
        const org = await client.create("scopes", { scope_id: "global", name: "engineering", description: "sandboxes" });
        assert.strictEqual(org.name, "engineering");
        assert.strictEqual(org.version, 1);
        const read = await client.read("scopes", org.id);
        assert.strictEqual(read?.description, "sandboxes");
        const updated = await client.update("scopes", org.id, { description: "developer sandboxes" });
        assert.strictEqual(updated.version, 2);
        assert.strictEqual(updated.description, "developer sandboxes");
        assertClean(server);
    });

    it("surfaces Boundary's message for a refused login, naming the login", async () => {
        const client = new BoundaryClient({ ...connection, password: "wrong" }, { subject: "boundary scope \"x\"" });
        await assert.rejects(client.create("scopes", { scope_id: "global", name: "x" }),
            /^Error: boundary scope "x": log in as admin: POST \/v1\/auth-methods\/ampw_1234567890:authenticate: 401 Unauthenticated: Unable to authenticate\.$/);
    });

    it("refuses an empty description as the controller does (handlers/verifiers.go), with the field detail in the error", async () => {
        const client = new BoundaryClient(connection, { subject: "boundary scope \"engineering\"" });
        await assert.rejects(client.create("scopes", { scope_id: "global", name: "engineering", description: "" }), (error: Error) => {
            assert.match(error.message, /boundary scope "engineering": create: POST \/v1\/scopes: 400 InvalidArgument: Error in provided request\. \(description: Cannot set empty string as description\)/);
            assert.deepStrictEqual(boundaryErrorOf(error)?.fields, [{ name: "description", description: "Cannot set empty string as description" }]);
            return true;
        });
    });

    it("answers a duplicate name with 400 InvalidArgument, which the client reports as a taken name (errors.go IsUniqueError)", async () => {
        const client = new BoundaryClient(connection, { subject: "boundary scope \"engineering\"" });
        await client.create("scopes", { scope_id: "global", name: "engineering" });
        await assert.rejects(client.create("scopes", { scope_id: "global", name: "engineering" }), (error: Error) => {
            assert.strictEqual(boundaryErrorOf(error)?.status, 400);
            assert.strictEqual(boundaryErrorOf(error)?.kind, "InvalidArgument");
            assert.match(error.message, /the name "engineering" is taken in global by an item Pulumi did not create/);
            assert.match(error.message, /must be unique/);
            return true;
        });
        assert.strictEqual(server.byName("scopes", "engineering").length, 1);
    });

    it("adopts the item a lost create response had made, exactly once", async () => {
        const client = new BoundaryClient(connection);
        await client.login();
        server.loseResponses = 1;
        const org = await client.create("scopes", { scope_id: "global", name: "engineering" });
        assert.strictEqual(org.adopted, true);
        assert.strictEqual(server.byName("scopes", "engineering").length, 1);
        assert.strictEqual(org.id, server.byName("scopes", "engineering")[0].id);
        // A second resource claiming the same name is not handed the same item again.
        await assert.rejects(new BoundaryClient(connection).create("scopes", { scope_id: "global", name: "engineering" }), /is taken/);
        assertClean(server);
    });

    it("re-reads a stale version (404 \"... incorrect version provided\") and retries the update", async () => {
        const client = new BoundaryClient(connection);
        const org = await client.create("scopes", { scope_id: "global", name: "engineering" });
        const project = await client.create("scopes", { scope_id: org.id, name: "alpha" });
        const target = await client.create("targets", { scope_id: project.id, name: "alpha-alice", type: "tcp", attributes: { default_port: 22 } });
        // The PATCH itself answers the controller's stale-version 404 once: another writer moved the version in between.
        let raced = false;
        const racing = new BoundaryClient(connection, {
            fetch: async (url, init) => {
                if (init.method === "PATCH" && !raced) {
                    raced = true;
                    server.touch(target.id, { description: "changed elsewhere" });
                }
                return fetch(url, init);
            },
        });
        const updated = await racing.update("targets", target.id, { session_max_seconds: 3600 });
        assert.strictEqual(updated.session_max_seconds, 3600);
        const patches = server.requests.filter((r) => r.method === "PATCH");
        assert.deepStrictEqual(patches.map((r) => r.body.version), [1, 2]);
        assert.strictEqual(server.requests.filter((r) => r.method === "PATCH").length, 2);
        assertClean(server);
    });

    it("answers a stale PATCH with the handler's 404 text (targets: \"not found or incorrect version provided\")", async () => {
        const client = new BoundaryClient(connection);
        const org = await client.create("scopes", { scope_id: "global", name: "engineering" });
        const project = await client.create("scopes", { scope_id: org.id, name: "alpha" });
        const target = await client.create("targets", { scope_id: project.id, name: "t", type: "tcp", attributes: { default_port: 22 } });
        const token = server.issueToken();
        const response = await fetch(`${server.address}/v1/targets/${target.id}`, {
            method: "PATCH", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ version: 7, session_max_seconds: 60 }),
        });
        assert.strictEqual(response.status, 404);
        assert.deepStrictEqual(await response.json(), { kind: "NotFound", message: `Target "${target.id}" not found or incorrect version provided.` });
        const scope = await fetch(`${server.address}/v1/scopes/${org.id}`, {
            method: "PATCH", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ version: 9, description: "x" }),
        });
        assert.deepStrictEqual(await scope.json(), { kind: "NotFound", message: `Scope "${org.id}" doesn't exist or incorrect version provided.` });
    });

    it("applies :set-* actions at the current version, re-reading after the controller's 500 for a stale target action", async () => {
        const client = new BoundaryClient(connection);
        const org = await client.create("scopes", { scope_id: "global", name: "engineering" });
        const project = await client.create("scopes", { scope_id: org.id, name: "alpha" });
        const catalog = await client.create("host-catalogs", { scope_id: project.id, name: "c", type: "static" });
        const set = await client.create("host-sets", { host_catalog_id: catalog.id, name: "s" });
        const target = await client.create("targets", { scope_id: project.id, name: "t", type: "tcp", attributes: { default_port: 22 } });
        let raced = false;
        const racing = new BoundaryClient(connection, {
            fetch: async (url, init) => {
                if (url.endsWith(":set-host-sources") && !raced) {
                    raced = true;
                    server.touch(target.id);
                }
                return fetch(url, init);
            },
        });
        const updated = await racing.action("targets", target.id, "set-host-sources", { host_source_ids: [set.id] });
        assert.deepStrictEqual(updated.host_source_ids, [set.id]);
        const answers = server.requests.filter((r) => r.path.endsWith(":set-host-sources")).map((r) => r.body.version);
        assert.deepStrictEqual(answers, [1, 2]);
        assertClean(server);
    });

    it("retries a 5xx with back-off and gives up with Boundary's last message", async () => {
        const client = new BoundaryClient({ ...connection, retry: { attempts: 3, backoffMs: 1 } }, { subject: "boundary scope \"org\"" });
        server.failBefore = 2;
        const org = await client.create("scopes", { scope_id: "global", name: "org" });
        assert.ok(org.id);
        server.failBefore = 3;
        await assert.rejects(client.read("scopes", org.id), /boundary scope "org": read: GET \/v1\/scopes\/o_\w+: 503 Unavailable: rate limit quota could not be stored/);
    });

    it("lists with a go-bexpr filter and reads an empty list, which has no items key (EmitUnpopulated false)", async () => {
        const client = new BoundaryClient(connection);
        assert.deepStrictEqual(await client.list("scopes", "global"), []);
        await client.create("scopes", { scope_id: "global", name: "a" });
        await client.create("scopes", { scope_id: "global", name: "b" });
        const found = await client.list("scopes", "global", `"/item/name" == "b"`);
        assert.deepStrictEqual(found.map((item) => item.name), ["b"]);
    });

    it("treats deleting an item that is already gone as done (204, then 404), and reading it as absent", async () => {
        const client = new BoundaryClient(connection);
        const org = await client.create("scopes", { scope_id: "global", name: "gone" });
        await client.delete("scopes", org.id);
        await client.delete("scopes", org.id);
        assert.strictEqual(await client.read("scopes", org.id), undefined);
        const statuses = server.requests.filter((r) => r.method === "DELETE").length;
        assert.strictEqual(statuses, 2);
    });
});

interface Parents {
    org: string; project: string; catalog: string; hosts: string[]; hostSet: string; store: string; library: string; user: string;
}

interface LifeCycleCase {
    kind: string;
    collection: string;
    editions?: Edition[];
    fields(parents: Parents): Record<string, unknown>;
    actions?(parents: Parents): Record<string, Record<string, unknown>>;
    secretAttributes?: Record<string, unknown>;
    /** A change the API applies in place. */
    inPlace(inputs: BoundaryResourceInputs, parents: Parents): BoundaryResourceInputs;
    /** A change the API refuses (type or parent), so the provider replaces. */
    replace(inputs: BoundaryResourceInputs, parents: Parents): { inputs: BoundaryResourceInputs; field: string };
    /** What the server holds after the in-place update. */
    expect(item: Record<string, unknown>): void;
}

const withField = (inputs: BoundaryResourceInputs, change: Record<string, unknown>): BoundaryResourceInputs => ({ ...inputs, fields: { ...inputs.fields, ...change } });
const withAttributes = (inputs: BoundaryResourceInputs, change: Record<string, unknown>): BoundaryResourceInputs =>
    withField(inputs, { attributes: { ...(inputs.fields.attributes as Record<string, unknown>), ...change } });

const cases: LifeCycleCase[] = [
    {
        kind: "scope", collection: "scopes",
        fields: (p) => ({ scope_id: p.org, name: "beta" }),
        inPlace: (i) => withField(i, { description: "team beta" }),
        replace: (i) => ({ inputs: withField(i, { scope_id: "o_0000000000" }), field: "fields.scope_id" }),
        expect: (item) => assert.strictEqual(item.description, "team beta"),
    },
    {
        kind: "user", collection: "users",
        fields: (p) => ({ scope_id: p.org, name: "carol", description: "sandbox developer" }),
        inPlace: (i) => withField(i, { description: "sandbox developer; link to their account" }),
        replace: (i) => ({ inputs: withField(i, { scope_id: "global" }), field: "fields.scope_id" }),
        expect: (item) => assert.match(String(item.description), /link/),
    },
    {
        kind: "host-catalog", collection: "host-catalogs",
        fields: (p) => ({ scope_id: p.project, name: "alpha-more", type: "static" }),
        inPlace: (i) => withField(i, { name: "alpha-renamed" }),
        replace: (i) => ({ inputs: withField(i, { type: "plugin" }), field: "fields.type" }),
        expect: (item) => assert.strictEqual(item.name, "alpha-renamed"),
    },
    {
        kind: "host", collection: "hosts",
        fields: (p) => ({ host_catalog_id: p.catalog, name: "alpha-bob", type: "static", attributes: { address: "alpha-bob.sbx-alpha.svc.cluster.local" } }),
        inPlace: (i) => withAttributes(i, { address: "alpha-bob.sbx-alpha2.svc.cluster.local" }),
        replace: (i) => ({ inputs: withField(i, { host_catalog_id: "hcst_0000000000" }), field: "fields.host_catalog_id" }),
        expect: (item) => assert.deepStrictEqual(item.attributes, { address: "alpha-bob.sbx-alpha2.svc.cluster.local" }),
    },
    {
        kind: "host-set", collection: "host-sets",
        fields: (p) => ({ host_catalog_id: p.catalog, name: "alpha-pool", type: "static" }),
        actions: (p) => ({ "set-hosts": { host_ids: [p.hosts[0]] } }),
        inPlace: (i, p) => ({ ...i, actions: { "set-hosts": { host_ids: p.hosts } } }),
        replace: (i) => ({ inputs: withField(i, { host_catalog_id: "hcst_0000000000" }), field: "fields.host_catalog_id" }),
        expect: (item) => assert.strictEqual((item.host_ids as string[]).length, 2),
    },
    {
        kind: "credential-store", collection: "credential-stores",
        fields: (p) => ({ scope_id: p.project, name: "vault-2", type: "vault", attributes: { address: "https://vault.example.com:8200" } }),
        secretAttributes: { token: "hvs.example" },
        inPlace: (i) => withAttributes(i, { address: "https://vault.internal.example.com:8200" }),
        replace: (i) => ({ inputs: withField(i, { type: "static" }), field: "fields.type" }),
        expect: (item) => {
            assert.strictEqual((item.attributes as Record<string, unknown>).address, "https://vault.internal.example.com:8200");
            assert.strictEqual((item.attributes as Record<string, unknown>).token, undefined, "the token is never stored in the open");
        },
    },
    {
        kind: "credential-library", collection: "credential-libraries",
        fields: (p) => ({
            credential_store_id: p.store, name: "alpha-pool", type: "vault-ssh-certificate",
            attributes: { path: "ssh-client-signer/sign/alpha", username: "{{.User.Name}}", key_type: "ed25519", extensions: { "permit-pty": "" } },
        }),
        inPlace: (i) => withAttributes(i, { path: "ssh-client-signer/sign/alpha-v2" }),
        replace: (i) => ({ inputs: withField(i, { credential_store_id: "csvlt_0000000000" }), field: "fields.credential_store_id" }),
        expect: (item) => assert.strictEqual((item.attributes as Record<string, unknown>).path, "ssh-client-signer/sign/alpha-v2"),
    },
    {
        kind: "target", collection: "targets",
        fields: (p) => ({ scope_id: p.project, name: "alpha-bob", type: "tcp", session_max_seconds: 28800, attributes: { default_port: 22 } }),
        actions: (p) => ({ "set-host-sources": { host_source_ids: [p.hostSet] } }),
        inPlace: (i) => withField(i, { session_max_seconds: 3600 }),
        replace: (i) => ({ inputs: withField(i, { type: "ssh" }), field: "fields.type" }),
        expect: (item) => assert.strictEqual(item.session_max_seconds, 3600),
    },
    {
        kind: "target", collection: "targets", editions: ["enterprise", "hcp"],
        fields: (p) => ({ scope_id: p.project, name: "alpha-bob-ssh", type: "ssh", session_max_seconds: 28800, attributes: { default_port: 22 } }),
        actions: (p) => ({
            "set-host-sources": { host_source_ids: [p.hostSet] },
            "set-credential-sources": { injected_application_credential_source_ids: [p.library] },
        }),
        inPlace: (i) => withAttributes(i, { default_port: 2222 }),
        replace: (i) => ({ inputs: withField(i, { type: "tcp" }), field: "fields.type" }),
        expect: (item) => assert.deepStrictEqual(item.attributes, { default_port: 2222 }),
    },
    {
        kind: "role", collection: "roles",
        fields: (p) => ({ scope_id: p.project, name: "alpha-bob-access" }),
        actions: (p) => ({ "set-principals": { principal_ids: [p.user] }, "set-grants": { grant_strings: [`ids=${p.hostSet};actions=read`] } }),
        inPlace: (i) => ({ ...i, fields: { ...i.fields, description: "bob's sandbox" } }),
        replace: (i) => ({ inputs: withField(i, { scope_id: "p_0000000000" }), field: "fields.scope_id" }),
        expect: (item) => assert.strictEqual(item.description, "bob's sandbox"),
    },
];

async function makeParents(client: BoundaryClient, edition: Edition): Promise<Parents> {
    const org = await client.create("scopes", { scope_id: "global", name: "engineering" });
    const project = await client.create("scopes", { scope_id: org.id, name: "alpha" });
    const catalog = await client.create("host-catalogs", { scope_id: project.id, name: "alpha-sandboxes", type: "static" });
    const hosts = [
        await client.create("hosts", { host_catalog_id: catalog.id, name: "alpha-alice", type: "static", attributes: { address: "alpha-alice.sbx-alpha.svc.cluster.local" } }),
        await client.create("hosts", { host_catalog_id: catalog.id, name: "alpha-alice-2", type: "static", attributes: { address: "alpha-alice-2.sbx-alpha.svc.cluster.local" } }),
    ];
    const hostSet = await client.create("host-sets", { host_catalog_id: catalog.id, name: "alpha-alice", type: "static" });
    const store = await client.create("credential-stores", { scope_id: project.id, name: "vault", type: "vault", attributes: { address: "https://vault:8200", token: "hvs.x" } });
    const library = await client.create("credential-libraries", {
        credential_store_id: store.id, name: "alpha-alice", type: "vault-ssh-certificate", attributes: { path: "ssh-client-signer/sign/alpha", username: "alice" },
    });
    const user = await client.create("users", { scope_id: org.id, name: "bob" });
    void edition;
    return { org: org.id, project: project.id, catalog: catalog.id, hosts: hosts.map((h) => h.id), hostSet: hostSet.id, store: store.id, library: library.id, user: user.id };
}

for (const edition of ["community", "enterprise", "hcp"] as Edition[]) {
    describe(`Boundary dynamic provider life cycle, ${edition} edition`, () => {
        let server: BoundaryConformanceServer;
        let parents: Parents;
        let connection: BoundaryConnection;

        beforeEach(async () => {
            server = new BoundaryConformanceServer({ edition });
            await server.start();
            connection = connectionTo(server);
            parents = await makeParents(new BoundaryClient(connection), edition);
        });
        afterEach(() => server.stop());

        for (const lifeCycle of cases.filter((c) => !c.editions || c.editions.includes(edition))) {
            const label = `${lifeCycle.kind} (${lifeCycle.fields({} as Parents).type ?? lifeCycle.collection})`;
            it(`${label}: check, create, refresh without drift, update in place, replace on a forbidden change, detect an out-of-band delete, delete`, async () => {
                const inputs: BoundaryResourceInputs = {
                    boundaryKind: lifeCycle.kind, collection: lifeCycle.collection, connection, meta: {},
                    fields: lifeCycle.fields(parents), actions: lifeCycle.actions?.(parents) ?? {},
                    ...(lifeCycle.secretAttributes ? { secretAttributes: lifeCycle.secretAttributes } : {}),
                };
                const checked = await boundaryProvider.check!({} as BoundaryResourceInputs, inputs);
                assert.deepStrictEqual(checked.failures, []);

                const created = await boundaryProvider.create(inputs);
                const stored = server.items.get(created.id)!;
                assert.strictEqual(stored.name, inputs.fields.name);
                for (const [action, payload] of Object.entries(inputs.actions)) {
                    const [field, values] = Object.entries(payload)[0];
                    assert.deepStrictEqual(stored[field], values, `${action} applied on create`);
                }

                const refreshed = await boundaryProvider.read!(created.id, created.outs);
                assert.strictEqual(refreshed.id, created.id);
                const drift = await boundaryProvider.diff!(created.id, refreshed.props, inputs);
                assert.strictEqual(drift.changes, false, "a fresh refresh shows no drift");

                const changed = lifeCycle.inPlace(inputs, parents);
                const diff = await boundaryProvider.diff!(created.id, created.outs, changed);
                assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
                const versionBefore = server.items.get(created.id)!.version;
                await boundaryProvider.update!(created.id, created.outs, changed);
                lifeCycle.expect(server.items.get(created.id)!);
                assert.ok(server.items.get(created.id)!.version > versionBefore);
                const afterUpdate = await boundaryProvider.read!(created.id, changed);
                assert.strictEqual((await boundaryProvider.diff!(created.id, afterUpdate.props, changed)).changes, false);

                const replacement = lifeCycle.replace(changed, parents);
                const replaceDiff = await boundaryProvider.diff!(created.id, changed, replacement.inputs);
                assert.deepStrictEqual(replaceDiff.replaces, [replacement.field]);
                assert.strictEqual(replaceDiff.deleteBeforeReplace, true);

                server.items.delete(created.id);
                assert.deepStrictEqual(await boundaryProvider.read!(created.id, changed), {}, "an item deleted out of band reads as gone");
                await assert.rejects(boundaryProvider.update!(created.id, inputs, changed), /no longer exists in Boundary \(deleted outside Pulumi\)/);
                const recreated = await boundaryProvider.create(changed);
                assert.notStrictEqual(recreated.id, created.id);

                await boundaryProvider.delete!(recreated.id, changed);
                assert.strictEqual(server.items.has(recreated.id), false);
                await boundaryProvider.delete!(recreated.id, changed);
                assertClean(server);
            });
        }

        it("creates no ssh target unless the build registers it (community: 400 \"Unknown type provided.\")", async () => {
            const inputs: BoundaryResourceInputs = {
                boundaryKind: "target", collection: "targets", connection, meta: {}, actions: {},
                fields: { scope_id: parents.project, name: "alpha-ssh", type: "ssh", attributes: { default_port: 22 } },
            };
            if (edition === "community") {
                await assert.rejects(boundaryProvider.create(inputs), /boundary target "alpha-ssh": create: POST \/v1\/targets: 400 InvalidArgument: Error in provided request\. \(type: Unknown type provided\.\)/);
            } else {
                const created = await boundaryProvider.create(inputs);
                assert.match(created.id, /^tssh_/);
            }
        });

        it("refuses an injected credential on a tcp target (internal/target/tcp/register.go: brokered only)", async () => {
            const inputs: BoundaryResourceInputs = {
                boundaryKind: "target", collection: "targets", connection, meta: {},
                fields: { scope_id: parents.project, name: "alpha-tcp", type: "tcp", attributes: { default_port: 22 } },
                actions: { "set-credential-sources": { injected_application_credential_source_ids: [parents.library] } },
            };
            await assert.rejects(boundaryProvider.create(inputs), /500 Internal: Unable to set credential sources in target: .*tcp\.Target only supports credential purpose: "brokered"/);
            assert.deepStrictEqual(server.byName("targets", "alpha-tcp"), [], "a half-made target is removed so the next up starts clean");
        });

        it("refuses unknown attribute keys with 400, and discards unknown top-level fields", async () => {
            const client = new BoundaryClient(connection, { subject: "boundary target \"t\"" });
            await assert.rejects(client.create("targets", { scope_id: parents.project, name: "t", type: "tcp", attributes: { default_port: 22, port: 22 } }),
                /400 InvalidArgument: Error in provided request\. \(attributes: Attribute fields do not match the expected format\.\)/);
            const created = await client.create("targets", { scope_id: parents.project, name: "t", type: "tcp", attributes: { default_port: 22 }, colour: "blue" });
            assert.strictEqual(created.colour, undefined);
            assert.deepStrictEqual(server.requests[server.requests.length - 1].discarded, ["colour"]);
        });
    });
}

describe("Boundary dynamic provider: retries and errors", () => {
    let server: BoundaryConformanceServer;
    let inputs: BoundaryResourceInputs;

    beforeEach(async () => {
        server = new BoundaryConformanceServer();
        await server.start();
        const connection = connectionTo(server);
        const client = new BoundaryClient(connection);
        const org = await client.create("scopes", { scope_id: "global", name: "engineering" });
        const project = await client.create("scopes", { scope_id: org.id, name: "alpha" });
        inputs = {
            boundaryKind: "target", collection: "targets", connection, meta: {}, actions: {},
            fields: { scope_id: project.id, name: "alpha-alice", type: "tcp", session_max_seconds: 28800, attributes: { default_port: 22 } },
        };
    });
    afterEach(() => server.stop());

    it("a lost create response is adopted once: one target exists and Pulumi records its id", async () => {
        server.loseResponses = 1;
        const created = await boundaryProvider.create(inputs);
        assert.deepStrictEqual(server.byName("targets", "alpha-alice").map((item) => item.id), [created.id]);
        await assert.rejects(boundaryProvider.create(inputs), /boundary target "alpha-alice": create: the name "alpha-alice" is taken/);
    });

    it("retries a 503 with back-off during create", async () => {
        server.failBefore = 2;
        const created = await boundaryProvider.create(inputs);
        assert.ok(server.items.has(created.id));
    });

    it("check reports an empty name or description before anything is sent", async () => {
        const bad = { ...inputs, fields: { ...inputs.fields, name: "", description: "" } };
        const checked = await boundaryProvider.check!(inputs, bad);
        assert.deepStrictEqual(checked.failures!.map((f) => f.property), ["fields.name", "fields.description"]);
        assert.strictEqual(server.requests.length, 2 + 1, "only the setup's login and two creates... no request from check");
    });

    it("an update clears a field that is no longer set with null (the API's way to unset)", async () => {
        const described = { ...inputs, fields: { ...inputs.fields, description: "alice's sandbox" } };
        const created = await boundaryProvider.create(described);
        await boundaryProvider.update!(created.id, described, inputs);
        assert.strictEqual(server.items.get(created.id)!.description, undefined);
        const patch = server.requests.find((r) => r.method === "PATCH")!;
        assert.deepStrictEqual(patch.body, { description: null, version: 1 });
    });
});
