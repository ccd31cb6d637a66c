// The configuration reference (docs/configuration-reference.md), generated from the one
// config schema: each key's path, what it accepts, its default and its description, as
// zod's JSON Schema of the input side gives them (the same source as the editor schema).
// `npm run docs:config` writes it; a test fails when it is stale.

import * as path from "path";
import { configNamespace } from "../components/config/errors";
import { stackFileJsonSchema } from "./stack-file-schema";

export const configReferenceFile = path.join("docs", "configuration-reference.md");

type JsonSchema = Record<string, any>;

/** What a value may be, in words: an enum's values, a type, a list of them, a choice. */
function accepts(schema: JsonSchema): string {
    if (Array.isArray(schema.enum)) {
        return schema.enum.map((value: unknown) => `\`${String(value)}\``).join(" \\| ");
    }
    const choices = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(choices)) {
        return [...new Set(choices.map((choice: JsonSchema) => accepts(choice)))].join(" or ");
    }
    if (schema.type === "array") {
        return `list of ${schema.items ? accepts(schema.items) : "values"}`;
    }
    if (schema.type === "object") {
        return schema.properties ? "object" : "map";
    }
    return typeof schema.type === "string" ? schema.type : "value";
}

function defaultText(schema: JsonSchema): string {
    return "default" in schema ? `\`${JSON.stringify(schema.default)}\`` : "";
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function rows(key: string, schema: JsonSchema, out: string[]): void {
    const described = schema.description ?? "";
    out.push(`| \`${key}\` | ${accepts(schema)} | ${defaultText(schema)} | ${cell(described)} |`);
    const objectBranch = (schema.anyOf ?? []).find((choice: JsonSchema) => choice.type === "object" && choice.properties);
    const object = schema.type === "object" && schema.properties ? schema : objectBranch;
    if (object) {
        for (const [child, childSchema] of Object.entries(object.properties as Record<string, JsonSchema>)) {
            rows(`${key}.${child}`, childSchema, out);
        }
    }
    if (schema.type === "array" && schema.items) {
        const item = schema.items as JsonSchema;
        const itemObject = item.type === "object" && item.properties ? item : (item.anyOf ?? []).find((choice: JsonSchema) => choice.type === "object" && choice.properties);
        if (itemObject) {
            for (const [child, childSchema] of Object.entries(itemObject.properties as Record<string, JsonSchema>)) {
                rows(`${key}[].${child}`, childSchema, out);
            }
        }
    }
}

export function configReferenceText(): string {
    const config = stackFileJsonSchema().properties as JsonSchema;
    const properties = config.config.properties as Record<string, JsonSchema>;
    const required = new Set<string>(config.config.required ?? []);
    const lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from components/config/stack-schema.ts by `npm run docs:config`; do not edit. -->",
        "",
        `Every key of the \`${configNamespace}\` namespace in \`stacks/Pulumi.<stack>.yaml\`, with what it accepts,`,
        "its default and what it means. `[]` stands for each entry of a list. Keys with no default are",
        "optional unless marked required. How the config is read and checked: [configuration.md](configuration.md).",
        "",
    ];
    for (const [fullKey, schema] of Object.entries(properties)) {
        const key = fullKey.slice(configNamespace.length + 1);
        lines.push(`## \`${key}\`${required.has(fullKey) ? " (required)" : ""}`, "");
        if (schema.description) {
            lines.push(schema.description, "");
        }
        lines.push("| key | accepts | default | meaning |", "| --- | --- | --- | --- |");
        const out: string[] = [];
        rows(key, schema, out);
        lines.push(...out, "");
    }
    return `${lines.join("\n").trimEnd()}\n`;
}
