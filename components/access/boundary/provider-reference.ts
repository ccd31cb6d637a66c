// What a Boundary resource's state carries as its dynamic provider: a closure of a few
// hundred bytes that `require`s the installed provider module instead of the provider's
// whole code (about 23.6 KB per resource, stored in its inputs and again in its outputs).
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

import * as pulumi from "@pulumi/pulumi";

/** The installed module whose exports are the Boundary provider (packages/boundary-provider). */
export const boundaryProviderModule = "@sandbox-platform/boundary-provider";

/**
 * The Boundary provider as the installed module exports it: the object to create Boundary
 * resources with (its identity is what lets the serializer write `require(...)`).
 */
export function installedBoundaryProvider(): pulumi.dynamic.ResourceProvider {
    return require(boundaryProviderModule) as pulumi.dynamic.ResourceProvider;
}
