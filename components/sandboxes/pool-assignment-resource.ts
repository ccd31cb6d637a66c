// A team's warm-pool assignment as a dynamic resource. Its `__provider` is the one-line
// require of the installed module packages/pool-assignment-provider that the program
// writes itself (components/installed-provider.ts), as the Boundary resources' is: 79
// bytes instead of the 2.8 KB the SDK's closure serializer made of the provider, and no
// closure serialization in a render or deploy (docs/operations-scale.md, "Render CPU").

import * as pulumi from "@pulumi/pulumi";
import { dynamicResourceType, installedProviderText } from "../installed-provider";
import { PoolAssignments } from "./pool-assignment";
import { poolAssignmentKind } from "./pool-assignment-provider";

export { poolAssignmentKind };

/** The installed module whose exports are the pool-assignment provider (packages/pool-assignment-provider). */
export const poolAssignmentProviderModule = "@sandbox-platform/pool-assignment-provider";

/** `__provider` of every pool assignment. */
export const poolAssignmentProviderText = installedProviderText(poolAssignmentProviderModule);

/** The pool-assignment provider as the installed module exports it. */
export function installedPoolAssignmentProvider(): pulumi.dynamic.ResourceProvider {
    return require(poolAssignmentProviderModule) as pulumi.dynamic.ResourceProvider;
}

export interface PoolAssignmentArgs {
    /** Team whose pool this assigns. */
    team: string;
    /** Developers on the roster, in roster order. */
    developers: string[];
    /** Number of pool members. */
    poolSize: number;
}

/**
 * Developer → pool member index, kept in Pulumi state so assignments never move.
 * Registered as pulumi.dynamic.Resource registers one (its type, and the inputs with
 * `__provider` last), with the program's provider text.
 */
export class PoolAssignment extends pulumi.CustomResource {
    declare readonly assignments: pulumi.Output<PoolAssignments>;

    constructor(name: string, args: PoolAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
        super(dynamicResourceType, name, { kind: poolAssignmentKind, ...args, assignments: undefined, __provider: poolAssignmentProviderText }, opts);
    }
}
