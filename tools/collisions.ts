// No two stacks of one environment may create the same thing (docs/stacks.md): the second `pulumi up`
// would fail on it, or worse, two stacks would fight over it. What a stack creates is named here by
// what makes it one object in its own system:
//   Kubernetes: API group, kind, namespace and name (a Secret and a ConfigMap may share a name);
//   Helm: the release's namespace and name;
//   Vault: the API path it writes (sys/mounts/<path>, <mount>/config/ca, <mount>/roles/<name>,
//          sys/policies/acl/<name>); tokens have no path and are never shared;
//   Boundary: the resource kind, the scope (or catalog, or store) it lives in, and its name, which
//          Boundary keeps unique there (a duplicate is a 400 InvalidArgument: docs/upstream.md).
// Objects a stack only reads (`.get`, StackReference) are someone else's and are not counted.

import { CapturedResource } from "./program-runner";
import { RenderResult } from "./render-stack";

/** The identity of what a resource creates outside Pulumi, or undefined for Pulumi-only resources. */
export function createdObject(resource: CapturedResource): string | undefined {
    if (!resource.custom || resource.options.read) {
        return undefined;
    }
    const inputs = resource.inputs;
    if (resource.type === "kubernetes:helm.sh/v3:Release") {
        return `helm release ${inputs.namespace ?? "default"}/${inputs.name ?? resource.name}`;
    }
    if (resource.type.startsWith("kubernetes:")) {
        const apiVersion = String(inputs.apiVersion ?? "");
        const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "core";
        return `kubernetes ${group}/${inputs.kind} ${inputs.metadata?.namespace ?? "(cluster)"}/${inputs.metadata?.name}`;
    }
    switch (resource.type) {
        case "vault:index/mount:Mount": return `vault sys/mounts/${inputs.path}`;
        case "vault:ssh/secretBackendCa:SecretBackendCa": return `vault ${inputs.backend}/config/ca`;
        case "vault:ssh/secretBackendRole:SecretBackendRole": return `vault ${inputs.backend}/roles/${inputs.name}`;
        case "vault:index/policy:Policy": return `vault sys/policies/acl/${inputs.name}`;
        case "vault:index/token:Token": return undefined;
    }
    if (typeof inputs.boundaryKind === "string") {
        const fields = inputs.fields ?? {};
        const parent = fields.scope_id ?? fields.host_catalog_id ?? fields.credential_store_id;
        return `boundary ${inputs.boundaryKind} ${parent}/${fields.name}`;
    }
    return undefined;
}

export interface Collision {
    object: string;
    /** Stack and URN of each creator. */
    creators: { stack: string; urn: string }[];
}

/** Everything created by more than one stack (or twice by one), whatever the order of the renders. */
export function findCollisions(renders: Pick<RenderResult, "stack" | "run">[]): Collision[] {
    const creators = new Map<string, { stack: string; urn: string }[]>();
    for (const render of renders) {
        for (const resource of render.run.resources) {
            const object = createdObject(resource);
            if (object !== undefined) {
                creators.set(object, [...(creators.get(object) ?? []), { stack: render.stack, urn: resource.urn }]);
            }
        }
    }
    return [...creators].filter(([, list]) => list.length > 1)
        .map(([object, list]) => ({ object, creators: [...list].sort((a, b) => a.urn.localeCompare(b.urn)) }))
        .sort((a, b) => a.object.localeCompare(b.object));
}
