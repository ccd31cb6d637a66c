// The dynamic provider behind every Boundary resource. It captures no modules:
// it references only the self-contained client and the plain functions below.

import * as pulumi from "@pulumi/pulumi";
import { BoundaryClient, BoundaryConnection, parentField } from "./client";

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

export const boundaryProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: BoundaryResourceInputs) {
        const client = new BoundaryClient(inputs.connection);
        const item = await client.create(inputs.collection, apiFields(inputs));
        for (const action of changedActions(undefined, inputs)) {
            await client.action(inputs.collection, item.id, action, inputs.actions[action]);
        }
        return { id: item.id, outs: inputs };
    },
    async read(id: string, props: BoundaryResourceInputs) {
        const item = await new BoundaryClient(props.connection).read(props.collection, id);
        return item ? { id, props } : {};
    },
    async diff(_id: string, olds: BoundaryResourceInputs, news: BoundaryResourceInputs) {
        const replaces = immutableChanges(olds, news);
        const changes = replaces.length > 0 || changedActions(olds, news).length > 0
            || JSON.stringify(mutableFields(olds)) !== JSON.stringify(mutableFields(news));
        return { changes, replaces, deleteBeforeReplace: true };
    },
    async update(id: string, olds: BoundaryResourceInputs, news: BoundaryResourceInputs) {
        const client = new BoundaryClient(news.connection);
        if (JSON.stringify(mutableFields(olds)) !== JSON.stringify(mutableFields(news))) {
            await client.update(news.collection, id, mutableFields(news));
        }
        for (const action of changedActions(olds, news)) {
            await client.action(news.collection, id, action, news.actions[action]);
        }
        return { outs: news };
    },
    async delete(id: string, props: BoundaryResourceInputs) {
        await new BoundaryClient(props.connection).delete(props.collection, id);
    },
};
