// Issue 25 (deploy model): the bench's state model and dependency depth.
//
// A Kubernetes object's outputs, as pulumi-kubernetes checkpoints them (provider/pkg/provider/
// provider.go checkpointObject), are the live object plus `__inputs` (its inputs again),
// `__initialApiVersion` and `__fieldManager`: the state model counts them so.
//
// The bench's dependency depth is the longest chain of the engine's
// deploy order, and the engine orders a create after every resource its inputs depend on, not
// only after `dependsOn` and the parent (pulumi/pulumi step_generator/deployment executor: a
// resource's dependencies are its explicit ones plus its property dependencies). In a render an
// input that holds another resource's id holds `<id:name>` (tools/mock-outputs.ts).

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanResource, dependencyDepth, stateBytes } from "../bench/state-size";
import { planJson } from "../tools/render-files";
import { renderStack } from "../tools/render-stack";

const resource = (name: string, fields: Partial<PlanResource> = {}): PlanResource => ({
    urn: `urn:pulumi:s::p::t::${name}`, type: "t", name, custom: true, options: { dependsOn: [] }, inputs: {}, ...fields,
});

describe("bench state model: a Kubernetes object's checkpoint (issue 25)", () => {
    const texts = { boundary: "", boundarySerializedReference: "", boundaryClosure: "", poolAssignment: "", poolAssignmentClosure: "" };
    const inputs = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "alpha-alice-sshd", namespace: "sbx-alpha" }, data: { principals: "alice\n" } };

    it("counts a Kubernetes object's outputs as the provider writes them: the object, its inputs again, and two bookkeeping strings", () => {
        const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
        // The same resource under a type of the same length that is not a Kubernetes object: outputs = inputs.
        const configMap = stateBytes([resource("cm", { type: "kubernetes:core/v1:ConfigMap", inputs })], texts);
        const other = stateBytes([resource("cm", { type: "xubernetes:core/v1:ConfigMap", inputs })], texts);
        // The shape checkpointObject returns (the live object counted as the inputs: a lower bound).
        const outputs = { ...inputs, __inputs: inputs, __initialApiVersion: "v1", __fieldManager: "pulumi-kubernetes-0123abcd" };
        assert.strictEqual(configMap.ownInputs, bytes(inputs));
        assert.strictEqual(configMap.total - other.total, bytes(outputs) - bytes(inputs));
        // __inputs is the object's own data again; the two strings are bookkeeping, beyond it.
        assert.strictEqual(configMap.mirroredOutputs - other.mirroredOutputs, bytes({ ...inputs, __inputs: inputs }) - bytes(inputs));
        assert.strictEqual(configMap.envelope - other.envelope, bytes(outputs) - bytes({ ...inputs, __inputs: inputs }));
    });

    it("leaves a Helm release and a dynamic resource without the Kubernetes checkpoint fields", () => {
        const release = resource("coder", { type: "kubernetes:helm.sh/v3:Release", inputs: { chart: "coder", version: "2.20.0" } });
        const dynamic = resource("boundary-user-alice", { type: "pulumi-nodejs:dynamic:Resource", inputs: { collection: "users", fields: { name: "alice" } } });
        for (const state of [stateBytes([release], texts), stateBytes([dynamic], texts)]) {
            assert.strictEqual(state.mirroredOutputs, state.ownInputs);
        }
    });
});

describe("bench dependency depth (issue 25)", function () {
    this.timeout(120_000);

    it("follows an input holding another resource's id, dependsOn and the parent", () => {
        const parent = resource("p", { custom: false });
        const a = resource("a", { parent: parent.urn });
        const b = resource("b", { parent: parent.urn, inputs: { spec: { ref: "<id:a>" } } });
        const c = resource("c", { parent: parent.urn, options: { dependsOn: [b.urn] } });
        assert.strictEqual(dependencyDepth({ resources: [parent, a, b, c] }), 4);
        // Without the id in b's inputs, the chain is c → b → p.
        assert.strictEqual(dependencyDepth({ resources: [parent, a, { ...b, inputs: {} }, c] }), 3);
    });

    it("ignores a resource's own id, an id of no resource in the plan, and a cycle", () => {
        const a = resource("a", { inputs: { self: "<id:a>", gone: "<id:elsewhere>" } });
        const b = resource("b", { inputs: { x: "<id:c>" } });
        const c = resource("c", { inputs: { x: "<id:b>" } });
        assert.strictEqual(dependencyDepth({ resources: [a] }), 1);
        assert.ok(Number.isFinite(dependencyDepth({ resources: [b, c] })));
    });

    it("counts the Boundary objects' id chain of an enterprise stack, which dependsOn and parents alone miss", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-depth-"));
        try {
            const file = path.join(dir, "Pulumi.depth.yaml");
            fs.writeFileSync(file, [
                "config:",
                "  sandbox-platform:environment: depth",
                "  sandbox-platform:vault: { enabled: true, address: \"https://vault.depth.example.com:8200\" }",
                "  sandbox-platform:boundary: { enabled: true, edition: enterprise, address: \"https://boundary.depth.example.com\" }",
                "  sandbox-platform:teams:",
                "    - { name: apps, runtime: envbox, developers: [alice, bob] }",
                "",
            ].join("\n"));
            const plan = planJson(await renderStack("depth", file)) as { resources: PlanResource[] };
            const withoutIds = dependencyDepth({ resources: plan.resources.map((r) => ({ ...r, inputs: {} })) });
            const depth = dependencyDepth(plan);
            assert.ok(depth > withoutIds, `depth ${depth}, without id references ${withoutIds}`);
            // A developer's Boundary target holds its host set's id, the host set its catalog's, the catalog its project's,
            // the project its org's: each one more step of the deploy order, none of them a dependsOn.
            const byName = new Map(plan.resources.map((r) => [r.name, r]));
            const chain = ["boundary-target-apps-alice", "boundary-hostset-apps-alice"];
            for (const [later, earlier] of chain.slice(0, -1).map((name, i) => [name, chain[i + 1]])) {
                const resource = byName.get(later);
                assert.ok(resource, `the render registers ${later}`);
                assert.ok(JSON.stringify(resource.inputs).includes(`<id:${earlier}>`), `${later} holds ${earlier}'s id`);
                assert.ok(!resource.options.dependsOn.includes(byName.get(earlier)!.urn), `${later} does not dependsOn ${earlier}`);
            }
            assert.ok(depth >= withoutIds + 2, `depth ${depth}, without id references ${withoutIds}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
