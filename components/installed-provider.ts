// What a dynamic resource whose provider lives in an installed module (packages/*, `file:`
// dependencies that `npm ci` copies into node_modules) carries as `__provider`, and the type
// it registers under. Used by the Boundary resources and the warm-pool assignment.
//
// From the SDK's source (@pulumi/pulumi 3.270.0): dynamic/index.js Resource registers
// `pulumi-nodejs:dynamic:Resource` (no module, type "Resource") with the serialized provider
// as the `__provider` input; the dynamic-provider host (cmd/dynamic-provider/index.js
// getProvider) needs nothing of that text but a CommonJS module whose `handler` export returns
// the provider: requireFromString(text).handler(). Written here, the text is a one-line require
// of the installed module, which the host resolves from the project directory's node_modules
// (components/access/boundary/provider-reference.ts has the details), and no render pays the
// SDK's closure serializer (an inspector session and a closure analysis per provider object).

/** The type token of every dynamic resource (@pulumi/pulumi dynamic/index.js Resource). */
export const dynamicResourceType = "pulumi-nodejs:dynamic:Resource";

/** `__provider` for a provider that is the exports of the installed module `moduleName`. */
export function installedProviderText(moduleName: string): string {
    return `exports.handler = () => require(${JSON.stringify(moduleName)});\n`;
}
