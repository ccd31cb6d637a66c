// What the engine would store for a plan, and what one more developer changes in it.
// Used by the bench (bench/bench.ts); pure apart from serializing the providers.
//
// How the engine stores a resource (pulumi/pulumi sdk/go/common/apitype/core.go
// ResourceV3): urn, custom, type, parent, provider reference, dependencies and
// propertyDependencies, plus `inputs` (what the program registered, after Check) and
// `outputs` (what the provider returned). For a dynamic resource both hold `__provider`,
// the serialized provider: the program registers it (@pulumi/pulumi dynamic/index.js)
// and the host adds it to every Create/Update/Read result (cmd/dynamic-provider/index.js
// resultIncludingProvider), and the Boundary and pool-assignment providers return their
// inputs as outputs. A Kubernetes object's outputs are the live object the API returns,
// which holds the inputs plus metadata and status no offline run can know (counted here
// as its inputs, a lower bound), then, as pulumi-kubernetes checkpoints it, its inputs once
// more (`__inputs`) and two bookkeeping strings (kubernetesCheckpoint below).

import * as pulumi from "@pulumi/pulumi";
import { boundaryProviderText, installedBoundaryProvider } from "../components/access/boundary/provider-reference";
import { dynamicResourceType } from "../components/installed-provider";
import { mockId, mockIdPattern } from "../tools/mock-outputs";
import { boundaryProvider } from "../components/access/boundary/provider";
import { poolAssignmentProviderText } from "../components/sandboxes/pool-assignment-resource";
import { registeredProviderText, registeredSecretOutputs } from "./registered-provider-text";
import { poolAssignmentProvider } from "../components/sandboxes/pool-assignment-provider";

export interface PlanResource { urn: string; type: string; name: string; parent?: string; custom: boolean; options: { dependsOn: string[] }; inputs: Record<string, any> }

/**
 * `__provider` texts as state stores them: the Boundary resources' and the pool assignments' as the
 * program writes them (provider-reference.ts boundaryProviderText, pool-assignment-resource.ts
 * poolAssignmentProviderText); the earlier versions as the SDK serializes them (dynamic/index.js:
 * serializeFunction(() => provider, { allowSecrets: true })).
 */
export interface ProviderTexts { boundary: string; boundarySerializedReference: string; boundaryClosure: string; poolAssignment: string; poolAssignmentClosure: string }

export async function providerTexts(): Promise<ProviderTexts> {
    const text = async (provider: pulumi.dynamic.ResourceProvider) => (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    // A copy of the provider object: the same methods, but not the installed module's exports,
    // so the serializer copies its code as the closure version did (the compiled bench loads
    // the very module the installed package exports, which it would name by require()).
    return {
        boundary: boundaryProviderText, boundarySerializedReference: await text(installedBoundaryProvider()),
        boundaryClosure: await text({ ...boundaryProvider }),
        poolAssignment: poolAssignmentProviderText, poolAssignmentClosure: await text({ ...poolAssignmentProvider }),
    };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
/** The bytes a key and its value add to an object already holding one (its comma included). */
const field = (value: Record<string, unknown>) => bytes({ a: 0, ...value }) - bytes({ a: 0 });

export interface StateBytes {
    /** Every resource's stored JSON: envelope, inputs and outputs. */
    total: number;
    /** The objects' own inputs (what the program asked for, without `__provider`). */
    ownInputs: number;
    /** Outputs that mirror those inputs (a dynamic resource's outs; a Kubernetes object's live copy and its `__inputs`): the objects' own data again. */
    mirroredOutputs: number;
    /** The engine's per-resource envelope: URN, type, parent, provider reference, dependencies; a Kubernetes object's `__initialApiVersion` and `__fieldManager`. */
    envelope: number;
    /** Stored provider code: `__provider` in inputs and outputs. */
    providerCode: number;
    /** The same plan's provider code as the closure versions stored it (the whole provider per resource). */
    providerCodeBefore: number;
}

/** The `__provider` text the SDK stores for a plan resource, if it is a dynamic one. */
function providerTextOf(resource: PlanResource, texts: ProviderTexts, before: boolean): string | undefined {
    const text = registeredProviderText(resource);
    if (text === undefined || !before) {
        return text;
    }
    return text === texts.poolAssignment ? texts.poolAssignmentClosure : texts.boundaryClosure;
}

/**
 * A Kubernetes object's outputs as pulumi-kubernetes checkpoints them (provider/pkg/provider/provider.go
 * checkpointObject): the live object, then `__inputs` (the object's inputs again), `__initialApiVersion`
 * and `__fieldManager` ("pulumi-kubernetes-" and eight random characters under server-side apply, the
 * default). A Helm release (helm.sh/v3 Release) is checkpointed by its own code, without them.
 */
function kubernetesCheckpoint(resource: PlanResource): { inputsAgain: number; bookkeeping: number } | undefined {
    if (!resource.custom || !resource.type.startsWith("kubernetes:") || resource.type === "kubernetes:helm.sh/v3:Release") {
        return undefined;
    }
    const apiVersion = typeof resource.inputs.apiVersion === "string" ? resource.inputs.apiVersion : "";
    return {
        inputsAgain: field({ __inputs: resource.inputs }),
        bookkeeping: field({ __initialApiVersion: apiVersion, __fieldManager: "pulumi-kubernetes-0123abcd" }),
    };
}

export function stateBytes(resources: PlanResource[], texts: ProviderTexts): StateBytes {
    const result: StateBytes = { total: 0, ownInputs: 0, mirroredOutputs: 0, envelope: 0, providerCode: 0, providerCodeBefore: 0 };
    for (const resource of resources) {
        const own = bytes(resource.inputs);
        const checkpoint = kubernetesCheckpoint(resource);
        const envelope = bytes({
            urn: resource.urn, custom: resource.custom, type: resource.type, ...(resource.parent ? { parent: resource.parent } : {}),
            ...(resource.custom ? { provider: `urn:pulumi:stack::project::pulumi:providers:kubernetes::default_4_34_2::04da6b54-80e4-46f7-96ec-b56ff0331ba9` } : {}),
            dependencies: resource.options.dependsOn, propertyDependencies: {},
        }) + (checkpoint?.bookkeeping ?? 0);
        const provider = providerTextOf(resource, texts, false);
        const providerBytes = provider === undefined ? 0 : 2 * (bytes(provider) + bytes("__provider") + 1);
        const before = providerTextOf(resource, texts, true);
        result.ownInputs += own;
        const mirrored = resource.custom ? own + (checkpoint?.inputsAgain ?? 0) : 0;
        result.mirroredOutputs += mirrored;
        result.envelope += envelope;
        result.providerCode += providerBytes;
        result.providerCodeBefore += before === undefined ? 0 : 2 * (bytes(before) + bytes("__provider") + 1);
        // Inputs and outputs: a component stores no outputs of its own here (registerOutputs is small and not modelled).
        result.total += envelope + own + mirrored + providerBytes;
    }
    return result;
}

/**
 * What the engine stores per resource that stateBytes leaves out, as far as a plan shows it
 * (ResourceV3, pulumi/pulumi sdk/go/common/apitype/core.go; every one of these fields is
 * omitempty). Lower bounds where marked.
 */
export interface UnmodelledBytes {
    /**
     * Dependencies from Output inputs: the SDK sends, for every input, the resources whose
     * outputs it holds (runtime/rpc.js serializeFilteredProperties), and the engine stores them
     * in `dependencies` and, per input, in `propertyDependencies`, which has an entry for every
     * input, `[]` when it depends on nothing (pulumi/pulumi pkg/resource/deploy/source_eval.go
     * RegisterResource). Only references to another resource's id are visible in a plan (the
     * render's mock id): a lower bound.
     */
    dependencies: number;
    /** `id` of every custom resource, counted with the render's mock id as a stand-in for the real one. */
    ids: number;
    /** `additionalSecretOutputs` of the Boundary resources. */
    additionalSecretOutputs: number;
    /** `created` and `modified` (RFC 3339 with nanoseconds) on every resource. */
    timestamps: number;
    /** stateBytes counts `"dependencies":[]` on every resource; the engine omits it when empty (omitempty). */
    emptyDependenciesCounted: number;
}

/**
 * The resources whose ids a value holds, by URN: the render gives each custom resource the id
 * `<id:name>` (tools/mock-outputs.ts), so an input that holds one depends on that resource (a
 * dependency and a property dependency the engine stores, and an edge of the deploy order).
 * Dependencies through other outputs (a mount's path, a public key) show as plain text in the plan
 * and are not found: a lower bound.
 */
export function idReferences(resources: PlanResource[]): (value: unknown) => string[] {
    const urnByMockId = new Map<string, string>();
    for (const resource of resources) {
        if (resource.custom && !urnByMockId.has(mockId(resource.name))) {
            urnByMockId.set(mockId(resource.name), resource.urn);
        }
    }
    return (value) => {
        const text = JSON.stringify(value) ?? "";
        return [...new Set([...text.matchAll(mockIdPattern)].map((match) => urnByMockId.get(match[0])).filter((urn): urn is string => urn !== undefined))];
    };
}

const timestamp = "2026-12-06T19:52:47.123456789Z";

/** What the engine stores per resource that stateBytes leaves out (ResourceV3, pulumi/pulumi sdk/go/common/apitype/core.go). */
export function unmodelledBytes(resources: PlanResource[]): UnmodelledBytes {
    const result: UnmodelledBytes = { dependencies: 0, ids: 0, additionalSecretOutputs: 0, timestamps: 0, emptyDependenciesCounted: 0 };
    const referenced = idReferences(resources);
    for (const resource of resources) {
        const dynamic = resource.type === dynamicResourceType;
        // The plan leaves a dynamic resource's __provider out of its inputs; the engine has it as an input like any other.
        const inputs = dynamic ? { ...resource.inputs, __provider: "" } : resource.inputs;
        const propertyDependencies = Object.fromEntries(Object.entries(inputs).map(([key, value]) => [key, referenced(value)]));
        const explicit = resource.options.dependsOn;
        const implicit = [...new Set(Object.values(propertyDependencies).flat())].filter((urn) => !explicit.includes(urn));
        result.dependencies += bytes({ dependencies: [...explicit, ...implicit] }) - bytes({ dependencies: explicit });
        result.dependencies += bytes({ propertyDependencies }) - bytes({ propertyDependencies: {} });
        if (explicit.length === 0 && implicit.length === 0) {
            result.emptyDependenciesCounted += field({ dependencies: [] });
        }
        if (resource.custom) {
            result.ids += field({ id: mockId(resource.name) });
        }
        const secretOutputs = registeredSecretOutputs(resource);
        if (secretOutputs) {
            result.additionalSecretOutputs += field({ additionalSecretOutputs: secretOutputs });
        }
        result.timestamps += field({ created: timestamp, modified: timestamp });
    }
    return result;
}

export interface PlanDiff { added: string[]; changed: string[]; removed: string[] }

/** What `pulumi up` would do going from one plan to the next: URNs created, updated (inputs differ) and deleted. */
export function planDiff(before: PlanResource[], after: PlanResource[]): PlanDiff {
    const old = new Map(before.map((r) => [r.urn, JSON.stringify(r.inputs)]));
    const next = new Map(after.map((r) => [r.urn, JSON.stringify(r.inputs)]));
    return {
        added: [...next.keys()].filter((urn) => !old.has(urn)),
        changed: [...next.keys()].filter((urn) => old.has(urn) && old.get(urn) !== next.get(urn)),
        removed: [...old.keys()].filter((urn) => !next.has(urn)),
    };
}

/**
 * Longest chain of deploy-order edges in plan.json: `dependsOn`, an input that holds another
 * resource's id (the engine waits for that resource before it creates this one), and child after
 * parent. Dependencies through other outputs show as plain text in the plan: a lower bound.
 */
export function dependencyDepth(plan: { resources: PlanResource[] }): number {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const referenced = idReferences(plan.resources);
    const depth = new Map<string, number>();
    const visit = (urn: string, seen: Set<string>): number => {
        const known = depth.get(urn);
        if (known !== undefined) {
            return known;
        }
        const resource = byUrn.get(urn);
        if (!resource || seen.has(urn)) {
            return 0;
        }
        seen.add(urn);
        const before = [...resource.options.dependsOn, ...referenced(resource.inputs).filter((other) => other !== urn), ...(resource.parent ? [resource.parent] : [])];
        const result = 1 + Math.max(0, ...before.map((dependency) => visit(dependency, seen)));
        seen.delete(urn);
        depth.set(urn, result);
        return result;
    };
    return Math.max(0, ...plan.resources.map((r) => visit(r.urn, new Set())));
}
