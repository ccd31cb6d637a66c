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

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { resourceOptsDefaults } = require("@pulumi/kubernetes/utilities") as { resourceOptsDefaults(): pulumi.CustomResourceOptions };

/** The classes this registers as, the apiVersion each sets and the aliases each adds (a Deployment's, to its earlier API versions). */
const kinds = {
    PersistentVolumeClaim: { type: k8s.core.v1.PersistentVolumeClaim, apiVersion: "v1", aliases: {} },
    ConfigMap: { type: k8s.core.v1.ConfigMap, apiVersion: "v1", aliases: {} },
    Service: { type: k8s.core.v1.Service, apiVersion: "v1", aliases: {} },
    Deployment: {
        type: k8s.apps.v1.Deployment, apiVersion: "apps/v1",
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
    return (kinds[kind].type as unknown as { __pulumiType: string }).__pulumiType;
}

/** The class's inputs: apiVersion and kind, and the arguments' set top-level fields. */
function inputsOf(kind: KubernetesKind, args: object): Record<string, unknown> {
    const inputs: Record<string, unknown> = { apiVersion: kinds[kind].apiVersion, kind };
    for (const [key, value] of Object.entries(args)) {
        if (value !== undefined && key !== "apiVersion" && key !== "kind") {
            inputs[key] = value;
        }
    }
    return inputs;
}

/**
 * Registers what `new k8s.<group>.<version>.<kind>(name, args, opts)` registers, apart from
 * output-only properties. A class (not a function around one) so that the resource is
 * registered as many frames deep as the @pulumi/kubernetes class would be: the SDK captures the
 * call stack of every registration (test/program-runner.test.ts holds its depth).
 */
export class KubernetesObject<K extends KubernetesKind> extends pulumi.CustomResource {
    constructor(kind: K, name: string, args: ArgsOf<K>, opts: pulumi.CustomResourceOptions = {}) {
        super(kubernetesType(kind), name, inputsOf(kind, args), pulumi.mergeOptions(pulumi.mergeOptions(resourceOptsDefaults(), opts), kinds[kind].aliases));
    }
}
