// A Kubernetes object registered as its @pulumi/kubernetes class registers it, without the
// class: for the objects every sandbox has (two PVCs, the sshd ConfigMap, the Deployment and
// the Service), the render's and `pulumi up`'s dearest per-developer work after Boundary.
//
// From @pulumi/kubernetes 4.34.2's generated classes (core/v1/persistentVolumeClaim.js,
// core/v1/configMap.js, core/v1/service.js, apps/v1/deployment.js): the constructor sets
// apiVersion and kind, copies each of the kind's top-level fields from the arguments, and adds
// its output-only ones as undefined (`status`; a ConfigMap's unset `binaryData` and
// `immutable` are copied as undefined too); it merges its package's default options
// (utilities.resourceOptsDefaults(): `{ version }`) under the caller's, and a Deployment adds
// aliases to the types of its earlier API versions. The SDK then makes an Output of four
// promises, each capturing a stack trace, for every property it is given (runtime/rpc.js
// transferProperties) and leaves the undefined ones out of the request
// (serializeFilteredProperties). Registered here with the defined fields only, the engine
// receives the class's request: the same type, inputs, options, provider version and aliases
// (test/kubernetes-object.test.ts, through the SDK's mock monitor). The objects are used as
// dependencies only; nothing reads their outputs.

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { k8sClasses } from "./provider-classes";
import { classTypeToken, requireClassInputs } from "./class-free";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { resourceOptsDefaults } = require("@pulumi/kubernetes/utilities") as { resourceOptsDefaults(): pulumi.CustomResourceOptions };

/**
 * The classes this registers as: for each kind, the apiVersion its constructor sets, the fields it
 * copies from the arguments in the order it assigns them (its input order: the SDK serializes the
 * inputs, and so lists a resource's dependencies, in that order; output-only ones left out), the
 * fields it requires, and the aliases it adds (a Deployment's, to its earlier API versions).
 * test/kubernetes-object.test.ts reads the field order from each class's constructor.
 */
const kinds = {
    PersistentVolumeClaim: { type: k8sClasses.core.v1.PersistentVolumeClaim, apiVersion: "v1", fields: ["apiVersion", "kind", "metadata", "spec"], required: [], aliases: {} },
    ConfigMap: { type: k8sClasses.core.v1.ConfigMap, apiVersion: "v1", fields: ["apiVersion", "binaryData", "data", "immutable", "kind", "metadata"], required: [], aliases: {} },
    Service: { type: k8sClasses.core.v1.Service, apiVersion: "v1", fields: ["apiVersion", "kind", "metadata", "spec"], required: [], aliases: {} },
    Deployment: {
        type: k8sClasses.apps.v1.Deployment, apiVersion: "apps/v1", fields: ["apiVersion", "kind", "metadata", "spec"], required: ["spec"],
        aliases: { aliases: ["kubernetes:apps/v1beta1:Deployment", "kubernetes:apps/v1beta2:Deployment", "kubernetes:extensions/v1beta1:Deployment"].map((type) => ({ type })) },
    },
};

export type KubernetesKind = keyof typeof kinds;
type ArgsOf<K extends KubernetesKind> = {
    PersistentVolumeClaim: k8s.core.v1.PersistentVolumeClaimArgs;
    ConfigMap: k8s.core.v1.ConfigMapArgs;
    Service: k8s.core.v1.ServiceArgs;
    Deployment: k8s.apps.v1.DeploymentArgs;
}[K];

/** The type token of a kind's class (its `__pulumiType`, e.g. `kubernetes:apps/v1:Deployment`). */
export function kubernetesType(kind: KubernetesKind): string {
    return classTypeToken(kinds[kind].type);
}

/** The fields a kind's class copies from its arguments, in its order (apiVersion and kind its constants), and those it requires. */
export function kubernetesFields(kind: KubernetesKind): { fields: readonly string[]; required: readonly string[] } {
    return { fields: kinds[kind].fields, required: kinds[kind].required };
}

/** The class's inputs, in its order: apiVersion and kind, and the arguments' set fields among those it copies. */
function inputsOf(kind: KubernetesKind, args: object, opts: pulumi.CustomResourceOptions): Record<string, unknown> {
    if (opts.id) {
        // The class's read path (`get`): it sends no inputs and its outputs are the object's state.
        throw new Error(`KubernetesObject.${kind} registers a ${kind}; to read an existing one (the \`id\` option), use k8s.${kinds[kind].apiVersion === "v1" ? "core.v1" : "apps.v1"}.${kind}.get`);
    }
    requireClassInputs(kinds[kind].required, args, opts);
    const given = args as Record<string, unknown>;
    const inputs: Record<string, unknown> = {};
    for (const field of kinds[kind].fields) {
        const value = field === "apiVersion" ? kinds[kind].apiVersion : field === "kind" ? kind : given[field];
        if (value !== undefined) {
            inputs[field] = value;
        }
    }
    return inputs;
}

/**
 * A class that registers what `new k8sClasses.<group>.<version>.<kind>(name, args, opts)` registers, apart
 * from output-only properties. A class (not a function around one) so that the resource is
 * registered as many frames deep as the @pulumi/kubernetes class would be: the SDK captures the
 * call stack of every registration (test/program-runner.test.ts holds its depth). Its prototype
 * inherits the @pulumi/kubernetes class's (whose prototype holds only its constructor), so a
 * transformation or other code that asks `resource instanceof k8s.apps.v1.Deployment` finds it.
 */
function registeredAs<K extends KubernetesKind>(kind: K): new (name: string, args: ArgsOf<K>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource {
    const Registered = class extends pulumi.CustomResource {
        constructor(name: string, args: ArgsOf<K>, opts: pulumi.CustomResourceOptions = {}) {
            super(kubernetesType(kind), name, inputsOf(kind, args, opts), pulumi.mergeOptions(pulumi.mergeOptions(resourceOptsDefaults(), opts), kinds[kind].aliases));
        }
    };
    const classPrototype = (kinds[kind].type as unknown as { prototype: object }).prototype;
    // Only when the class extends this same copy of the SDK's CustomResource (npm dedupes
    // @pulumi/pulumi; a second copy under @pulumi/kubernetes would bring its own methods).
    if (Object.getPrototypeOf(classPrototype) === pulumi.CustomResource.prototype) {
        Object.setPrototypeOf(Registered.prototype, classPrototype);
    }
    return Registered;
}

/** `new KubernetesObject.Deployment(name, args, opts)` registers what `new k8sClasses.apps.v1.Deployment(name, args, opts)` does, without its output-only properties. */
export const KubernetesObject: { [K in KubernetesKind]: new (name: string, args: ArgsOf<K>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource } = {
    PersistentVolumeClaim: registeredAs("PersistentVolumeClaim"),
    ConfigMap: registeredAs("ConfigMap"),
    Service: registeredAs("Service"),
    Deployment: registeredAs("Deployment"),
};
