import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BoundaryApiError, BoundaryClient } from "../components/access/boundary/client";
import { boundaryProvider, BoundaryResourceInputs } from "../components/access/boundary/provider";
import { FakeBoundary } from "./helpers/fake-boundary";

describe("Boundary HTTP client against a loopback Boundary API", () => {
    let boundary: FakeBoundary;
    let connection: { address: string; authMethodId: string; loginName: string; password: string };
    const fast = { backoffMs: 1 };

    beforeEach(async () => {
        boundary = new FakeBoundary();
        const address = await boundary.start();
        connection = { address, authMethodId: boundary.login.authMethodId, loginName: boundary.login.loginName, password: boundary.login.password };
    });
    afterEach(() => boundary.stop());

    it("logs in with the password auth method and sends the token as a bearer", async () => {
        const client = new BoundaryClient(connection, fast);
        const scope = await client.create("scopes", { scope_id: "global", name: "engineering" });
        assert.match(scope.id, /^sco_/);
        const calls = boundary.requests.map((r) => `${r.method} ${r.path}`);
        assert.deepStrictEqual(calls, ["POST /v1/auth-methods/ampw_1234567890:authenticate", "POST /v1/scopes"]);
        assert.match(boundary.requests[1].authorization!, /^Bearer at_\d+$/);
    });

    it("surfaces Boundary's own error message for a refused login", async () => {
        const client = new BoundaryClient({ ...connection, password: "wrong" }, fast);
        await assert.rejects(client.create("scopes", { scope_id: "global", name: "x" }), /401 Unauthenticated: Unable to authenticate\./);
    });

    it("surfaces Boundary's error kind, message and field details", async () => {
        const client = new BoundaryClient(connection, fast);
        await assert.rejects(client.create("targets", { name: "t" }), (error: unknown) => {
            assert.ok(error instanceof BoundaryApiError);
            assert.strictEqual(error.status, 400);
            assert.match(error.message, /POST \/v1\/targets: 400 InvalidArgument: Invalid request\. \(scope_id: Required field\.\)/);
            return true;
        });
    });

    it("updates with the item's current version, even after someone else changed it", async () => {
        const client = new BoundaryClient(connection, fast);
        const target = await client.create("targets", { scope_id: "p_1", name: "alpha-alice", type: "tcp", session_max_seconds: 3600 });
        const other = new BoundaryClient(connection, fast);
        await other.update("targets", target.id, { description: "changed elsewhere" });
        const updated = await client.update("targets", target.id, { session_max_seconds: 7200 });
        assert.strictEqual(updated.version, 3);
        assert.strictEqual(updated.session_max_seconds, 7200);
        const patches = boundary.requests.filter((r) => r.method === "PATCH");
        assert.deepStrictEqual(patches.map((r) => r.body.version), [1, 2]);
    });

    it("applies item actions at the current version", async () => {
        const client = new BoundaryClient(connection, fast);
        const target = await client.create("targets", { scope_id: "p_1", name: "t", type: "tcp" });
        await client.action("targets", target.id, "set-host-sources", { host_source_ids: ["hsst_1"] });
        const stored = await client.read("targets", target.id);
        assert.deepStrictEqual(stored!.host_source_ids, ["hsst_1"]);
        assert.strictEqual(stored!.version, 2);
        assert.ok(boundary.requests.some((r) => r.path === `/v1/targets/${target.id}:set-host-sources` && r.body.version === 1));
    });

    it("retries transient failures with back-off and gives up with the last error", async () => {
        const client = new BoundaryClient(connection, { backoffMs: 1, attempts: 3 });
        boundary.failBefore = 2;
        const scope = await client.create("scopes", { scope_id: "global", name: "org" });
        assert.ok(scope.id);
        boundary.failBefore = 3;
        await assert.rejects(client.read("scopes", scope.id), /503 Unavailable: controller is restarting/);
    });

    it("adopts the item a lost response had already created instead of creating it twice", async () => {
        const client = new BoundaryClient(connection, fast);
        await client.login();
        boundary.loseResponses = 1;
        const scope = await client.create("scopes", { scope_id: "global", name: "engineering" });
        const scopes = [...boundary.items.values()].filter((item) => item.collection === "scopes");
        assert.strictEqual(scopes.length, 1);
        assert.strictEqual(scope.id, scopes[0].id);
    });

    it("treats deleting an item that is already gone as done, and reading it as absent", async () => {
        const client = new BoundaryClient(connection, fast);
        const scope = await client.create("scopes", { scope_id: "global", name: "gone" });
        await client.delete("scopes", scope.id);
        await client.delete("scopes", scope.id);
        assert.strictEqual(await client.read("scopes", scope.id), undefined);
    });
});

describe("Boundary dynamic provider", () => {
    let boundary: FakeBoundary;
    let inputs: BoundaryResourceInputs;

    beforeEach(async () => {
        boundary = new FakeBoundary();
        const address = await boundary.start();
        inputs = {
            boundaryKind: "target", collection: "targets",
            connection: { address, authMethodId: boundary.login.authMethodId, loginName: boundary.login.loginName, password: boundary.login.password },
            fields: { scope_id: "p_1", name: "alpha-alice", type: "tcp", session_max_seconds: 28800, attributes: { default_port: 22 } },
            actions: { "set-host-sources": { host_source_ids: ["hsst_1"] } },
            meta: { developers: ["alice"] },
        };
    });
    afterEach(() => boundary.stop());

    it("creates, updates only what changed, and deletes", async () => {
        const created = await boundaryProvider.create(inputs);
        const item = boundary.items.get(created.id)!;
        assert.deepStrictEqual(item.host_source_ids, ["hsst_1"]);
        const renamed = { ...inputs, fields: { ...inputs.fields, session_max_seconds: 3600 } };
        const diff = await boundaryProvider.diff!(created.id, created.outs, renamed);
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
        const before = boundary.requests.length;
        await boundaryProvider.update!(created.id, created.outs, renamed);
        const writes = boundary.requests.slice(before).filter((r) => r.method !== "GET" && !r.path.endsWith(":authenticate"));
        assert.deepStrictEqual(writes.map((r) => r.method), ["PATCH"]);
        assert.strictEqual(boundary.items.get(created.id)!.session_max_seconds, 3600);
        await boundaryProvider.delete!(created.id, renamed);
        assert.strictEqual(boundary.items.has(created.id), false);
    });

    it("replaces an item whose scope or type changes, and ignores a new login secret", async () => {
        const moved = { ...inputs, fields: { ...inputs.fields, scope_id: "p_2" } };
        assert.deepStrictEqual((await boundaryProvider.diff!("t_1", inputs, moved)).replaces, ["fields.scope_id"]);
        const newPassword = { ...inputs, connection: { ...inputs.connection, password: "rotated" } };
        assert.strictEqual((await boundaryProvider.diff!("t_1", inputs, newPassword)).changes, false);
    });

    it("serializes into state without capturing any module", async () => {
        const serialized = await pulumi.runtime.serializeFunction(() => boundaryProvider);
        assert.doesNotMatch(serialized.text, /require\(/);
        assert.match(serialized.text, /no token, and no auth method, login name and password to log in with/, "the client travels with the provider");
    });
});
