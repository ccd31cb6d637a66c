// The SDK floor for the bench: `node tools/run.js bench/floor <plan.json>` registers, in
// one process started like the render, as many plain custom resources as the plan holds,
// each with that resource's own inputs (the same sizes), under the same mock monitor and
// the same runner, and nothing else: no components, no Outputs chains, no policy, no files.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../tools/program-runner";

class Plain extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: Record<string, unknown>) {
        super(type, name, inputs);
    }
}

async function main(): Promise<void> {
    const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as { resources: { type: string; inputs: Record<string, unknown> }[] };
    const run = await runProgram({
        stack: "floor", config: {},
        program: () => {
            plan.resources.forEach((resource, i) => new Plain("bench:index:Plain", `plain-${i}`, resource.inputs));
        },
    });
    process.stdout.write(`${run.resources.length}\n`);
}

main().catch((error) => { console.error(error); process.exit(1); });
