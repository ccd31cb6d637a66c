// ajv over the schemas derived from Boundary's swagger document (schemas.json) and
// the attribute schemas of subtypes.ts. Used by the conformance server for every
// request and response, and by tests that check the provider's typed requests.

import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { DerivedSchemas } from "./derive";

export const schemas: DerivedSchemas = JSON.parse(fs.readFileSync(path.join(__dirname, "schemas.json"), "utf8"));

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ $id: "boundary", definitions: schemas.definitions });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: string | Record<string, unknown>): ValidateFunction {
    const key = typeof schema === "string" ? schema : JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) {
        validate = typeof schema === "string"
            ? ajv.getSchema(`boundary#/definitions/${schema}`)!
            : ajv.compile(schema);
        if (!validate) {
            throw new Error(`no derived schema ${key}`);
        }
        compiled.set(key, validate);
    }
    return validate;
}

/** Errors of `value` against a swagger definition (by name) or an inline schema; empty when valid. */
export function schemaErrors(schema: string | Record<string, unknown>, value: unknown): string[] {
    const validate = validatorFor(schema);
    return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message}`);
}

/** The top-level properties a swagger definition declares (everything else is discarded on decode). */
export function declaredFields(definition: string): Set<string> {
    const found = schemas.definitions[definition] as { properties?: Record<string, unknown> } | undefined;
    if (!found) {
        throw new Error(`no derived schema ${definition}`);
    }
    return new Set(Object.keys(found.properties ?? {}));
}

/** The fields a definition marks readOnly ("Output only" in the protos). */
export function readOnlyFields(definition: string): Set<string> {
    const found = schemas.definitions[definition] as { properties?: Record<string, { readOnly?: boolean }> };
    return new Set(Object.entries(found.properties ?? {}).filter(([, schema]) => schema.readOnly === true).map(([name]) => name));
}

/** The swagger operation key for a request (`POST /v1/targets/{id}:set-host-sources`). */
export function operationKey(method: string, collection: string, id?: string, action?: string): string {
    const idSegment = collection === "auth-methods" && action === "authenticate" ? "{auth_method_id}" : "{id}";
    return `${method.toUpperCase()} /v1/${collection}${id === undefined ? "" : `/${idSegment}`}${action ? `:${action}` : ""}`;
}
