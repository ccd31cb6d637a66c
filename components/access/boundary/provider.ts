// The dynamic provider behind every Boundary resource. Resources name it through the
// installed module packages/boundary-provider (provider-reference.ts), so its code is
// not in their state. It still captures no modules and throws only plain Errors (see
// client.ts for why): state written before that carries it serialized, and must keep
// working (test/serialized-providers.test.ts).

import * as pulumi from "@pulumi/pulumi";
import { BoundaryClient, BoundaryConnection, BoundaryItem, parentField } from "./client";

export interface BoundaryResourceInputs {
    /** scope, user, host-catalog, host, host-set, credential-store, credential-library, target, role. */
    boundaryKind: string;
    /** Collection under /v1 (scopes, targets, ...). */
    collection: string;
    connection: BoundaryConnection;
    /** Item fields as the Boundary API names them (name, type, scope_id, attributes, ...). */
    fields: Record<string, unknown>;
    /** Secret attributes (a Vault token), kept apart so that the rest of the fields stay readable. */
    secretAttributes?: Record<string, unknown>;
    /** Item actions applied after create and whenever their payload changes (`set-host-sources`: {...}). */
    actions: Record<string, Record<string, unknown>>;
    /** What the platform means by this item (developer, team), for policies and readers; never sent. */
    meta: Record<string, unknown>;
}

/** `target "alpha-alice"`: how errors name the resource. */
function subjectOf(inputs: BoundaryResourceInputs): string {
    return `boundary ${inputs.boundaryKind} ${JSON.stringify(inputs.fields?.name ?? "")}`;
}

function clientFor(inputs: BoundaryResourceInputs): BoundaryClient {
    return new BoundaryClient(inputs.connection, { subject: subjectOf(inputs) });
}

/** Fields the API refuses to change (handlers: "Cannot modify the resource type."; the parent is output only after create). */
function immutableChanges(olds: BoundaryResourceInputs, news: BoundaryResourceInputs): string[] {
    const parent = parentField[news.collection];
    const changed: string[] = [];
    if (olds.collection !== news.collection) {
        changed.push("collection");
    }
    for (const field of ["type", parent]) {
        if (JSON.stringify(olds.fields?.[field]) !== JSON.stringify(news.fields?.[field])) {
            changed.push(`fields.${field}`);
        }
    }
    return changed;
}

function changedActions(olds: BoundaryResourceInputs | undefined, news: BoundaryResourceInputs): string[] {
    return Object.keys(news.actions ?? {}).filter((action) => JSON.stringify(olds?.actions?.[action]) !== JSON.stringify(news.actions[action]));
}

/** The fields sent to Boundary: the plain fields with the secret attributes merged in. */
function apiFields(inputs: BoundaryResourceInputs): Record<string, unknown> {
    if (!inputs.secretAttributes) {
        return inputs.fields;
    }
    const attributes = { ...(inputs.fields.attributes as Record<string, unknown> ?? {}), ...inputs.secretAttributes };
    return { ...inputs.fields, attributes };
}

function mutableFields(inputs: BoundaryResourceInputs): Record<string, unknown> {
    const { type: _type, ...rest } = apiFields(inputs);
    delete rest[parentField[inputs.collection]];
    return rest;
}

/** The PATCH body from olds to news: changed fields, and null for a field no longer set (the API clears it). */
function patchBody(olds: BoundaryResourceInputs, news: BoundaryResourceInputs): Record<string, unknown> {
    const before = mutableFields(olds);
    const after = mutableFields(news);
    const body: Record<string, unknown> = {};
    for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (field === "attributes") {
            const a = (before.attributes ?? {}) as Record<string, unknown>;
            const b = (after.attributes ?? {}) as Record<string, unknown>;
            const attributes: Record<string, unknown> = {};
            for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
                if (JSON.stringify(a[name]) !== JSON.stringify(b[name])) {
                    attributes[name] = name in b ? b[name] : null;
                }
            }
            if (Object.keys(attributes).length > 0) {
                body.attributes = attributes;
            }
        } else if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
            body[field] = field in after ? after[field] : null;
        }
    }
    return body;
}

/** The field of the live item each action sets (the item's output-only list). */
const actionResults: Record<string, string> = {
    "set-host-sources": "host_source_ids",
    "set-credential-sources": "injected_application_credential_source_ids",
    "set-hosts": "host_ids",
    "set-principals": "principal_ids",
    "set-grants": "grant_strings",
    "set-grant-scopes": "grant_scope_ids",
    "set-accounts": "account_ids",
};

/** Inputs as the live item says they are: what refresh records, so that the next diff sees drift. */
function observed(inputs: BoundaryResourceInputs, item: BoundaryItem): BoundaryResourceInputs {
    const fields: Record<string, unknown> = { ...inputs.fields };
    for (const field of Object.keys(inputs.fields)) {
        if (field === "attributes") {
            const wanted = (inputs.fields.attributes ?? {}) as Record<string, unknown>;
            const live = (item.attributes ?? {}) as Record<string, unknown>;
            fields.attributes = Object.fromEntries(Object.keys(wanted).map((name) => [name, live[name]]).filter(([, value]) => value !== undefined));
        } else if (field !== parentField[inputs.collection]) {
            if (item[field] === undefined) {
                delete fields[field];
            } else {
                fields[field] = item[field];
            }
        }
    }
    const actions: Record<string, Record<string, unknown>> = {};
    for (const [action, payload] of Object.entries(inputs.actions ?? {})) {
        const result = actionResults[action];
        const listField = Object.keys(payload)[0];
        actions[action] = result && listField ? { ...payload, [listField]: (item[result] as unknown[] | undefined) ?? [] } : payload;
    }
    return { ...inputs, fields, actions };
}

/** The API's own create checks, so that `pulumi preview` reports them before anything is sent. */
function checkFields(inputs: BoundaryResourceInputs): { property: string; reason: string }[] {
    const failures: { property: string; reason: string }[] = [];
    const name = inputs.fields?.name;
    if (typeof name !== "string" || name.trim() === "") {
        failures.push({ property: "fields.name", reason: "Boundary needs a non-empty name (handlers/verifiers.go: \"Cannot set empty string as name\")" });
    }
    const description = inputs.fields?.description;
    if (description !== undefined && (typeof description !== "string" || description.trim() === "")) {
        failures.push({ property: "fields.description", reason: "Boundary refuses an empty description (\"Cannot set empty string as description\"): leave it out" });
    }
    if (!parentField[inputs.collection]) {
        failures.push({ property: "collection", reason: `${JSON.stringify(inputs.collection)} is not a Boundary collection this provider knows` });
    }
    return failures;
}

/** Where the SDK keeps the serialized provider, in a dynamic resource's inputs and outputs (@pulumi/pulumi dynamic/index.js). */
const providerKey = "__provider";

/**
 * Whether the state was written with another provider text, such as a version that
 * carried the provider's whole code (before provider-reference.ts): an update (no API
 * call when nothing else changed) rewrites the state with the short reference. Without
 * it the old code would stay in the outputs, which only an update replaces (a
 * no-change step keeps the old outputs).
 */
function providerMoved(olds: BoundaryResourceInputs, news: BoundaryResourceInputs): boolean {
    const before = (olds as unknown as Record<string, unknown>)[providerKey];
    const after = (news as unknown as Record<string, unknown>)[providerKey];
    return typeof before === "string" && typeof after === "string" && before !== after;
}

export const boundaryProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: BoundaryResourceInputs, news: BoundaryResourceInputs) {
        return { inputs: news, failures: checkFields(news) };
    },
    async create(inputs: BoundaryResourceInputs) {
        const client = clientFor(inputs);
        const item = await client.create(inputs.collection, apiFields(inputs));
        try {
            for (const action of changedActions(undefined, inputs)) {
                await client.action(inputs.collection, item.id, action, inputs.actions[action]);
            }
        } catch (error) {
            // Pulumi records nothing of a failed create: remove the half-made item so that the next
            // `pulumi up` creates it cleanly instead of meeting its name.
            await client.delete(inputs.collection, item.id).catch(() => undefined);
            throw error;
        }
        return { id: item.id, outs: inputs };
    },
    async read(id: string, props: BoundaryResourceInputs) {
        const item = await clientFor(props).read(props.collection, id);
        // Gone: an empty result tells the engine the resource no longer exists; the next `up` recreates it.
        return item ? { id, props: observed(props, item) } : {};
    },
    async diff(_id: string, olds: BoundaryResourceInputs, news: BoundaryResourceInputs) {
        const replaces = immutableChanges(olds, news);
        const changes = replaces.length > 0 || changedActions(olds, news).length > 0 || Object.keys(patchBody(olds, news)).length > 0
            || providerMoved(olds, news);
        return { changes, replaces, deleteBeforeReplace: true };
    },
    async update(id: string, olds: BoundaryResourceInputs, news: BoundaryResourceInputs) {
        const client = clientFor(news);
        const body = patchBody(olds, news);
        if (Object.keys(body).length > 0) {
            await client.update(news.collection, id, body);
        }
        for (const action of changedActions(olds, news)) {
            await client.action(news.collection, id, action, news.actions[action]);
        }
        return { outs: news };
    },
    async delete(id: string, props: BoundaryResourceInputs) {
        await clientFor(props).delete(props.collection, id);
    },
};
