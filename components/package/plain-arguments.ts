// Plain arguments must be known when the program runs. The schema marks every argument but the
// secrets `plain`, and the languages' SDKs send a plain value as it is; but the engine asks the
// plugin to accept output values (Configure answers acceptOutputs, pkg/resource/plugin/
// provider_plugin.go), so a value that is another resource's output, or a secret (a secret config
// value in Pulumi YAML, `config.require_secret` in Python), reaches Construct as an output value,
// and the Node.js SDK's provider hands it to the component as an Output
// (@pulumi/pulumi provider/server.js deserializeInputs). Validating an Output as if it were the value
// fails far from the cause; this names the argument instead.

import * as pulumi from "@pulumi/pulumi";

/** The argument paths (`teams[0].name`) whose value is an Output or unknown, in argument order. */
export function notKnownPaths(value: unknown, at: string): string[] {
    if (pulumi.Output.isInstance(value) || pulumi.isUnknown(value)) {
        return [at];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, index) => notKnownPaths(item, `${at}[${index}]`));
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, item]) => notKnownPaths(item, at === "" ? key : `${at}.${key}`));
    }
    return [];
}

/** A component's argument errors, one line per problem, each starting with the argument's path. */
export function invalidArguments(kind: string, component: string, lines: string[]): Error {
    return new Error(`${kind} ${component}: invalid arguments:\n${lines.join("\n")}`);
}

/**
 * Throws, naming each argument, when a plain argument (every key of `args` but `inputs`) holds an
 * Output, a secret or an unknown value; the message has the shape of the arguments' other errors.
 */
export function requireKnownArguments(kind: string, component: string, args: object, inputs: readonly string[]): void {
    const paths = Object.entries(args)
        .filter(([key]) => !inputs.includes(key))
        .flatMap(([key, value]) => notKnownPaths(value, key));
    if (paths.length > 0) {
        const lines = paths.map((path) => `${path}: is a secret or another resource's output; this argument is plain: ` +
            "give a value known when the program runs (a literal or a plain config value)");
        throw invalidArguments(kind, component, lines);
    }
}
