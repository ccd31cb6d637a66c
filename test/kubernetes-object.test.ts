// Issue 25 (render CPU): a sandbox's Kubernetes objects are registered without their
// @pulumi/kubernetes classes (components/kubernetes-object.ts). The engine must not be able to
// tell: the registration request (type, parent, dependencies, property dependencies, provider
// version, aliases, options) and the inputs are the ones the class sends for the same arguments
// and options, captured from the SDK's own mock monitor.

import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesKind, KubernetesObject, kubernetesFields, kubernetesType } from "../components/kubernetes-object";
import { captureRegistrations, registered } from "./helpers/capturing-monitor";

const labels = { "app.kubernetes.io/name": "sandbox", "sandbox-platform.io/sandbox": "alpha-alice" };
const metadata = (name: string) => ({ name, namespace: "sbx-alpha", labels });

/** Arguments like the sandbox's, one set per kind, some through Outputs. */
const cases: { kind: KubernetesKind; args: (dependency: pulumi.CustomResource) => Record<string, unknown>; options?: pulumi.CustomResourceOptions; Class: new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource }[] = [
    {
        kind: "PersistentVolumeClaim", Class: k8s.core.v1.PersistentVolumeClaim,
        args: () => ({ metadata: metadata("alpha-alice-home"), spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "30Gi" } }, storageClassName: "local-path" } }),
        options: { retainOnDelete: true, ignoreChanges: ["spec.resources", "spec.storageClassName"] },
    },
    {
        kind: "ConfigMap", Class: k8s.core.v1.ConfigMap,
        // A pool member's sshd ConfigMap: its data comes from an Output (the assignment).
        args: (dependency) => ({ metadata: metadata("alpha-alice-sshd"), data: { principals: dependency.id.apply((id) => `alice ${id}\n`) } }),
    },
    {
        kind: "Service", Class: k8s.core.v1.Service,
        args: () => ({ metadata: metadata("alpha-alice"), spec: { selector: labels, ports: [{ name: "ssh", port: 22, targetPort: 2222 }] } }),
    },
    {
        kind: "Deployment", Class: k8s.apps.v1.Deployment,
        args: () => ({
            metadata: { ...metadata("alpha-alice"), annotations: { "pulumi.com/skipAwait": "true" } },
            spec: { replicas: 1, strategy: { type: "Recreate" }, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "dev", image: "ghcr.io/coder/envbox:0.6.7" }] } } },
        }),
    },
];

describe("a sandbox's Kubernetes objects register as their @pulumi/kubernetes classes do (issue 25)", function () {
    this.timeout(60_000);

    for (const { kind, Class, args, options } of cases) {
        it(`${kind}: sends the engine the class's request for the same arguments and options, apart from name and call site`, async () => {
            const requests = await captureRegistrations("sandbox-platform", "kubernetes-object");
            const parent = new pulumi.ComponentResource("sandbox-platform:sandboxes:Sandbox", "alpha-alice");
            const dependency = new k8s.core.v1.ConfigMap("sandbox-start", { metadata: metadata("sandbox-start"), data: { "start.sh": "#!/bin/sh\n" } });
            const opts = { parent, dependsOn: [dependency], ...options };
            const ours = new KubernetesObject[kind](`ours-${kind}`, args(dependency) as never, opts);
            const theirs = new Class(`theirs-${kind}`, args(dependency), opts);
            await Promise.all([registered(ours), registered(theirs)]);

            const mine = requests.get(`ours-${kind}`);
            const reference = requests.get(`theirs-${kind}`);
            assert.ok(mine && reference, "both registered");
            assert.deepStrictEqual(mine.fields, reference.fields);
            assert.deepStrictEqual(mine.inputs, reference.inputs);
            assert.strictEqual(mine.fields.type, kubernetesType(kind));
            assert.strictEqual(mine.fields.type, (Class as unknown as { __pulumiType: string }).__pulumiType);
            assert.strictEqual(mine.fields.version, require("@pulumi/kubernetes/package.json").version, "the provider version @pulumi/kubernetes pins");
            assert.strictEqual(mine.inputs.kind, kind);
            assert.ok((mine.fields.dependenciesList as string[]).length >= 1, "dependsOn is sent");
            if (kind === "Deployment") {
                assert.strictEqual((mine.fields.aliasesList as unknown[]).length, 3, "a Deployment's aliases to its earlier API versions");
            }
        });
    }

    it("leaves out only what the class adds as undefined: output-only properties and unset fields", async () => {
        await captureRegistrations("sandbox-platform", "kubernetes-object-properties");
        const ours = new KubernetesObject.ConfigMap("ours", { metadata: metadata("x"), data: { a: "b" } });
        const theirs = new k8s.core.v1.ConfigMap("theirs", { metadata: metadata("x"), data: { a: "b" } });
        const outputs = (resource: pulumi.Resource) => Object.keys(resource).filter((key) => pulumi.Output.isInstance((resource as unknown as Record<string, unknown>)[key])).sort();
        assert.deepStrictEqual(outputs(ours), ["apiVersion", "data", "id", "kind", "metadata", "urn"]);
        assert.deepStrictEqual(outputs(theirs), ["apiVersion", "binaryData", "data", "id", "immutable", "kind", "metadata", "urn"]);
    });
});

// Red team (issue 25, third pass): what else the engine, the SDK or a user's transformation sees.
describe("a sandbox's Kubernetes objects: the class's property order, fields, read path and transformations (issue 25)", function () {
    this.timeout(60_000);

    type Kind = KubernetesKind;
    const create = (kind: Kind, name: string, args: object, opts?: pulumi.CustomResourceOptions) => new KubernetesObject[kind](name, args as never, opts);
    const classes: Record<Kind, new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource> = {
        PersistentVolumeClaim: k8s.core.v1.PersistentVolumeClaim, ConfigMap: k8s.core.v1.ConfigMap, Service: k8s.core.v1.Service, Deployment: k8s.apps.v1.Deployment,
    };

    it("lists its dependencies in the class's order, which is the class's property order, not the arguments' (a ConfigMap's data before its metadata; a Service's metadata before its spec)", async () => {
        const requests = await captureRegistrations("sandbox-platform", "kubernetes-object-order");
        const first = new k8s.core.v1.ConfigMap("first", { data: { a: "1" } });
        const second = new k8s.core.v1.ConfigMap("second", { data: { a: "2" } });
        const argsOf: Partial<Record<Kind, () => object>> = {
            ConfigMap: () => ({ metadata: { name: first.id.apply((id) => `m-${id}`) }, data: { key: second.id.apply((id) => `d-${id}`) } }),
            Service: () => ({ spec: { selector: { a: first.id } }, metadata: { name: second.id.apply((id) => `s-${id}`) } }),
            Deployment: () => ({ spec: { selector: { matchLabels: { a: first.id } }, template: {} }, metadata: { name: second.id.apply((id) => `s-${id}`) } }),
        };
        for (const [kind, args] of Object.entries(argsOf) as [Kind, () => object][]) {
            const ours = create(kind, `ours-order-${kind}`, args());
            const theirs = new classes[kind](`theirs-order-${kind}`, args());
            await Promise.all([registered(ours), registered(theirs)]);
            const mine = requests.get(`ours-order-${kind}`)!;
            const reference = requests.get(`theirs-order-${kind}`)!;
            assert.strictEqual((reference.fields.dependenciesList as string[]).length, 2, kind);
            assert.deepStrictEqual(mine.fields, reference.fields, kind);
        }
    });

    it("sends only the fields the class copies from its arguments: a `status` or any other key in them is not sent", async () => {
        const requests = await captureRegistrations("sandbox-platform", "kubernetes-object-fields");
        for (const kind of Object.keys(classes) as Kind[]) {
            const args = () => ({ metadata: { name: "x" }, spec: { selector: {} }, data: { a: "b" }, status: { phase: "Bound" }, extra: "not a field", apiVersion: "v0", kind: "Other" });
            const ours = create(kind, `ours-fields-${kind}`, args());
            const theirs = new classes[kind](`theirs-fields-${kind}`, args());
            await Promise.all([registered(ours), registered(theirs)]);
            assert.deepStrictEqual(requests.get(`ours-fields-${kind}`)!.inputs, requests.get(`theirs-fields-${kind}`)!.inputs, kind);
        }
    });

    it("copies the fields each class's constructor copies, in its order, and requires what it requires (read from the constructor of @pulumi/kubernetes 4.34.2's class)", () => {
        for (const kind of Object.keys(classes) as Kind[]) {
            // The generated constructor: `if (!opts.id) { [required checks] resourceInputs["<field>"] = <constant or args?.<field>>; ... } else {`.
            const source = classes[kind].toString();
            const create = source.slice(source.indexOf("if (!opts.id) {"), source.indexOf("else {"));
            const assigned = [...create.matchAll(/resourceInputs\["(\w+)"\] = ([^;]+);/g)];
            const fields = assigned.filter(([, , value]) => !value.includes("/*out*/")).map(([, field]) => field);
            const required = [...create.matchAll(/if \(args\?\.(\w+) === undefined && !opts\.urn\)/g)].map(([, field]) => field);
            assert.ok(fields.includes("metadata"), `${kind}: the constructor was read`);
            assert.deepStrictEqual(kubernetesFields(kind), { fields, required }, kind);
        }
    });

    for (const preview of [true, false]) {
        it(`sends the class's request ${preview ? "in a preview, with an unknown input," : "in an update"} with secret inputs and every resource option set`, async () => {
            const requests = await captureRegistrations("sandbox-platform", `kubernetes-object-options-${preview}`, preview);
            const dependency = new k8s.core.v1.ConfigMap("options-dependency", { data: { a: "1" } });
            const provider = new k8s.Provider("options-provider", { namespace: "sbx-alpha" });
            // An unknown value (as a preview has for an id not yet assigned), and one that depends on a resource.
            const pending = preview ? pulumi.output(pulumi.unknown as unknown as string) : pulumi.output("known");
            const fromDependency = dependency.id.apply((id) => `x-${id}`);
            const args = () => ({
                metadata: { name: "n", labels: { a: fromDependency, b: pending } },
                data: { secret: pulumi.secret("principal"), pending }, spec: { selector: { a: pulumi.secret(fromDependency) } },
            });
            const opts: pulumi.CustomResourceOptions = {
                provider, protect: true, ignoreChanges: ["data"], replaceOnChanges: ["spec"], customTimeouts: { create: "1m", delete: "2m" },
                deleteBeforeReplace: true, additionalSecretOutputs: ["data"], deletedWith: dependency, import: "sbx-alpha/n",
                aliases: [{ name: "old" }, "urn:pulumi:s::p::kubernetes:core/v1:Service::older"], retainOnDelete: true, dependsOn: [dependency],
                version: "4.34.1", pluginDownloadURL: "https://example.com/plugins", hideDiffs: ["metadata"],
            };
            for (const kind of Object.keys(classes) as Kind[]) {
                const ours = create(kind, `ours-options-${kind}`, args(), opts);
                const theirs = new classes[kind](`theirs-options-${kind}`, args(), opts);
                await Promise.all([registered(ours), registered(theirs)]);
                const mine = requests.get(`ours-options-${kind}`)!;
                const reference = requests.get(`theirs-options-${kind}`)!;
                assert.deepStrictEqual({ fields: mine.fields, inputs: mine.inputs }, { fields: reference.fields, inputs: reference.inputs }, kind);
                assert.strictEqual(mine.fields.version, "4.34.1", "the caller's version over the package's");
                assert.match(JSON.stringify(mine.inputs), preview ? /04da6b54-80e4-46f7-96ec-b56ff0331ba9/ : /known/, "the unknown sentinel is sent in a preview");
                assert.match(JSON.stringify(mine.inputs), /4dabf18193072939515e22adb298388d/, "a secret is sent in its envelope");
            }
        });
    }

    it("is registered from the caller's frame, as the class is: the same source position and stack trace when both are created from one line", async () => {
        const requests = await captureRegistrations("sandbox-platform", "kubernetes-object-call-site");
        for (const kind of Object.keys(classes) as Kind[]) {
            const args = { metadata: { name: "x" }, spec: { selector: {} }, data: { a: "b" } };
            // A named function: the SDK reads a position only from a frame of the form `at name (file:line:column)`.
            function fromOneLine(Class: typeof classes[Kind], name: string) {
                return new Class(name, args);
            }
            const created: pulumi.CustomResource[] = [];
            for (const [Class, name] of [[KubernetesObject[kind] as typeof classes[Kind], `ours-site-${kind}`], [classes[kind], `theirs-site-${kind}`]] as const) {
                created.push(fromOneLine(Class, name));
            }
            const [ours, theirs] = created;
            await Promise.all([registered(ours), registered(theirs)]);
            const mine = requests.get(`ours-site-${kind}`)!.callSite;
            assert.match(JSON.stringify(mine.sourceposition), /kubernetes-object\.test\.ts/, "the position is the test's line, not kubernetes-object.ts");
            assert.deepStrictEqual(mine, requests.get(`theirs-site-${kind}`)!.callSite, kind);
        }
    });

    it("sends the class's request when the arguments, or their metadata, are one Output (the class reads each field through the Output's lifted properties)", async () => {
        const requests = await captureRegistrations("sandbox-platform", "kubernetes-object-whole-output");
        const dependency = new k8s.core.v1.ConfigMap("whole-dependency", { data: { a: "1" } });
        const whole = () => dependency.id.apply((id) => ({ metadata: { name: `n-${id}` }, spec: { selector: { a: id } }, data: { id } }));
        const metadataOnly = () => ({ metadata: dependency.id.apply((id) => ({ name: `n-${id}`, labels: { a: id } })), spec: { selector: {} }, data: { a: "b" } });
        for (const [label, args] of [["whole", whole], ["metadata", metadataOnly]] as const) {
            for (const kind of Object.keys(classes) as Kind[]) {
                const ours = create(kind, `ours-${label}-${kind}`, args());
                const theirs = new classes[kind](`theirs-${label}-${kind}`, args());
                await Promise.all([registered(ours), registered(theirs)]);
                const mine = requests.get(`ours-${label}-${kind}`)!;
                const reference = requests.get(`theirs-${label}-${kind}`)!;
                assert.ok(JSON.stringify(reference.inputs).includes("whole-dependency-id"), `${label} ${kind}: the class sent the Output's values`);
                assert.deepStrictEqual({ fields: mine.fields, inputs: mine.inputs }, { fields: reference.fields, inputs: reference.inputs }, `${label} ${kind}`);
            }
        }
    });

    it("refuses the read path (the `id` option), where the class sends no inputs and reads the object's state", async () => {
        await captureRegistrations("sandbox-platform", "kubernetes-object-read");
        for (const kind of Object.keys(classes) as Kind[]) {
            assert.throws(() => create(kind, `ours-read-${kind}`, { metadata: { name: "x" }, spec: {} }, { id: "sbx-alpha/x" }), /the `id` option.*k8s\./s, kind);
        }
    });

    it("throws the class's error for a Deployment without a spec (\"Missing required property 'spec'\")", async () => {
        await captureRegistrations("sandbox-platform", "kubernetes-object-required");
        assert.throws(() => new k8s.apps.v1.Deployment("theirs-nospec", { metadata: { name: "x" } } as never), /Missing required property 'spec'/);
        assert.throws(() => create("Deployment", "ours-nospec", { metadata: { name: "x" } }), /Missing required property 'spec'/);
    });

    it("shows a stack transformation what the class shows it: the type, name and options, the same set properties, and a resource that is an instance of the class", async () => {
        await captureRegistrations("sandbox-platform", "kubernetes-object-transformation");
        const seen = new Map<string, pulumi.ResourceTransformationArgs>();
        const parent = new pulumi.ComponentResource("sandbox-platform:sandboxes:Sandbox", "alpha-bob", {}, {
            transformations: [(args) => { seen.set(args.name, args); return undefined; }],
        });
        for (const kind of Object.keys(classes) as Kind[]) {
            const args = { metadata: { name: "x" }, spec: { selector: {} }, data: { a: "b" } };
            const opts = { parent, retainOnDelete: true };
            const ours = create(kind, `ours-seen-${kind}`, args, opts);
            const theirs = new classes[kind](`theirs-seen-${kind}`, args, opts);
            await Promise.all([registered(ours), registered(theirs)]);
            const mine = seen.get(`ours-seen-${kind}`)!;
            const reference = seen.get(`theirs-seen-${kind}`)!;
            assert.strictEqual(mine.type, reference.type);
            assert.deepStrictEqual(mine.opts, reference.opts, kind);
            const defined = (props: pulumi.Inputs) => Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined));
            assert.deepStrictEqual(defined(mine.props), defined(reference.props), kind);
            assert.strictEqual(Object.getPrototypeOf(classes[kind].prototype), pulumi.CustomResource.prototype, "one copy of the SDK: the class extends this CustomResource");
            assert.ok(reference.resource instanceof classes[kind], `${kind}: the class's own resource`);
            assert.ok(mine.resource instanceof classes[kind], `${kind}: a transformation that asks \`resource instanceof k8s...${kind}\` finds it`);
            assert.ok((classes[kind] as unknown as { isInstance(value: unknown): boolean }).isInstance(mine.resource), kind);
        }
    });
});
