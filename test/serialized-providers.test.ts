// Every dynamic provider of the project, serialized with the SDK's own closure
// serializer (as @pulumi/pulumi dynamic/index.js serializeProvider does:
// serializeFunction(() => provider, { allowSecrets: true })), loaded in a fresh
// Node process the way the dynamic-provider host does (cmd/dynamic-provider/index.js:
// requireFromString(text).handler()), and driven through check/diff/create/update/
// read/delete against the Boundary conformance server. Errors must arrive with
// their message, because the host reports `e.message` to the engine.

import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as pulumi from "@pulumi/pulumi";
import { boundaryProvider, BoundaryResourceInputs } from "../components/access/boundary/provider";
import { poolAssignmentProvider } from "../components/sandboxes/pool-assignment-provider";
import { BoundaryConformanceServer } from "./helpers/boundary-server";

const run = promisify(execFile);
const host = path.join(__dirname, "helpers", "serialized-provider-host.js");

interface Step { name: string; op: string; args: unknown[] }
interface Outcome { name: string; result?: any; error?: string; absent?: boolean }

async function serialize(provider: pulumi.dynamic.ResourceProvider | (() => unknown)): Promise<string> {
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return serialized.text;
}

/** Runs the script in a fresh `node` (async: the conformance server lives in this process). */
async function runSerialized(text: string, script: Step[]): Promise<Record<string, Outcome>> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "serialized-provider-"));
    try {
        fs.writeFileSync(path.join(dir, "provider.js"), text);
        fs.writeFileSync(path.join(dir, "script.json"), JSON.stringify(script));
        const { stdout } = await run(process.execPath, [host, path.join(dir, "provider.js"), path.join(dir, "script.json")], { cwd: path.join(__dirname, "..") });
        const outcomes = stdout.trim().split("\n").map((line) => JSON.parse(line) as Outcome);
        return Object.fromEntries(outcomes.map((outcome) => [outcome.name, outcome]));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("serialized dynamic providers (the SDK's closure serializer and dynamic-provider host)", function () {
    this.timeout(60_000);

    it("every dynamic provider in components/ is one this suite serializes", () => {
        const found: string[] = [];
        const walk = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    walk(full);
                } else if (entry.name.endsWith(".ts") && /dynamic\.ResourceProvider\s*=/.test(fs.readFileSync(full, "utf8"))) {
                    found.push(path.relative(path.join(__dirname, ".."), full));
                }
            }
        };
        walk(path.join(__dirname, "..", "components"));
        assert.deepStrictEqual(found.sort(), ["components/access/boundary/provider.ts", "components/sandboxes/pool-assignment-provider.ts"]);
    });

    it("the SDK's serializer loses the message of a class that extends Error (why the providers throw plain Errors)", async () => {
        class SubclassedError extends Error {
            constructor(message: string) {
                super(message);
            }
        }
        const provider = { async create() { throw new SubclassedError("boundary said no"); } };
        const outcomes = await runSerialized(await serialize(provider as unknown as pulumi.dynamic.ResourceProvider), [{ name: "create", op: "create", args: [{}] }]);
        // The serializer rewrites the class into a function whose constructor calls Error.call(this, message),
        // which returns a new Error and leaves `this.message` unset (sdk/nodejs/runtime/closure/createClosure.ts).
        // The thrown object is not even an Error: no message, no stack.
        assert.strictEqual(outcomes.create.result, undefined, "create threw");
        assert.strictEqual(outcomes.create.error, undefined, "the message is gone");
        assert.strictEqual((outcomes.create as { hasStack?: boolean }).hasStack, false);
    });

    for (const edition of ["community", "enterprise"] as const) {
        describe(`the Boundary provider, ${edition} edition`, () => {
            let server: BoundaryConformanceServer;
            let text: string;
            let base: Omit<BoundaryResourceInputs, "fields" | "actions">;
            let project: string;

            before(async () => {
                text = await serialize(boundaryProvider);
            });
            beforeEach(async () => {
                server = new BoundaryConformanceServer({ edition });
                await server.start();
                base = {
                    boundaryKind: "target", collection: "targets", meta: {},
                    connection: { address: server.address, authMethodId: server.login.authMethodId, loginName: server.login.loginName, password: server.login.password, retry: { attempts: 3, backoffMs: 1 } },
                };
                project = await server.seedProject();
            });
            afterEach(() => server.stop());

            it("captures no module and carries the client with it", () => {
                assert.doesNotMatch(text, /require\(/);
                assert.match(text, /no Boundary token, and no auth method, login name and password to log in with/);
            });

            it("runs check, create, read, diff, update and delete from the serialized text", async () => {
                const inputs = { ...base, fields: { scope_id: project, name: "alpha-alice", type: edition === "community" ? "tcp" : "ssh", session_max_seconds: 28800, attributes: { default_port: 22 } }, actions: {} };
                const changed = { ...inputs, fields: { ...inputs.fields, session_max_seconds: 3600 } };
                const outcomes = await runSerialized(text, [
                    { name: "check", op: "check", args: [{}, inputs] },
                    { name: "create", op: "create", args: [inputs] },
                    { name: "read", op: "read", args: ["$create", inputs] },
                    { name: "diff", op: "diff", args: ["$create", inputs, changed] },
                    { name: "update", op: "update", args: ["$create", inputs, changed] },
                    { name: "delete", op: "delete", args: ["$create", changed] },
                    { name: "gone", op: "read", args: ["$create", changed] },
                ]);
                assert.deepStrictEqual(outcomes.check.result.failures, []);
                assert.match(outcomes.create.result.id, edition === "community" ? /^ttcp_/ : /^tssh_/);
                assert.strictEqual(outcomes.read.result.id, outcomes.create.result.id);
                assert.deepStrictEqual([outcomes.diff.result.changes, outcomes.diff.result.replaces], [true, []]);
                assert.strictEqual(outcomes.update.error, undefined);
                assert.deepStrictEqual(outcomes.gone.result, {});
                assert.strictEqual(server.items.size, 2, "only the org and the project remain");
                assert.deepStrictEqual(server.violations, []);
            });

            it("keeps Boundary's message and the resource's name in every error it throws", async () => {
                const taken = { ...base, fields: { scope_id: project, name: "alpha-bob", type: "tcp", attributes: { default_port: 22 } }, actions: {} };
                const ssh = { ...base, fields: { scope_id: project, name: "alpha-carol", type: "ssh", attributes: { default_port: 22 } }, actions: {} };
                const badAttributes = { ...base, fields: { scope_id: project, name: "alpha-dave", type: "tcp", attributes: { port: 22 } }, actions: {} };
                const badLogin = { ...taken, connection: { ...base.connection, password: "wrong" } };
                const outcomes = await runSerialized(text, [
                    { name: "first", op: "create", args: [taken] },
                    { name: "duplicate", op: "create", args: [taken] },
                    { name: "ssh", op: "create", args: [ssh] },
                    { name: "attributes", op: "create", args: [badAttributes] },
                    { name: "login", op: "create", args: [badLogin] },
                    { name: "deletedThenUpdated", op: "delete", args: ["$first", taken] },
                    { name: "update", op: "update", args: ["$first", taken, { ...taken, fields: { ...taken.fields, session_max_seconds: 60 } }] },
                ]);
                assert.match(outcomes.duplicate.error!, /^boundary target "alpha-bob": create: the name "alpha-bob" is taken .*400 InvalidArgument: Invalid request\. {2}Request attempted to make second resource with the same field value that must be unique\.$/);
                if (edition === "community") {
                    assert.match(outcomes.ssh.error!, /^boundary target "alpha-carol": create: POST \/v1\/targets: 400 InvalidArgument: Error in provided request\. \(type: Unknown type provided\.\)$/);
                } else {
                    assert.match(outcomes.ssh.result.id, /^tssh_/);
                }
                assert.match(outcomes.attributes.error!, /^boundary target "alpha-dave": .*\(attributes: Attribute fields do not match the expected format\.\)$/);
                assert.match(outcomes.login.error!, /^boundary target "alpha-bob": log in as admin: .*401 Unauthenticated: Unable to authenticate\.$/);
                assert.match(outcomes.update.error!, /^boundary target "alpha-bob": update: targets\/ttcp_\w+ no longer exists in Boundary \(deleted outside Pulumi\)/);
            });

            it("adopts a lost create exactly once and retries through a 503, serialized", async () => {
                const inputs = { ...base, fields: { scope_id: project, name: "alpha-erin", type: "tcp", attributes: { default_port: 22 } }, actions: {} };
                server.loseResponses = 1;
                server.failBefore = 0;
                const outcomes = await runSerialized(text, [
                    { name: "create", op: "create", args: [inputs] },
                    { name: "again", op: "create", args: [inputs] },
                ]);
                assert.deepStrictEqual(server.byName("targets", "alpha-erin").map((item) => item.id), [outcomes.create.result.id]);
                assert.match(outcomes.again.error!, /is taken/);
            });
        });
    }

    describe("the pool-assignment provider", () => {
        it("runs diff, create, update and a missing delete from the serialized text, keeping assignments stable", async () => {
            const text = await serialize(poolAssignmentProvider);
            assert.doesNotMatch(text, /require\(/);
            const inputs = { kind: "sandbox-platform:sandboxes:PoolAssignment", team: "alpha", developers: ["alice", "bob"], poolSize: 2 };
            const grown = { ...inputs, developers: ["alice", "bob", "carol"], poolSize: 3 };
            const outcomes = await runSerialized(text, [
                { name: "check", op: "check", args: [{}, inputs] },
                { name: "create", op: "create", args: [inputs] },
                { name: "diff", op: "diff", args: ["alpha-pool-assignment", inputs, grown] },
                { name: "update", op: "update", args: ["alpha-pool-assignment", { ...inputs, assignments: { alice: 0, bob: 1 } }, grown] },
                { name: "delete", op: "delete", args: ["alpha-pool-assignment", grown] },
            ]);
            assert.strictEqual(outcomes.check.absent, true, "no check: the engine passes the inputs through");
            assert.strictEqual(outcomes.create.result.id, "alpha-pool-assignment");
            assert.strictEqual(outcomes.diff.result.changes, true);
            const before = outcomes.create.result.outs.assignments;
            const after = outcomes.update.result.outs.assignments;
            for (const developer of inputs.developers) {
                assert.strictEqual(after[developer], before[developer], `${developer} keeps their pool member`);
            }
            assert.strictEqual(outcomes.delete.absent, true, "no delete: the state entry simply goes");
        });
    });
});
