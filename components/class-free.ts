// What a resource registered without its generated provider class (kubernetes-object.ts,
// access/vault-ssh-ca.ts VaultResource) takes from the class: its type token and its
// required-input check.

import * as pulumi from "@pulumi/pulumi";

/** A generated provider class's type token: its static `__pulumiType` (marked @internal in its declarations). */
export function classTypeToken(Class: unknown): string {
    return (Class as { __pulumiType: string }).__pulumiType;
}

/** The check a generated class's constructor makes before registering (skipped when `urn` is given), with the class's own message. */
export function requireClassInputs(required: readonly string[], args: object, opts: pulumi.CustomResourceOptions): void {
    const given = args as Record<string, unknown>;
    for (const field of required) {
        if (given[field] === undefined && !opts.urn) {
            throw new Error(`Missing required property '${field}'`);
        }
    }
}
