// What a Boundary resource's state carries as its dynamic provider: a one-line module that
// `require`s the installed provider module (72 bytes) instead of the provider's whole code
// (about 24 KB per resource, stored in its inputs and again in its outputs).
//
// Why this works, from the SDK's source (@pulumi/pulumi 3.270.0):
// - dynamic/index.js serializeProvider: serializeFunction(() => provider); runtime/
//   closure/createClosure.js findNormalizedModuleNameAsync + captureModuleAsync: a
//   captured value that is the `exports` of a module loaded from a path with a
//   node_modules segment is written as `require("<package>")`, not serialized by value
//   (local modules, like everything under components/, are copied by value);
// - packages/boundary-provider is a `file:` dependency that npm copies (install-links,
//   .npmrc) into node_modules/@sandbox-platform/boundary-provider, and its exports are
//   the provider object itself;
// - cmd/dynamic-provider/index.js getProvider: requireFromString(props.__provider)
//   .handler(); require-from-string 2.0.2 gives that module the node_modules paths of
//   the working directory (Module._nodeModulePaths(path.dirname(""))), and the CLI starts
//   the host in the project directory (pulumi/pulumi sdk/go/common/resource/plugin/
//   plugin.go execPlugin: cmd.Dir = pwd; pkg/engine/project.go getPwdMain: the directory
//   of Pulumi.yaml's main; sdk/nodejs/dist/pulumi-resource-pulumi-nodejs itself resolves
//   @pulumi/pulumi from there). So `pulumi destroy` and `refresh` from a fresh clone
//   resolve it after `npm ci`, exactly as the host resolves @pulumi/pulumi.
// The host caches a provider per distinct __provider text, so the module loads once per
// process, and edits to the provider's code no longer change any resource's state.
//
// Since then (issue 25, the two missed targets) the program writes that text itself
// instead of asking the SDK's serializer for it: `boundaryProviderText` below. The host
// needs nothing but a module whose `handler` export returns the provider
// (getProvider: requireFromString(text).handler()); the serializer's version of the same
// reference was 275 bytes (its `with (...)` wrapper around `() => provider` and a
// `const provider = require(...)`), stored twice per Boundary resource, and producing
// it cost every render with Boundary resources an inspector session and a closure
// analysis (runtime/closure/v8Hooks.js, createClosure.js: about 0.3 s of CPU, profiled).

import * as pulumi from "@pulumi/pulumi";
import { installedProviderText } from "../../installed-provider";

/** The installed module whose exports are the Boundary provider (packages/boundary-provider). */
export const boundaryProviderModule = "@sandbox-platform/boundary-provider";

/**
 * `__provider` of every Boundary resource: a CommonJS module whose `handler` returns the
 * installed provider module's exports. Loaded by the SDK's dynamic-provider host with
 * require-from-string in the project directory, so `require` resolves the copy in
 * node_modules (see above).
 */
export const boundaryProviderText = installedProviderText(boundaryProviderModule);

/**
 * The Boundary provider as the installed module exports it: the object to create Boundary
 * resources with (its identity is what lets the serializer write `require(...)`).
 */
export function installedBoundaryProvider(): pulumi.dynamic.ResourceProvider {
    return require(boundaryProviderModule) as pulumi.dynamic.ResourceProvider;
}
