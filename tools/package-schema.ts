// The multi-language package's schema (provider/), inferred by the Node.js SDK's own component
// analyzer from provider/index.ts, exactly as the plugin answers GetSchema: the provider's name
// and namespace come from provider/package.json the way @pulumi/pulumi cmd/run-plugin/run.js
// derives them (scope → namespace; the rest, with characters outside [-a-zA-Z0-9_] replaced by
// "-", → name), and the components are the ComponentResource classes provider/index.js exports
// (provider/experimental getPulumiComponents).
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./repo-root";

/* eslint-disable @typescript-eslint/no-var-requires */
const { ComponentProvider, getPulumiComponents } = require("@pulumi/pulumi/provider/experimental/provider");
/* eslint-enable @typescript-eslint/no-var-requires */

export const providerDir = path.join(repoRoot, "provider");
/** The checked-in schema (`npm run package:schema` rewrites it). */
export const packageSchemaFile = "provider/schema.json";

export function providerIdentity(packageName: string): { name: string; namespace?: string } {
    const matches = /(@.*?\/)?(.+)/.exec(packageName)!;
    return { name: matches[2].replace(/[^-a-zA-Z0-9_]/g, "-"), namespace: matches[1] ? matches[1].slice(1, -1) : undefined };
}

/** The schema object GetSchema returns (parsed). */
export async function packageSchema(): Promise<Record<string, unknown>> {
    const packageJson = JSON.parse(fs.readFileSync(path.join(providerDir, "package.json"), "utf8"));
    const components = getPulumiComponents(require(providerDir));
    const provider = new ComponentProvider({ ...providerIdentity(packageJson.name), dirname: providerDir, components });
    return JSON.parse(await provider.getSchema());
}

/** The file's text: the schema, two-space indented, keys in the analyzer's order. */
export function packageSchemaText(schema: unknown): string {
    return `${JSON.stringify(schema, null, 2)}\n`;
}
