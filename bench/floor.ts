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
import * as fs from "fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../tools/program-runner";
import { registeredProviderText } from "./registered-provider-text";

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

async function main(): Promise<void> {
    const [planFile, ...flags] = process.argv.slice(2);
    const viaProvider = flags.includes("--provider-classes");
    const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as { resources: { type: string; inputs: Record<string, unknown> }[] };
    const run = await runProgram({
        stack: "floor", config: {},
        program: () => {
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

main().catch((error) => { console.error(error); process.exit(1); });
