// Derives the JSON Schemas the conformance server validates with from Boundary's
// OpenAPI (swagger 2.0) document, hashicorp/boundary internal/gen/controller.swagger.json.
// The upstream file is never committed: `schemas.json` beside this file is this
// function's output for the operations below at the pinned tag, and
// test/boundary-swagger.test.ts re-derives it from the upstream file when
// BOUNDARY_SWAGGER points at one, and fails if the two disagree.
//
//   npx ts-node --transpile-only test/boundary-api/derive.ts /path/to/controller.swagger.json > test/boundary-api/schemas.json

import * as fs from "fs";

export const boundaryTag = "v0.21.3";
export const swaggerPath = "internal/gen/controller.swagger.json";

/** The operations the provider calls, as the swagger document names its paths. */
export const operations: { method: string; path: string }[] = [];
const resources = ["scopes", "users", "auth-methods", "accounts", "host-catalogs", "hosts", "host-sets", "credential-stores", "credential-libraries", "targets", "roles"];
for (const collection of resources) {
    operations.push({ method: "get", path: `/v1/${collection}` }, { method: "post", path: `/v1/${collection}` });
    operations.push({ method: "get", path: `/v1/${collection}/{id}` }, { method: "patch", path: `/v1/${collection}/{id}` }, { method: "delete", path: `/v1/${collection}/{id}` });
}
for (const verb of ["add", "set", "remove"]) {
    operations.push(
        { method: "post", path: `/v1/targets/{id}:${verb}-host-sources` },
        { method: "post", path: `/v1/targets/{id}:${verb}-credential-sources` },
        { method: "post", path: `/v1/host-sets/{id}:${verb}-hosts` },
        { method: "post", path: `/v1/roles/{id}:${verb}-principals` },
        { method: "post", path: `/v1/roles/{id}:${verb}-grants` },
        { method: "post", path: `/v1/roles/{id}:${verb}-grant-scopes` },
        { method: "post", path: `/v1/users/{id}:${verb}-accounts` },
    );
}
operations.push({ method: "post", path: "/v1/auth-methods/{auth_method_id}:authenticate" });

export interface DerivedOperation { request?: string; response: string; error: string }
export interface DerivedSchemas {
    $comment: string;
    source: { repository: string; path: string; tag: string; swaggerVersion: string };
    operations: Record<string, DerivedOperation>;
    definitions: Record<string, Record<string, unknown>>;
}

const refPrefix = "#/definitions/";

/** Swagger 2.0 schema → JSON Schema (draft-07) fragment; descriptions, titles and examples dropped. */
function convert(schema: any, refs: Set<string>): any {
    if (schema === null || typeof schema !== "object") {
        return schema;
    }
    if (Array.isArray(schema)) {
        return schema.map((entry) => convert(entry, refs));
    }
    if (typeof schema.$ref === "string") {
        const name = schema.$ref.slice(refPrefix.length);
        refs.add(name);
        return { $ref: `${refPrefix}${name}` };
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(schema).sort()) {
        const value = schema[key];
        switch (key) {
            case "description": case "title": case "example": case "externalDocs":
                break;
            case "format":
                // int64/uint64 travel as JSON numbers from grpc-gateway's UseProtoNames marshaler here;
                // date-time and the rest are annotations, not checked.
                break;
            case "properties":
                out.properties = Object.fromEntries(Object.keys(value).sort().map((name) => [name, convert(value[name], refs)]));
                break;
            default:
                out[key] = convert(value, refs);
        }
    }
    return out;
}

export function deriveSchemas(swagger: any): DerivedSchemas {
    const refs = new Set<string>();
    const derivedOperations: Record<string, DerivedOperation> = {};
    const refName = (schema: any, where: string): string => {
        if (typeof schema?.$ref !== "string") {
            throw new Error(`${where}: expected a $ref schema, got ${JSON.stringify(schema)}`);
        }
        const name = schema.$ref.slice(refPrefix.length);
        refs.add(name);
        return name;
    };
    for (const { method, path } of operations) {
        const operation = swagger.paths?.[path]?.[method];
        if (!operation) {
            throw new Error(`${method.toUpperCase()} ${path} is not in the swagger document`);
        }
        const body = (operation.parameters ?? []).find((parameter: any) => parameter.in === "body");
        derivedOperations[`${method.toUpperCase()} ${path}`] = {
            ...(body ? { request: refName(body.schema, `${path} body`) } : {}),
            response: refName(operation.responses["200"].schema, `${path} 200`),
            error: refName(operation.responses.default.schema, `${path} default`),
        };
    }
    const definitions: Record<string, Record<string, unknown>> = {};
    const pending = [...refs];
    while (pending.length > 0) {
        const name = pending.pop()!;
        if (definitions[name]) {
            continue;
        }
        const found = swagger.definitions?.[name];
        if (!found) {
            throw new Error(`definition ${name} is not in the swagger document`);
        }
        const nested = new Set<string>();
        definitions[name] = { "x-swagger-definition": name, ...convert(found, nested) };
        pending.push(...[...nested].filter((entry) => !definitions[entry]));
    }
    const sorted = Object.fromEntries(Object.keys(definitions).sort().map((name) => [name, definitions[name]]));
    return {
        $comment: `Derived by test/boundary-api/derive.ts from hashicorp/boundary ${swaggerPath} at ${boundaryTag}; do not edit by hand.`,
        source: { repository: "hashicorp/boundary", path: swaggerPath, tag: boundaryTag, swaggerVersion: String(swagger.info?.version) },
        operations: derivedOperations,
        definitions: sorted,
    };
}

if (require.main === module) {
    const file = process.argv[2];
    if (!file) {
        process.stderr.write("usage: derive.ts <controller.swagger.json>\n");
        process.exitCode = 2;
    } else {
        process.stdout.write(`${JSON.stringify(deriveSchemas(JSON.parse(fs.readFileSync(file, "utf8"))), null, 2)}\n`);
    }
}
