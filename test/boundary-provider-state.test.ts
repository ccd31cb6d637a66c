// Issue 25, item 1: Boundary resources' state names the installed provider module
// instead of carrying its code, and state written by the earlier version (the whole
// provider serialized into `__provider`) still refreshes, updates and deletes. Every
// call goes through the SDK's own dynamic-provider host over gRPC, started as the CLI
// starts it (test/helpers/dynamic-provider-host.ts), against the Boundary conformance
// server (derived from Boundary's OpenAPI document).

import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { boundaryProvider } from "../components/access/boundary/provider";
import { boundaryProviderModule, boundaryProviderText, installedBoundaryProvider } from "../components/access/boundary/provider-reference";
import { Target } from "../components/access/boundary/resources";
import { BoundaryConformanceServer } from "./helpers/boundary-server";
import { captureRegistrations, dynamicRequest, registered } from "./helpers/capturing-monitor";
import { DynamicProviderHost, Props, assertInstalledCopy, projectDir, providerOfText } from "./helpers/dynamic-provider-host";
import { withHostInFreshClone } from "./helpers/fresh-clone";

/** What @pulumi/pulumi dynamic/index.js serializeProvider stores as `__provider`. */
async function serializedAsTheSdkDoes(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
    return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
}

describe("Boundary provider state: a require of the installed module, not the provider's code (issue 25)", function () {
    this.timeout(120_000);
    let server: BoundaryConformanceServer;
    let project: string;
    let connection: Props;
    /** `__provider` as the earlier version wrote it: the provider's whole closure. */
    let closureText: string;
    /** `__provider` as this version writes it (provider-reference.ts boundaryProviderText). */
    const referenceText = boundaryProviderText;
    /** `__provider` as the previous version wrote it: the SDK's serialization of the same reference (275 bytes). */
    let serializedReferenceText: string;

    before(async () => {
        closureText = await serializedAsTheSdkDoes(boundaryProvider);
        serializedReferenceText = await serializedAsTheSdkDoes(installedBoundaryProvider());
    });
    beforeEach(async () => {
        server = new BoundaryConformanceServer({ edition: "community" });
        await server.start();
        connection = { address: server.address, authMethodId: server.login.authMethodId, loginName: server.login.loginName, password: server.login.password, retry: { attempts: 3, backoffMs: 1 } };
        project = await server.seedProject();
    });
    afterEach(() => server.stop());

    const targetInputs = (name: string, provider: string, sessionMaxSeconds = 28800): Props => ({
        boundaryKind: "target", collection: "targets", meta: { developers: [name] }, connection, actions: {},
        fields: { scope_id: project, name, type: "tcp", session_max_seconds: sessionMaxSeconds, attributes: { default_port: 22 } },
        __provider: provider,
    });
    /** Requests that would change something in Boundary (logins and reads excepted). */
    const boundaryWrites = () => server.requests.filter((r) => r.method !== "GET" && !r.path.includes("authenticate")).length;

    /**
     * A target created with `oldText` as its `__provider`, refreshed by the old text, then `pulumi up` with
     * this version: Check keeps the program's text, Diff sees the move, Update rewrites state only.
     */
    async function moveToProgramText(host: DynamicProviderHost, name: string, oldText: string) {
        const oldInputs = targetInputs(name, oldText);
        const created = await host.create(oldInputs);
        assert.strictEqual(created.properties.__provider, oldText);
        // `pulumi refresh` before any `up` with this version: the old text still runs.
        const refreshed = await host.read(created.id, created.properties, oldInputs);
        assert.strictEqual(refreshed.id, created.id);
        assert.strictEqual(refreshed.properties.__provider, oldText);

        const checked = await host.check(refreshed.properties, targetInputs(name, referenceText));
        assert.deepStrictEqual(checked.failures, []);
        assert.strictEqual(checked.inputs.__provider, referenceText);
        assert.deepStrictEqual(await host.diff(created.id, refreshed.properties, checked.inputs), { changes: "some", replaces: [], deleteBeforeReplace: true });
        const sentBefore = boundaryWrites();
        const updated = await host.update(created.id, refreshed.properties, checked.inputs);
        assert.strictEqual(updated.properties.__provider, referenceText, "outputs now hold only the program's text");
        assert.strictEqual(boundaryWrites(), sentBefore, "the move changed nothing in Boundary");
        return { created, checked, updated };
    }

    /** `pulumi destroy` of a target whose state this version never touched (created with `oldText`): the old text deletes it, and nothing broke Boundary's rules. */
    async function destroysUntouched(host: DynamicProviderHost, name: string, oldText: string): Promise<void> {
        const untouched = await host.create(targetInputs(name, oldText));
        await host.delete(untouched.id, untouched.properties);
        assert.strictEqual(server.items.has(untouched.id), false);
        assert.deepStrictEqual(server.violations, []);
    }

    it("serializes to a require of the installed module: no client code, a few hundred bytes instead of the closure", () => {
        assert.match(referenceText, new RegExp(`require\\("${boundaryProviderModule}"\\)`));
        assert.doesNotMatch(referenceText, /no Boundary token, and no auth method/, "the client's code is not in it");
        assert.match(closureText, /no Boundary token, and no auth method/, "the earlier closure did carry it");
        assert.ok(referenceText.length < 600, `reference is ${referenceText.length} bytes`);
        assert.ok(closureText.length > 20 * referenceText.length, `closure ${closureText.length} bytes, reference ${referenceText.length}`);
    });

    it("the installed module is a copy under node_modules (what lets the serializer name it), loading this checkout's provider", () => {
        assertInstalledCopy(boundaryProviderModule, "boundary-provider");
        assert.strictEqual(typeof installedBoundaryProvider().diff, "function");
    });

    it("state written with the whole closure refreshes, moves to the reference in one no-op update, then refreshes and deletes (the SDK's host)", async () => {
        const host = await DynamicProviderHost.start(projectDir);
        try {
            // As the earlier version created it: inputs and outputs carry the closure.
            const { created, checked, updated } = await moveToProgramText(host, "alpha-alice", closureText);
            assert.match(created.id, /^ttcp_/);
            assert.ok(JSON.stringify(updated.properties).length < JSON.stringify(created.properties).length - 20_000);

            // Once moved, the same program has nothing to do; a real change is still an update.
            assert.strictEqual((await host.diff(created.id, updated.properties, checked.inputs)).changes, "none");
            const shorter = targetInputs("alpha-alice", referenceText, 3600);
            assert.deepStrictEqual(await host.diff(created.id, updated.properties, shorter), { changes: "some", replaces: [], deleteBeforeReplace: true });
            const changed = await host.update(created.id, updated.properties, shorter);
            assert.strictEqual(server.items.get(created.id)?.session_max_seconds, 3600);

            // Refresh and destroy with the new state: the reference loads the installed module.
            const reread = await host.read(created.id, changed.properties, shorter);
            assert.strictEqual((reread.properties.fields as Props).session_max_seconds, 3600);
            await host.delete(created.id, reread.properties);
            assert.strictEqual(server.items.has(created.id), false);

            // `pulumi destroy` of state never touched by this version: the old closure deletes it.
            await destroysUntouched(host, "alpha-bob", closureText);
        } finally {
            host.stop();
        }
    });

    it("the program's own text is shorter than the SDK's serialization of the same reference, and names the same module", () => {
        assert.match(serializedReferenceText, new RegExp(`require\\("${boundaryProviderModule}"\\)`));
        assert.strictEqual(providerOfText(referenceText), installedBoundaryProvider(), "the handler returns the installed module's provider");
        assert.ok(referenceText.length * 3 < serializedReferenceText.length, `text ${referenceText.length} bytes, the SDK's ${serializedReferenceText.length}`);
    });

    it("state written by the previous version (the SDK-serialized reference) moves to the program's text in one no-op update, then refreshes and deletes (the SDK's host)", async () => {
        const host = await DynamicProviderHost.start(projectDir);
        try {
            // The serialized reference still loads the module for the refresh before the move.
            const { created, checked, updated } = await moveToProgramText(host, "alpha-dave", serializedReferenceText);
            assert.strictEqual(JSON.stringify(created.properties).length - JSON.stringify(updated.properties).length,
                JSON.stringify(serializedReferenceText).length - JSON.stringify(referenceText).length, "only the provider text shrank");
            assert.strictEqual((await host.diff(created.id, updated.properties, checked.inputs)).changes, "none");

            const reread = await host.read(created.id, updated.properties, checked.inputs);
            assert.strictEqual(reread.properties.__provider, referenceText);
            await host.delete(created.id, reread.properties);
            assert.strictEqual(server.items.has(created.id), false);

            // `pulumi destroy` of state this version never touched.
            await destroysUntouched(host, "alpha-erin", serializedReferenceText);
        } finally {
            host.stop();
        }
    });

    it("refresh and destroy from a fresh clone after `npm ci`: the host resolves the module from the clone's node_modules and builds it", async function () {
        // A fresh clone: the files git would hand out, no bin/, and node_modules as `npm ci` lays it
        // out (the packages, plus a copy of packages/boundary-provider): test/helpers/fresh-clone.ts.
        // Created by this version in the original checkout...
        const original = await DynamicProviderHost.start(projectDir);
        let created: { id: string; properties: Props };
        try {
            created = await original.create(targetInputs("alpha-carol", referenceText));
        } finally {
            original.stop();
        }
        // ...refreshed and destroyed from the clone, which never ran the program.
        await withHostInFreshClone(projectDir, boundaryProviderModule, path.join("bin", "components", "access", "boundary", "provider.js"), async (host) => {
            const refreshed = await host.read(created.id, created.properties, targetInputs("alpha-carol", referenceText));
            assert.strictEqual(refreshed.id, created.id);
            await host.delete(created.id, refreshed.properties);
        });
        assert.strictEqual(server.items.has(created.id), false);
    });
});

describe("Boundary resources register as the SDK's dynamic resources do, with the program's provider text (issue 25)", function () {
    this.timeout(60_000);

    it("sends the engine the same request as pulumi.dynamic.Resource with the installed provider, apart from name, call site and __provider", async () => {
        const requests = await captureRegistrations("sandbox-platform", "registration");
        const connection = { address: "https://boundary.example.com", token: "at_secret" };
        const ours = new Target("ours", {
            connection, scopeId: "p_1234567890", name: "alpha-alice", type: "ssh", defaultPort: 22, sessionMaxSeconds: 28800,
            hostSourceIds: ["hsst_1234567890"], injectedCredentialSourceIds: ["clvsclt_1234567890"], developers: ["alice"],
        });
        // The previous version's registration: the SDK's dynamic resource, whose __provider the closure serializer writes.
        class SdkDynamic extends pulumi.dynamic.Resource {}
        const sdk = new SdkDynamic(installedBoundaryProvider(), "sdk", {
            boundaryKind: "target", collection: "targets", connection: pulumi.secret(connection),
            fields: { scope_id: "p_1234567890", name: "alpha-alice", type: "ssh", session_max_seconds: 28800, attributes: { default_port: 22 } },
            actions: {
                "set-host-sources": { host_source_ids: ["hsst_1234567890"] },
                "set-credential-sources": { injected_application_credential_source_ids: ["clvsclt_1234567890"] },
            },
            meta: { developers: ["alice"] },
        }, { additionalSecretOutputs: ["connection", "secretAttributes"] });
        await Promise.all([registered(ours), registered(sdk)]);

        const [mine, theirs] = [dynamicRequest(requests, "ours"), dynamicRequest(requests, "sdk")];
        assert.deepStrictEqual(mine.fields, theirs.fields, "type, parent, custom, options and dependencies as the SDK's dynamic resource sends them");
        assert.strictEqual(mine.fields.type, "pulumi-nodejs:dynamic:Resource");
        // Every input is reported with its dependencies, an empty list when none (what the engine stores as propertyDependencies).
        const propertyDependencies = mine.fields.propertydependenciesMap as [string, { urnsList: string[] }][];
        assert.deepStrictEqual(propertyDependencies.map(([key]) => key).sort(), [...Object.keys(mine.inputs), "__provider"].sort());
        assert.ok(propertyDependencies.every(([, dependencies]) => dependencies.urnsList.length === 0));
        assert.deepStrictEqual(mine.inputs, theirs.inputs, "the same inputs");
        assert.deepStrictEqual(mine.inputs.connection, { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: connection }, "the connection is sent as a secret");
        assert.strictEqual(mine.provider, boundaryProviderText);
        assert.strictEqual(theirs.provider, await serializedAsTheSdkDoes(installedBoundaryProvider()));
    });
});
