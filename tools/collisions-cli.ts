// `npm run collisions -- <environment>`: renders every stack of one environment (the stack files in
// stacks/ whose sandbox-platform:environment is it: the platform stack and its team stacks, or an
// all-in-one stack) and lists every object two stacks would create (tools/collisions.ts).
// Exit codes: 0 none; 1 collisions; 2 no such environment or an invalid stack file.

import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../components/config/errors";
import { rawFromPulumiConfig } from "../components/config/load";
import { findCollisions } from "./collisions";
import { RenderResult, renderStack, repoRoot } from "./render-stack";
import { StackFileError, readStackConfig } from "./stack-config";

/** Stack names of one environment, from the files in stacks/. */
export function environmentStacks(environment: string, dir = path.join(repoRoot, "stacks")): string[] {
    return fs.readdirSync(dir).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((stack): stack is string => stack !== undefined)
        .filter((stack) => rawFromPulumiConfig(readStackConfig(path.join(dir, `Pulumi.${stack}.yaml`)).config).environment === environment)
        .sort();
}

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
    if (argv.length !== 1 || argv[0].startsWith("-")) {
        err.write("usage: npm run collisions -- <environment>\n");
        return 2;
    }
    const environment = argv[0];
    let renders: RenderResult[];
    try {
        const stacks = environmentStacks(environment);
        if (stacks.length === 0) {
            err.write(`no stack file in stacks/ has sandbox-platform:environment: ${environment}\n`);
            return 2;
        }
        renders = [];
        for (const stack of stacks) {
            renders.push(await renderStack(stack));
        }
    } catch (error) {
        if (error instanceof ConfigError) {
            err.write(`invalid configuration:\n${error.issues.map((issue) => `  ${issue.key}: ${issue.detail}`).join("\n")}\n`);
            return 2;
        }
        if (error instanceof StackFileError) {
            err.write(`invalid configuration: ${error.message}\n`);
            return 2;
        }
        throw error;
    }
    const collisions = findCollisions(renders);
    for (const collision of collisions) {
        out.write(`${collision.object}: created by ${collision.creators.map((creator) => `${creator.stack} (${creator.urn})`).join(" and ")}\n`);
    }
    out.write(`${environment}: ${renders.length} stacks (${renders.map((render) => render.stack).join(", ")}), ${collisions.length} collision(s)\n`);
    return collisions.length > 0 ? 1 : 0;
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
    return new Promise((resolve) => stream.write("", () => resolve()));
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error) => {
        process.stderr.write(`collisions failed: ${error?.stack ?? error}\n`);
        return 3;
    }).then(async (code) => {
        process.exitCode = code;
        await Promise.all([drained(process.stdout), drained(process.stderr)]);
        // The Pulumi runtime may hold handles open; everything is written, so leave now.
        process.exit(code);
    });
}
