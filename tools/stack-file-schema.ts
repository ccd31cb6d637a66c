// The JSON Schema of a stack file (stacks/Pulumi.<stack>.yaml) for editors, generated from
// the one config schema (components/config/stack-schema.ts) with zod's toJSONSchema.
// `npm run schema` writes it to schema/stack-config.schema.json; a test fails when that
// file is stale.

import * as path from "path";
import { z } from "zod";
import { configNamespace } from "../components/config/errors";
import { platformSections, secretSections } from "../components/config/stack-schema";

export const schemaFile = path.join("schema", "stack-config.schema.json");
export const schemaId = "https://github.com/sandbox-platform/sandbox-platform/schema/stack-config.schema.json";

/** What a user may write for a key (zod's input side): defaults are optional, text forms allowed. */
function inputSchema(schema: z.ZodType): Record<string, unknown> {
    const json = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;
    delete json.$schema;
    return json;
}

/** A secret as written in a stack file: `secure: v1:...` from `pulumi config set --secret`, or plain text. */
function secretInput(schema: z.ZodType): Record<string, unknown> {
    return {
        description: (inputSchema(schema).description as string | undefined) ?? "secret",
        anyOf: [
            { type: "object", properties: { secure: { type: "string", minLength: 1 } }, required: ["secure"], additionalProperties: false },
            { type: "string", minLength: 1 },
        ],
    };
}

export function stackFileJsonSchema(): Record<string, unknown> {
    const properties: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(platformSections)) {
        properties[`${configNamespace}:${key}`] = inputSchema(schema as z.ZodType);
    }
    for (const [key, schema] of Object.entries(secretSections)) {
        properties[`${configNamespace}:${key}`] = secretInput(schema as z.ZodType);
    }
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: schemaId,
        title: "sandbox-platform stack config (stacks/Pulumi.<stack>.yaml)",
        description: "Generated from components/config/stack-schema.ts by `npm run schema`; do not edit.",
        type: "object",
        properties: {
            config: {
                type: "object",
                description: "Stack configuration: sandbox-platform:<key> (contract v1), and keys of other namespaces (e.g. vault:address).",
                properties,
                required: [`${configNamespace}:environment`],
                // Other namespaces (providers) are theirs to define; an unknown key of ours is an error.
                patternProperties: { [`^(?!${configNamespace}:)[A-Za-z0-9_.-]+:`]: {} },
                additionalProperties: false,
            },
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
            encryptionsalt: { type: "string" },
            environment: { description: "Pulumi ESC environments this stack imports" },
        },
        required: ["config"],
    };
}

/** The file's text: stable key order, two-space indent, final newline. */
export function stackFileJsonSchemaText(): string {
    return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}
