// The SDK floor for the bench: `node tools/run.js bench/floor <plan.json>` registers, in
// one process started like the render, as many plain custom resources as the plan holds,
// each with that resource's own inputs (the same sizes), under the same mock monitor and
// the same runner, and nothing else: no components, no Outputs chains, no policy, no files.
// A dynamic resource's inputs include its `__provider`, which the render registers and plan.json
// leaves out (tools/program-runner.ts redactSecrets): the same text, put back.
//
// With `--provider-classes`, each Kubernetes object of the plan is registered through its
// @pulumi/kubernetes class instead (new k8s.apps.v1.Deployment(name, inputs), ...), everything
// else as before: the same floor plus what the provider SDK's own classes add per resource
// (an output property per class such as `status`, the aliases some classes carry). The bench
// shows it next to the plain floor when BENCH_PROVIDER_FLOOR=1, to tell our cost from theirs.
//
// With `--same-requests`, the floor sends the engine what the render sends for each resource
// (sameRequestsProgram below): the same type, name and parent (so the same URN), components as
// components, the same options, and inputs that hold other resources' ids as their Outputs and
// the render's secrets as secrets, so the same dependencies and propertyDependencies, and a
// StackReference read as the render reads it. It is still the least program that does so: one
// flat loop, one secret Output, no copy of an input it does not change, an id passed as the id
// Output itself, no config, no policy, no files, and no provider SDK loaded (@pulumi/kubernetes
// only with --provider-classes). test/bench-floor.test.ts holds its requests to the render's.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { mapSharing, runProgram } from "../tools/program-runner";
import { registeredProviderText, registeredSecretOutputs } from "./registered-provider-text";
import { mockId, mockIdPattern, redacted } from "../tools/mock-outputs";

class Plain extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: Record<string, unknown>) {
        super(type, name, inputs);
    }
}

type ProviderClass = new (name: string, args: Record<string, unknown>) => pulumi.CustomResource;

/** The @pulumi/kubernetes class of a type token such as `kubernetes:networking.k8s.io/v1:NetworkPolicy`, if it has one. */
function providerClass(type: string): ProviderClass | undefined {
    const match = /^kubernetes:([^/]+)\/([^:]+):(.+)$/.exec(type);
    if (!match) {
        return undefined;
    }
    const [, group, version, kind] = match;
    // Loaded here, for --provider-classes only: the other floors register nothing through it, and
    // loading @pulumi/kubernetes costs a process about 40 ms of CPU that the floor must not carry.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const k8s = require("@pulumi/kubernetes");
    // The SDK's module per API group: core, apps, networking (networking.k8s.io), rbac (rbac.authorization.k8s.io), node, ...
    const module = (k8s as unknown as Record<string, Record<string, Record<string, unknown>>>)[group.split(".")[0]];
    const found = module?.[version]?.[kind];
    return typeof found === "function" ? found as ProviderClass : undefined;
}

/** The inputs the render registered for a plan resource: its plan inputs, and a dynamic resource's `__provider` (last, as the render sends it). */
function registeredInputs(resource: { type: string; inputs: Record<string, unknown> }): Record<string, unknown> {
    const provider = registeredProviderText(resource);
    return provider === undefined ? resource.inputs : { ...resource.inputs, __provider: provider };
}

/** A plan resource as plan.json has it (tools/program-runner.ts CapturedResource). */
export interface FloorResource {
    urn: string; type: string; name: string; parent?: string; custom: boolean; inputs: Record<string, unknown>;
    /** plan.json has protect, retainOnDelete and dependsOn; a captured run (tools/program-runner.ts) also the rest. */
    options: { protect: boolean; retainOnDelete: boolean; dependsOn: string[]; aliases?: unknown[]; ignoreChanges?: string[]; read?: boolean };
}

/** A custom resource of any type, registered as it is given. */
class Custom extends pulumi.CustomResource {}

/** A component registered as the render's are: its type, name and parent, no inputs, then its (empty) outputs. */
class Component extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs({});
    }
}

/**
 * A provider package's component, such as @pulumi/kubernetes' yaml/v2 ConfigGroup: a remote
 * component (its class registers it with `remote: true`, its inputs and the package's version,
 * and the engine constructs its children), so a `dependsOn` on it is a dependency on its URN.
 */
class RemoteComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.ComponentResourceOptions) {
        super(type, name, inputs, opts, true);
    }
}

/** The version a provider package's classes register with (their package.json's, as utilities.getVersion reads it), by type token. */
function packageVersion(type: string): { version?: string } {
    const pkg = type.split(":")[0];
    if (!["kubernetes", "vault", "random"].includes(pkg)) {
        return {};
    }
    if (!versions.has(pkg)) {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        versions.set(pkg, require(`@pulumi/${pkg}/package.json`).version);
    }
    return { version: versions.get(pkg) };
}
const versions = new Map<string, string>();

/** The type token of @pulumi/pulumi's StackReference (stackReference.js), a resource the SDK reads. */
const stackReferenceType = "pulumi:pulumi:StackReference";

/**
 * The least program that registers the plan's resources as the render does (`--same-requests`):
 * the same type, name and parent, the same options (a Boundary resource's secret outputs
 * included), a component as a component; an input holding another resource's mock id holds that
 * resource's `id` Output instead (the same dependency the render's Output made), and the
 * render's secrets (`[secret]` in the plan) are one secret Output. What it cannot rebuild from
 * the plan: a value another resource computes that is not its id (a Vault CA's public key, a
 * token) stays plain text, without the dependency; a secret's content is "[secret]"; options and
 * component outputs the plan does not record are left out; so this floor is, if anything,
 * cheaper than the exact one. A StackReference is read (the SDK's class always is), and a
 * provider package's component is registered as the remote component its class registers.
 */
export function sameRequestsProgram(resources: FloorResource[]): void {
    const byUrn = new Map<string, pulumi.Resource>();
    const byMockId = new Map<string, pulumi.CustomResource>();
    const secret = pulumi.secret(redacted);
    // Returns the value itself wherever nothing in it is replaced (no copy of the plan's inputs),
    // and a resource's `id` Output itself for a text that is that id (no apply): the same request.
    const input = (value: unknown): unknown => {
        if (typeof value === "string") {
            if (value === redacted) {
                return secret;
            }
            if (!value.includes("<id:")) {
                return value;
            }
            const ids = [...new Set(value.match(mockIdPattern) ?? [])].filter((id) => byMockId.has(id));
            if (ids.length === 0) {
                return value;
            }
            if (ids.length === 1) {
                const id = byMockId.get(ids[0])!.id;
                return value === ids[0] ? id : id.apply((resolved) => value.split(ids[0]).join(resolved));
            }
            return pulumi.all(ids.map((id) => byMockId.get(id)!.id)).apply((resolved) =>
                ids.reduce((text, id, i) => text.split(id).join(resolved[i]), value));
        }
        if (Array.isArray(value)) {
            return mapSharing(value, input);
        }
        if (value !== null && typeof value === "object") {
            let copy: Record<string, unknown> | undefined;
            const entries = Object.entries(value);
            for (let i = 0; i < entries.length; i++) {
                const [key, entry] = entries[i];
                const result = input(entry);
                if (copy === undefined && result !== entry) {
                    copy = Object.fromEntries(entries.slice(0, i));
                }
                if (copy !== undefined) {
                    copy[key] = result;
                }
            }
            return copy ?? value;
        }
        return value;
    };
    for (const resource of resources) {
        const { options } = resource;
        const opts: pulumi.CustomResourceOptions = {
            ...(resource.parent ? { parent: byUrn.get(resource.parent) } : {}),
            ...(options.dependsOn.length > 0 ? { dependsOn: options.dependsOn.map((urn) => byUrn.get(urn)!) } : {}),
            ...(options.protect ? { protect: true } : {}),
            ...(options.retainOnDelete ? { retainOnDelete: true } : {}),
            ...(options.aliases?.length ? { aliases: options.aliases as pulumi.Input<pulumi.Alias>[] } : {}),
            ...(options.ignoreChanges?.length ? { ignoreChanges: options.ignoreChanges } : {}),
        };
        let created: pulumi.Resource;
        if (!resource.custom) {
            // A component of a provider package (a type of kubernetes:, vault:, random:) is that package's remote component; the rest are the program's own.
            const version = packageVersion(resource.type);
            created = version.version === undefined ? new Component(resource.type, resource.name, opts)
                : new RemoteComponent(resource.type, resource.name, input(resource.inputs) as pulumi.Inputs, { ...opts, ...version });
        } else {
            const secretOutputs = registeredSecretOutputs(resource);
            const secretOutputsOption = secretOutputs ? { additionalSecretOutputs: [...secretOutputs] } : {};
            // A StackReference is always read, never registered, with the referenced stack's name as its id
            // (@pulumi/pulumi stackReference.js); plan.json does not say which resources were read.
            const read = resource.type === stackReferenceType ? { id: resource.inputs.name as string } : options.read ? { id: mockId(resource.name) } : {};
            const custom = new Custom(resource.type, resource.name, input(registeredInputs(resource)) as pulumi.Inputs, { ...opts, ...secretOutputsOption, ...read, ...packageVersion(resource.type) });
            if (!byMockId.has(mockId(resource.name))) {
                byMockId.set(mockId(resource.name), custom);
            }
            created = custom;
        }
        byUrn.set(resource.urn, created);
    }
}

async function main(): Promise<void> {
    const [planFile, ...flags] = process.argv.slice(2);
    const viaProvider = flags.includes("--provider-classes");
    const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as { resources: FloorResource[] };
    const run = await runProgram({
        stack: "floor", config: {},
        program: () => {
            if (flags.includes("--same-requests")) {
                sameRequestsProgram(plan.resources);
                return;
            }
            plan.resources.forEach((resource, i) => {
                const Class = viaProvider ? providerClass(resource.type) : undefined;
                if (Class) {
                    new Class(`plain-${i}`, resource.inputs);
                } else {
                    new Plain("bench:index:Plain", `plain-${i}`, registeredInputs(resource));
                }
            });
        },
    });
    process.stdout.write(`${run.resources.length}\n`);
}

if (require.main === module) {
    main().catch((error) => { console.error(error); process.exit(1); });
}
