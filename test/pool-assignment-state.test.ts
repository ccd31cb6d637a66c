// Issue 25, second pass: a warm-pool assignment's state names the installed provider module
// (packages/pool-assignment-provider) instead of carrying the provider's code, and state
// written by the previous version (the provider serialized by the SDK's closure serializer,
// test/fixtures/pool-assignment-provider-closure.json, generated from that version's build)
// still refreshes, updates and deletes, keeping every developer's pool member. Every call
// goes through the SDK's own dynamic-provider host over gRPC, started as the CLI starts it
// (test/helpers/dynamic-provider-host.ts).

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    PoolAssignment, installedPoolAssignmentProvider, poolAssignmentKind, poolAssignmentProviderModule, poolAssignmentProviderText,
} from "../components/sandboxes/pool-assignment-resource";
import { captureRegistrations, dynamicRequest, registered } from "./helpers/capturing-monitor";
import { DynamicProviderHost, Props, assertInstalledCopy, projectDir, providerOfText } from "./helpers/dynamic-provider-host";
import { withHostInFreshClone } from "./helpers/fresh-clone";

/** `__provider` as the previous version (commit in the fixture) stored it. */
const closureText: string = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "pool-assignment-provider-closure.json"), "utf8")).text;

/** What @pulumi/pulumi dynamic/index.js serializeProvider stores as `__provider`. */
async function serializedAsTheSdkDoes(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
    return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
}

/** The inputs a pool assignment registers (pool-assignment-resource.ts), with a given provider text. */
const poolInputs = (developers: string[], poolSize: number, provider: string): Props => ({
    kind: poolAssignmentKind, team: "alpha", developers, poolSize, __provider: provider,
});

describe("pool-assignment state: a require of the installed module, not the provider's code (issue 25)", function () {
    this.timeout(120_000);

    it("the previous version's state carried the provider's code; the program's text is a one-line require of the installed module", () => {
        assert.match(closureText, /pool assignment: .* developers do not fit/, "the fixture is the closure, assignPoolMembers and all");
        assert.doesNotMatch(closureText, /require\(/);
        assert.strictEqual(poolAssignmentProviderText, `exports.handler = () => require("${poolAssignmentProviderModule}");\n`);
        assert.ok(closureText.length > 30 * poolAssignmentProviderText.length, `closure ${closureText.length} bytes, text ${poolAssignmentProviderText.length}`);
    });

    it("the installed module is a copy under node_modules, and the text loads it as the host does (requireFromString(text).handler())", () => {
        assertInstalledCopy(poolAssignmentProviderModule, "pool-assignment-provider");
        assert.strictEqual(providerOfText(poolAssignmentProviderText), installedPoolAssignmentProvider());
        assert.strictEqual(typeof installedPoolAssignmentProvider().diff, "function");
    });

    it("state written with the closure refreshes, moves to the text in one update that keeps every assignment, then grows, refreshes and deletes (the SDK's host)", async () => {
        const host = await DynamicProviderHost.start(projectDir);
        try {
            // As the previous version created it: inputs and outputs carry the closure.
            const oldInputs = poolInputs(["alice", "bob", "carol"], 4, closureText);
            const created = await host.create(oldInputs);
            assert.strictEqual(created.id, "alpha-pool-assignment");
            assert.strictEqual(created.properties.__provider, closureText);
            // A roster change under the old version, so that the assignment is not the one a fresh create would make.
            const shrunk = await host.update(created.id, created.properties, poolInputs(["bob", "carol"], 4, closureText));
            const assignments = shrunk.properties.assignments as Record<string, number>;
            assert.deepStrictEqual(assignments, { bob: 1, carol: 2 });

            // `pulumi refresh` before any `up` with this version: the old closure still answers (it has no read: props come back as they are).
            const refreshed = await host.read(created.id, shrunk.properties, poolInputs(["bob", "carol"], 4, closureText));
            assert.deepStrictEqual(refreshed.properties, shrunk.properties);

            // `pulumi up` with this version and the same roster: Check keeps the new text, Diff sees the move,
            // Update rewrites the state and keeps every developer on their member.
            const checked = await host.check(refreshed.properties, poolInputs(["bob", "carol"], 4, poolAssignmentProviderText));
            assert.deepStrictEqual(checked.failures, []);
            assert.strictEqual(checked.inputs.__provider, poolAssignmentProviderText);
            assert.deepStrictEqual(await host.diff(created.id, refreshed.properties, checked.inputs), { changes: "some", replaces: [], deleteBeforeReplace: false });
            const moved = await host.update(created.id, refreshed.properties, checked.inputs);
            assert.strictEqual(moved.properties.__provider, poolAssignmentProviderText, "outputs now hold only the text");
            assert.deepStrictEqual(moved.properties.assignments, assignments, "the move kept every assignment");
            assert.ok(JSON.stringify(moved.properties).length < JSON.stringify(refreshed.properties).length - 2_000);

            // Once moved, the same program has nothing to do; a roster change is an update that keeps the others' members.
            assert.strictEqual((await host.diff(created.id, moved.properties, checked.inputs)).changes, "none");
            const grown = poolInputs(["bob", "carol", "dave", "erin"], 4, poolAssignmentProviderText);
            assert.strictEqual((await host.diff(created.id, moved.properties, grown)).changes, "some");
            const updated = await host.update(created.id, moved.properties, grown);
            assert.deepStrictEqual(updated.properties.assignments, { bob: 1, carol: 2, dave: 0, erin: 3 });
            assert.deepStrictEqual((await host.diff(created.id, updated.properties, { ...grown, team: "beta" })).replaces, ["team"]);

            // Refresh and destroy with the new state.
            const reread = await host.read(created.id, updated.properties, grown);
            assert.deepStrictEqual(reread.properties, updated.properties);
            await host.delete(created.id, reread.properties);

            // `pulumi destroy` of state this version never touched: the old closure deletes it (no delete: the entry just goes).
            const untouched = await host.create(poolInputs(["frank"], 1, closureText));
            await host.delete(untouched.id, untouched.properties);
        } finally {
            host.stop();
        }
    });

    it("refresh and destroy from a fresh clone after `npm ci`: the host resolves the module from the clone's node_modules and builds it", async () => {
        const original = await DynamicProviderHost.start(projectDir);
        let created: { id: string; properties: Props };
        try {
            created = await original.create(poolInputs(["alice", "bob"], 2, poolAssignmentProviderText));
        } finally {
            original.stop();
        }
        await withHostInFreshClone(projectDir, poolAssignmentProviderModule, path.join("bin", "components", "sandboxes", "pool-assignment-provider.js"), async (host) => {
            const refreshed = await host.read(created.id, created.properties, poolInputs(["alice", "bob"], 2, poolAssignmentProviderText));
            assert.deepStrictEqual(refreshed.properties, created.properties);
            // The next `up` from the clone: a roster change goes through the clone's build.
            const updated = await host.update(created.id, refreshed.properties, poolInputs(["bob", "carol"], 2, poolAssignmentProviderText));
            assert.deepStrictEqual(updated.properties.assignments, { bob: 1, carol: 0 });
            await host.delete(created.id, updated.properties);
        });
    });
});

describe("pool assignments register as the SDK's dynamic resources do, with the program's provider text (issue 25)", function () {
    this.timeout(60_000);

    it("sends the engine the same request as pulumi.dynamic.Resource with the installed provider, apart from name, call site and __provider", async () => {
        const requests = await captureRegistrations("sandbox-platform", "registration");
        const args = { team: "alpha", developers: ["alice", "bob"], poolSize: 3 };
        const ours = new PoolAssignment("ours", args);
        // The previous version's registration: the SDK's dynamic resource, whose __provider the closure serializer writes.
        class SdkDynamic extends pulumi.dynamic.Resource {}
        const sdk = new SdkDynamic(installedPoolAssignmentProvider(), "sdk", { kind: poolAssignmentKind, ...args, assignments: undefined });
        await Promise.all([registered(ours), registered(sdk)]);

        const [mine, theirs] = [dynamicRequest(requests, "ours"), dynamicRequest(requests, "sdk")];
        assert.deepStrictEqual(mine.fields, theirs.fields, "type, parent, custom, options and dependencies as the SDK's dynamic resource sends them");
        assert.strictEqual(mine.fields.type, "pulumi-nodejs:dynamic:Resource");
        assert.deepStrictEqual(mine.inputs, theirs.inputs, "the same inputs");
        assert.deepStrictEqual(mine.inputs, { kind: poolAssignmentKind, ...args });
        assert.strictEqual(mine.provider, poolAssignmentProviderText);
        assert.strictEqual(theirs.provider, await serializedAsTheSdkDoes(installedPoolAssignmentProvider()));
        assert.match(theirs.provider as string, new RegExp(`require\\("${poolAssignmentProviderModule}"\\)`), "the SDK names the installed module too");
    });
});
