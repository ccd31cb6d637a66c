// A change of an agent-sandbox sandbox's pod template (the shared start-up script above all)
// restarts it, as a Deployment's does, and touches no volume. The controller never changes a
// running pod's spec (agent-sandbox v0.5.6 reconcilePod), so a dedicated Sandbox is replaced,
// delete before create (the engine's replaceOnChanges leaves the provider's deleteBeforeReplace,
// false for a spec change, in place: step_generator.go). Ephemeral pools recreate their unclaimed
// warm sandboxes (updateStrategy Recreate), which compares pod specs only (isSandboxStale).
// Every fact is in docs/upstream.md, "agent-sandbox restarts".
//
// The resource options are read from the RegisterResourceRequests the SDK sends its own mock
// monitor (@pulumi/pulumi runtime/mocks.js MockMonitor) while the real program renders the stack:
// the fields the engine reads (replaceOnChanges, deleteBeforeReplace and its "defined" flag,
// retainOnDelete, dependencies), not our own summary of them.

import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { RenderResult, renderStack, repoRoot } from "../tools/render-stack";
import { CapturedResource } from "../tools/program-runner";
import { readStackConfig, stackFilePath } from "../tools/stack-config";
import { startScriptConfigMapName, startScriptHashAnnotation } from "../components/sandboxes/start-script";
import { startScriptHashEnv } from "../components/sandboxes/agent-sandbox";
import { immutableClaimFields } from "../components/sandboxes/volumes";
import { deletionPropagationAnnotation } from "../components/await-rules";

/* eslint-disable @typescript-eslint/no-var-requires */
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: { registerResource(req: any, callback: unknown): Promise<void> } } };
/** The fs module itself (an `import *` namespace is a copy of getters onto it). */
const nodeFs = require("fs") as typeof fs;
/* eslint-enable @typescript-eslint/no-var-requires */

const scriptFile = path.join(repoRoot, "images", "sandbox", "sandbox-start.sh");
const sha256 = (text: string | Buffer) => crypto.createHash("sha256").update(text).digest("hex");

const sandboxType = "kubernetes:agents.x-k8s.io/v1beta1:Sandbox";
const templateType = "kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxTemplate";
const warmPoolType = "kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool";
const claimType = "kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxClaim";
const pvcType = "kubernetes:core/v1:PersistentVolumeClaim";

interface Request { type: string; name: string; dependencies: string[]; replaceOnChanges: string[]; deleteBeforeReplace: boolean; deleteBeforeReplaceDefined: boolean; retainOnDelete: boolean; ignoreChanges: string[]; protect: boolean }
interface Capture { result: RenderResult; requests: Map<string, Request> }

/** Renders a stack through renderStack, keeping each RegisterResourceRequest the SDK sends the mock monitor (by `type::name`). */
async function renderCapturing(stack: string, options: { script?: string } = {}): Promise<Capture> {
    const requests = new Map<string, Request>();
    const original = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (req: any, callback: unknown) {
        const fields = req.toObject();
        requests.set(`${fields.type}::${fields.name}`, {
            type: fields.type, name: fields.name, dependencies: fields.dependenciesList,
            replaceOnChanges: fields.replaceonchangesList, deleteBeforeReplace: fields.deletebeforereplace,
            deleteBeforeReplaceDefined: fields.deletebeforereplacedefined, retainOnDelete: fields.retainondelete,
            ignoreChanges: fields.ignorechangesList, protect: fields.protect,
        });
        return original.call(this, req, callback);
    };
    // A changed script: the program's own modules are loaded afresh (they read the script once per
    // process) while the file reads as the changed text; the test's modules are put back afterwards.
    const programModules = (key: string) => key.startsWith(path.join(repoRoot, "components") + path.sep) || key.startsWith(path.join(repoRoot, "index."));
    const saved = options.script === undefined ? [] : Object.keys(require.cache).filter(programModules).map((key) => [key, require.cache[key]] as const);
    const readFileSync = nodeFs.readFileSync;
    if (options.script !== undefined) {
        saved.forEach(([key]) => delete require.cache[key]);
        (nodeFs as any).readFileSync = function (file: fs.PathOrFileDescriptor, ...rest: unknown[]) {
            return typeof file === "string" && path.resolve(file) === scriptFile ? options.script : (readFileSync as any).call(nodeFs, file, ...rest);
        };
    }
    try {
        const result = await renderStack(stack, readStackConfig(stackFilePath(repoRoot, stack)));
        return { result, requests };
    } finally {
        MockMonitor.prototype.registerResource = original;
        (nodeFs as any).readFileSync = readFileSync;
        if (options.script !== undefined) {
            Object.keys(require.cache).filter(programModules).forEach((key) => delete require.cache[key]);
            saved.forEach(([key, module]) => { require.cache[key] = module; });
        }
    }
}

/**
 * `type::name` of a URN, the render's (whole parent chain) or the mock monitor's (the parent's type
 * only, runtime/mocks.js newUrn): one resource either way, as the program registers each type and name once.
 */
const urnKey = (urn: string) => {
    const parts = urn.split("::");
    return `${parts[2].split("$").pop()}::${parts.slice(3).join("::")}`;
};
const ofType = (result: RenderResult, type: string) => result.run.resources.filter((r) => r.type === type);
const requestOf = (capture: Capture, resource: CapturedResource) => {
    const request = capture.requests.get(`${resource.type}::${resource.name}`);
    assert.ok(request, `${resource.urn} was registered`);
    return request;
};
/** The team's shared start-up script, as its namespace's ConfigMap holds it. */
const scriptIn = (result: RenderResult, namespace: string): string => {
    const configMap = result.run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === startScriptConfigMapName && r.inputs.metadata.namespace === namespace);
    assert.ok(configMap, `a ${startScriptConfigMapName} ConfigMap in ${namespace}`);
    return configMap.inputs.data["sandbox-start.sh"];
};

/** Every path (a.b[0].c) at which two JSON values differ. */
function differingPaths(a: unknown, b: unknown, at = ""): string[] {
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
        const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
        return [...keys].flatMap((key) => differingPaths((a as any)[key], (b as any)[key], Array.isArray(a) ? `${at}[${key}]` : at ? `${at}.${key}` : key));
    }
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
}

describe("agent-sandbox: a changed pod template restarts the sandbox, never a volume (stack agentsandbox)", function () {
    this.timeout(300_000);
    let current: Capture;
    let changed: Capture;
    const changedScript = fs.readFileSync(scriptFile, "utf8") + "\n# changed\n";

    before(async () => {
        current = await renderCapturing("agentsandbox");
        changed = await renderCapturing("agentsandbox", { script: changedScript });
    });

    it("annotates every Sandbox's and SandboxTemplate's pod template with the sha256 of the script its team's ConfigMap holds (the Deployment backend's annotation)", () => {
        const sandboxes = ofType(current.result, sandboxType);
        const templates = ofType(current.result, templateType);
        assert.strictEqual(sandboxes.length, 9, "dedicated sandboxes and pool members: 2 + 2 + 1 + 2 + 1 + 1");
        assert.strictEqual(templates.length, 3, "one per ephemeral team");
        const fileSha = sha256(fs.readFileSync(scriptFile));
        for (const resource of [...sandboxes, ...templates]) {
            const script = scriptIn(current.result, resource.inputs.metadata.namespace);
            assert.strictEqual(resource.inputs.spec.podTemplate.metadata.annotations[startScriptHashAnnotation], sha256(script), resource.urn);
            assert.strictEqual(sha256(script), fileSha, resource.urn);
            // Only the pod template is annotated: the object's own metadata is another helper's.
            assert.strictEqual(resource.inputs.metadata.annotations?.[startScriptHashAnnotation], undefined, resource.urn);
        }
    });

    it("deletes every Sandbox (so the delete half of its replacement) with background propagation, so `pulumi up` does not wait for its pod to terminate", () => {
        // pulumi-kubernetes waits until a deleted object is gone (await.go Deletion); under its default,
        // foreground propagation, a Sandbox is gone only after its pod (blockOwnerDeletion) has terminated.
        const sandboxes = ofType(current.result, sandboxType);
        assert.ok(sandboxes.length > 0);
        for (const sandbox of sandboxes) {
            assert.strictEqual(sandbox.inputs.metadata.annotations?.[deletionPropagationAnnotation], "background", sandbox.urn);
            assert.strictEqual(sandbox.inputs.spec.podTemplate.metadata.annotations?.[deletionPropagationAnnotation], undefined, sandbox.urn);
        }
        // Only Sandboxes: a PVC or a Service keeps the provider's default, so nothing of a volume changes.
        for (const resource of current.result.run.resources.filter((r) => r.type !== sandboxType)) {
            assert.strictEqual((resource.inputs as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations?.[deletionPropagationAnnotation], undefined, resource.urn);
        }
    });

    it("puts the sha256 into each SandboxTemplate's pod spec too, the only thing the warm pool's Recreate compares, and keeps Recreate", () => {
        for (const template of ofType(current.result, templateType)) {
            const env = template.inputs.spec.podTemplate.spec.containers[0].env as { name: string; value?: string }[];
            assert.deepStrictEqual(env.filter((e) => e.name === startScriptHashEnv), [{ name: startScriptHashEnv, value: sha256(scriptIn(current.result, template.inputs.metadata.namespace)) }], template.urn);
        }
        const pools = ofType(current.result, warmPoolType);
        assert.strictEqual(pools.length, 3);
        for (const pool of pools) {
            assert.deepStrictEqual(pool.inputs.spec.updateStrategy, { type: "Recreate" }, pool.urn);
        }
        // Dedicated Sandboxes keep exactly the Deployment backend's pod spec: their annotation replaces them.
        for (const sandbox of ofType(current.result, sandboxType)) {
            assert.ok(!JSON.stringify(sandbox.inputs.spec.podTemplate.spec).includes(startScriptHashEnv), sandbox.urn);
        }
    });

    it("registers every Sandbox with replaceOnChanges [spec.podTemplate] and deleteBeforeReplace (set, and marked defined), and nothing else with either", () => {
        const sandboxes = ofType(current.result, sandboxType);
        for (const sandbox of sandboxes) {
            const request = requestOf(current, sandbox);
            assert.deepStrictEqual(request.replaceOnChanges, ["spec.podTemplate"], sandbox.urn);
            assert.strictEqual(request.deleteBeforeReplace, true, sandbox.urn);
            assert.strictEqual(request.deleteBeforeReplaceDefined, true, sandbox.urn);
            assert.notStrictEqual(request.retainOnDelete, true, sandbox.urn);
        }
        const others = [...current.requests.values()].filter((r) => r.type !== sandboxType && (r.replaceOnChanges.length > 0 || r.deleteBeforeReplace || r.deleteBeforeReplaceDefined));
        assert.deepStrictEqual(others.map((r) => `${r.type}::${r.name}`), [], "templates, pools, claims, PVCs and Services are updated in place as before");
        for (const type of [templateType, warmPoolType, claimType]) {
            assert.ok(ofType(current.result, type).length > 0, type);
        }
    });

    it("lets a replacement cascade to nothing: no registered resource depends on a Sandbox (the engine replaces only dependents first)", () => {
        const sandboxUrns = new Set(ofType(current.result, sandboxType).map((r) => r.urn));
        const sandboxKeys = new Set([...sandboxUrns].map(urnKey));
        let edges = 0;
        for (const request of current.requests.values()) {
            edges += request.dependencies.length;
            const hits = request.dependencies.filter((urn) => sandboxKeys.has(urnKey(urn)));
            assert.deepStrictEqual(hits, [], `${request.type}::${request.name}`);
        }
        assert.ok(edges > 100, `the requests carry their dependencies (${edges})`);
        for (const resource of current.result.run.resources) {
            assert.deepStrictEqual(resource.options.dependsOn.filter((urn) => sandboxUrns.has(urn)), [], resource.urn);
        }
    });

    it("a changed script changes every Sandbox's pod template (only there: the replaceOnChanges path) and every template's, and nothing of a PVC", () => {
        const newSha = sha256(changedScript);
        assert.notStrictEqual(newSha, sha256(fs.readFileSync(scriptFile)));
        const before = new Map(current.result.run.resources.map((r) => [r.urn, r]));
        const after = new Map(changed.result.run.resources.map((r) => [r.urn, r]));
        assert.deepStrictEqual([...after.keys()].sort(), [...before.keys()].sort(), "the same resources, by URN");
        for (const sandbox of ofType(changed.result, sandboxType)) {
            assert.strictEqual(scriptIn(changed.result, sandbox.inputs.metadata.namespace), changedScript);
            assert.strictEqual(sandbox.inputs.spec.podTemplate.metadata.annotations[startScriptHashAnnotation], newSha, sandbox.urn);
            const paths = differingPaths(before.get(sandbox.urn)!.inputs, sandbox.inputs);
            assert.deepStrictEqual(paths, [`spec.podTemplate.metadata.annotations.${startScriptHashAnnotation}`], sandbox.urn);
            assert.ok(paths.every((p) => p.startsWith("spec.podTemplate.")), "inside replaceOnChanges");
        }
        for (const template of ofType(changed.result, templateType)) {
            const paths = differingPaths(before.get(template.urn)!.inputs, template.inputs);
            assert.strictEqual(paths.length, 2, `${template.urn}: ${paths.join(", ")}`);
            assert.ok(paths.includes(`spec.podTemplate.metadata.annotations.${startScriptHashAnnotation}`), paths.join(", "));
            assert.ok(paths.some((p) => /^spec\.podTemplate\.spec\.containers\[0\]\.env\[\d+\]\.value$/.test(p)), paths.join(", "));
        }
        // Apart from the script's ConfigMaps, the Sandboxes and the templates, nothing changed at all.
        const changedUrns = [...after.values()].filter((r) => differingPaths(before.get(r.urn)!.inputs, r.inputs).length > 0).map((r) => r.type);
        assert.deepStrictEqual([...new Set(changedUrns)].sort(), ["kubernetes:core/v1:ConfigMap", sandboxType, templateType].sort());
    });

    it("never deletes or replaces a PVC: the same URNs and inputs, retainOnDelete, the same ignoreChanges, no replace option, before and after a script change", () => {
        for (const capture of [current, changed]) {
            const claims = ofType(capture.result, pvcType);
            assert.strictEqual(claims.length, 18, "home and Docker cache of the 9 dedicated sandboxes and pool members");
            for (const claim of claims) {
                assert.ok(claim.urn.endsWith(`::${claim.inputs.metadata.name}`), claim.urn);
                const request = requestOf(capture, claim);
                assert.strictEqual(request.retainOnDelete, true, claim.urn);
                assert.deepStrictEqual(request.ignoreChanges, immutableClaimFields, claim.urn);
                assert.deepStrictEqual(request.replaceOnChanges, [], claim.urn);
                assert.strictEqual(request.deleteBeforeReplace, false, claim.urn);
                assert.strictEqual(request.deleteBeforeReplaceDefined, false, claim.urn);
                assert.strictEqual(claim.options.retainOnDelete, true, claim.urn);
            }
        }
        const before = new Map(ofType(current.result, pvcType).map((r) => [r.urn, r]));
        for (const claim of ofType(changed.result, pvcType)) {
            assert.deepStrictEqual(claim.inputs, before.get(claim.urn)?.inputs, claim.urn);
            assert.deepStrictEqual(claim.options, before.get(claim.urn)!.options, claim.urn);
        }
        // Each Sandbox mounts its own two PVCs by name and waits for them; it owns none (no volumeClaimTemplates).
        for (const sandbox of ofType(current.result, sandboxType)) {
            const mounted = sandbox.inputs.spec.podTemplate.spec.volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName).sort();
            assert.deepStrictEqual(mounted, [`${sandbox.name}-docker`, `${sandbox.name}-home`], sandbox.urn);
            assert.strictEqual(sandbox.inputs.spec.volumeClaimTemplates, undefined, sandbox.urn);
            const claimKeys = ofType(current.result, pvcType).filter((c) => mounted.includes(c.inputs.metadata.name) && c.inputs.metadata.namespace === sandbox.inputs.metadata.namespace).map((c) => urnKey(c.urn));
            assert.strictEqual(claimKeys.length, 2, sandbox.urn);
            const dependencies = requestOf(current, sandbox).dependencies.map(urnKey);
            assert.deepStrictEqual(claimKeys.filter((key) => dependencies.includes(key)).sort(), claimKeys.sort(), sandbox.urn);
        }
    });
});
