// The `__provider` text a dynamic resource of a plan was registered with: plan.json leaves it out
// (tools/program-runner.ts redactSecrets), the floor puts it back and the state model counts it.
// Light on purpose: the floor imports it, and must load nothing the render would not.

import { boundaryProviderText } from "../components/access/boundary/provider-reference";
import { boundarySecretOutputs } from "../components/access/boundary/resources";
import { dynamicResourceType } from "../components/installed-provider";
import { poolAssignmentKind } from "../components/sandboxes/pool-assignment-provider";
import { poolAssignmentProviderText } from "../components/sandboxes/pool-assignment-resource";

/** The pool assignment's text for a pool assignment, the Boundary resources' for any other dynamic resource; undefined for the rest. */
export function registeredProviderText(resource: { type: string; inputs: Record<string, unknown> }): string | undefined {
    if (resource.type !== dynamicResourceType) {
        return undefined;
    }
    return resource.inputs.kind === poolAssignmentKind ? poolAssignmentProviderText : boundaryProviderText;
}

/** The `additionalSecretOutputs` a dynamic resource of a plan was registered with: a Boundary resource's; none for the rest. */
export function registeredSecretOutputs(resource: { type: string; inputs: Record<string, unknown> }): readonly string[] | undefined {
    return registeredProviderText(resource) === boundaryProviderText ? boundarySecretOutputs : undefined;
}
