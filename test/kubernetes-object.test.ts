// Issue 25 (render CPU): a sandbox's Kubernetes objects are registered without their
// @pulumi/kubernetes classes (components/kubernetes-object.ts). The engine must not be able to
// tell: the registration request (type, parent, dependencies, property dependencies, provider
// version, aliases, options) and the inputs are the ones the class sends for the same arguments
// and options, captured from the SDK's own mock monitor.

import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesKind, KubernetesObject, kubernetesType } from "../components/kubernetes-object";
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
            const ours = new KubernetesObject(kind, `ours-${kind}`, args(dependency) as never, opts);
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
        const ours = new KubernetesObject("ConfigMap", "ours", { metadata: metadata("x"), data: { a: "b" } });
        const theirs = new k8s.core.v1.ConfigMap("theirs", { metadata: metadata("x"), data: { a: "b" } });
        const outputs = (resource: pulumi.Resource) => Object.keys(resource).filter((key) => pulumi.Output.isInstance((resource as unknown as Record<string, unknown>)[key])).sort();
        assert.deepStrictEqual(outputs(ours), ["apiVersion", "data", "id", "kind", "metadata", "urn"]);
        assert.deepStrictEqual(outputs(theirs), ["apiVersion", "binaryData", "data", "id", "immutable", "kind", "metadata", "urn"]);
    });
});
