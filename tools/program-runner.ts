// Runs a Pulumi program under the SDK's mock monitor, inside runInPulumiStack, and
// captures every registered resource with its resolved inputs and its options.
// No engine, no CLI, no cluster. Used by the offline render, the tests and the bench.

import * as pulumi from "@pulumi/pulumi";
import { mockId, redacted, simulateOutputs } from "./mock-outputs";

export const project = "sandbox-platform";

export interface CapturedOptions {
    protect: boolean;
    retainOnDelete: boolean;
    dependsOn: string[];
    aliases: unknown[];
    ignoreChanges: string[];
    /** Read, not created (a `.get` or StackReference: the `id` option): owned by someone else. */
    read: boolean;
}

export interface CapturedResource {
    /** URN as the Pulumi engine forms it (parent type chain, root stack omitted). */
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    options: CapturedOptions;
    inputs: Record<string, any>;
}

export interface ProgramRun {
    stack: string;
    resources: CapturedResource[];
    outputs: Record<string, unknown>;
    /**
     * What the program logged with `pulumi.log.warn`. With no engine the SDK would print each to
     * the console (`warning: [runtime] ...`, @pulumi/pulumi log/index.js `warn`); the render
     * prints its own summary of them, and tests assert on them instead of printing them.
     */
    warnings: string[];
}

export interface RunOptions {
    stack: string;
    /** Pulumi's flat config map ("project:key" → string, structured values JSON-encoded). */
    config: Record<string, string>;
    /** Config keys whose values are secrets. */
    secretKeys?: string[];
    /** Creates the resources; its return value becomes the stack outputs. */
    program: () => unknown;
    /**
     * Mark the run as the offline render (default), so that the program fills deploy-time credentials with
     * placeholders; false makes it behave as under `pulumi up` (tests of that path).
     */
    offline?: boolean;
    /** Outputs a test wants a provider to have computed (overrides the simulation). */
    outputs?: (type: string, name: string) => Record<string, unknown> | undefined;
    /** Called after each registration with the number so far (progress display). */
    onResource?: (count: number) => void;
}

/**
 * A program that loads the module at `modulePath` afresh and runs it as Pulumi's Node.js language
 * host does (cmd/run/run.js, @pulumi/pulumi 3.270.0): an exported function is called and its result
 * is the stack outputs; otherwise the module's exports are.
 */
export function freshProgram(modulePath: string): () => unknown {
    const resolved = require.resolve(modulePath);
    return () => {
        delete require.cache[resolved];
        const exported = require(resolved);
        return exported instanceof Function ? exported() : { ...exported };
    };
}

const secretSigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Replaces every secret-wrapped value by "[secret]"; drops the dynamic provider's serialized code.
 * Copies only the objects and arrays on the way to something replaced or dropped (and any object
 * that is not a plain one) and returns everything else as it is: the render keeps every resource's inputs, and a second deep copy
 * of each would double what a large stack holds in memory.
 */
export function redactSecrets(value: unknown): any {
    if (Array.isArray(value)) {
        return mapSharing(value, redactSecrets);
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[secretSigKey] === secretSig) {
            return redacted;
        }
        const entries = Object.entries(record);
        // Anything but a plain object is copied to one, as before (its own enumerable fields).
        let copy: Record<string, unknown> | undefined = Object.getPrototypeOf(record) === Object.prototype ? undefined : {};
        for (let i = 0; i < entries.length; i++) {
            const [key, entry] = entries[i];
            const result = key === "__provider" ? dropped : redactSecrets(entry);
            if (copy === undefined && result !== entry) {
                copy = Object.fromEntries(entries.slice(0, i));
            }
            if (copy !== undefined && result !== dropped) {
                copy[key] = result;
            }
        }
        return copy ?? value;
    }
    return value;
}

/** A program's return value with Outputs resolved, each secret one (and everything under it) replaced by "[secret]". */
export async function redactSecretOutputs(value: unknown): Promise<any> {
    if (pulumi.Output.isInstance(value)) {
        // isSecret and promise() are the Output class's own (output.js, @pulumi/pulumi 3.270.0), not in its public type.
        const output = value as unknown as { isSecret: Promise<boolean>; promise(): Promise<unknown> };
        if (await output.isSecret) {
            return redacted;
        }
        return redactSecretOutputs(await output.promise());
    }
    if (value instanceof Promise) {
        return redactSecretOutputs(await value);
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(redactSecretOutputs));
    }
    if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        const entries = await Promise.all(Object.entries(value).map(async ([key, entry]) => [key, await redactSecretOutputs(entry)] as const));
        return Object.fromEntries(entries.filter(([, entry]) => entry !== undefined));
    }
    return value;
}

/** `values.map(map)`, but `values` itself when no entry changed, and a copy only from the first change on. */
export function mapSharing<T>(values: T[], map: (value: T) => T): T[] {
    let copy: T[] | undefined;
    for (let i = 0; i < values.length; i++) {
        const entry = map(values[i]);
        if (copy === undefined && entry !== values[i]) {
            copy = values.slice(0, i);
        }
        copy?.push(entry);
    }
    return copy ?? values;
}

/** Marks an entry redactSecrets leaves out. */
const dropped = Symbol("dropped");

interface Registration {
    resource: pulumi.Resource;
    urn: string;
    qualifiedType: string;
    type: string;
    name: string;
    parent?: pulumi.Resource;
    opts: pulumi.CustomResourceOptions;
}

/** The marker components/access/deploy-credentials.ts reads (Symbol.for: no import of the program from here). */
const offlineRenderMarker = Symbol.for("sandbox-platform:offline-render");

/** The prefix @pulumi/pulumi's `log.warn` gives a warning when no engine is connected. */
const sdkWarningPrefix = "warning: [runtime] ";

export async function runProgram(options: RunOptions): Promise<ProgramRun> {
    const markers = globalThis as Record<symbol, unknown>;
    markers[offlineRenderMarker] = options.offline ?? true;
    const warnings: string[] = [];
    const consoleWarn = console.warn;
    console.warn = (...args: unknown[]) => {
        if (args.length === 1 && typeof args[0] === "string" && args[0].startsWith(sdkWarningPrefix)) {
            warnings.push(args[0].slice(sdkWarningPrefix.length));
        } else {
            consoleWarn(...args);
        }
    };
    try {
        return { ...await runMarkedProgram(options), warnings };
    } finally {
        console.warn = consoleWarn;
        delete markers[offlineRenderMarker];
    }
}

async function runMarkedProgram(options: RunOptions): Promise<Omit<ProgramRun, "warnings">> {
    pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
    const registeredByKey = new Map<string, { inputs: Record<string, any>; custom: boolean }[]>();
    let registeredCount = 0;
    await pulumi.runtime.setMocks({
        newResource(args) {
            const inputs = redactSecrets(args.inputs);
            const key = `${args.type}::${args.name}`;
            registeredByKey.set(key, [...(registeredByKey.get(key) ?? []), { inputs, custom: args.custom === true }]);
            options.onResource?.(++registeredCount);
            const state = { ...simulateOutputs(args.type, args.name, args.inputs), ...(options.outputs?.(args.type, args.name) ?? {}) };
            // IDs only a live service assigns: an unmistakable placeholder.
            return { id: args.custom ? mockId(args.name) : undefined, state };
        },
        call(args) {
            return args.inputs;
        },
    }, project, options.stack, false);

    const registrations: Registration[] = [];
    const byResource = new Map<pulumi.Resource, Registration>();
    const stackPrefix = `urn:pulumi:${options.stack}::${project}::`;
    const capture: pulumi.ResourceTransformation = (args) => {
        const parent = args.opts.parent;
        const parentRegistration = parent ? byResource.get(parent) : undefined;
        const qualifiedType = parentRegistration ? `${parentRegistration.qualifiedType}$${args.type}` : args.type;
        const registration: Registration = {
            resource: args.resource, urn: `${stackPrefix}${qualifiedType}::${args.name}`, qualifiedType,
            type: args.type, name: args.name, parent: parentRegistration?.resource,
            opts: args.opts as pulumi.CustomResourceOptions,
        };
        registrations.push(registration);
        byResource.set(args.resource, registration);
        return undefined;
    };

    let returned: unknown;
    const rawOutputs = await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation(capture);
        returned = await options.program();
        return returned;
    });
    await pulumi.runtime.disconnect();

    const taken = new Map<string, number>();
    const resources = registrations.map((registration): CapturedResource => {
        const key = `${registration.type}::${registration.name}`;
        const index = taken.get(key) ?? 0;
        taken.set(key, index + 1);
        const registered = registeredByKey.get(key)?.[index];
        const opts = registration.opts;
        const dependsOn = ([] as unknown[]).concat(opts.dependsOn ?? [])
            .map((dependency) => byResource.get(dependency as pulumi.Resource)?.urn)
            .filter((urn): urn is string => urn !== undefined);
        return {
            urn: registration.urn,
            type: registration.type,
            name: registration.name,
            parent: registration.parent ? byResource.get(registration.parent)?.urn : undefined,
            custom: registered?.custom ?? false,
            options: {
                protect: opts.protect === true,
                retainOnDelete: opts.retainOnDelete === true,
                dependsOn,
                aliases: opts.aliases ?? [],
                ignoreChanges: opts.ignoreChanges ?? [],
                read: (opts as pulumi.CustomResourceOptions).id !== undefined,
            },
            inputs: registered?.inputs ?? {},
        };
    });
    const duplicates = [...taken].filter(([, count]) => count > 1).map(([key]) => key);
    if (duplicates.length > 0) {
        throw new Error(`program registered the same type and name twice (names must be unique per type): ${duplicates.join(", ")}`);
    }
    // The stack outputs as the engine stores them, with every secret output (at any depth) redacted:
    // runInPulumiStack's plain copy has lost which values were secret.
    const outputs = returned !== undefined && returned !== null && typeof returned === "object" ? await redactSecretOutputs(returned) : rawOutputs;
    return { stack: options.stack, resources, outputs: redactSecrets(outputs ?? {}) };
}
