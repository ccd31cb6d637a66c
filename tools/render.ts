// Offline render: `npm run render -- <stack> [--config FILE|-] [--out DIR] [--json]`.
// Exit codes: 0 no mandatory policy violation; 1 mandatory violations; 2 invalid
// arguments or configuration, or an --out directory it may not replace (nothing
// written); 3 the program itself failed (a bug). See render-cli.ts.

import { exitCodes, main } from "./render-cli";

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
    return new Promise((resolve) => stream.write(text, () => resolve()));
}

/** Ends the process only after stdout and stderr have drained, with the given exit code. */
async function finish(code: number): Promise<void> {
    process.exitCode = code;
    await Promise.all([write(process.stdout, ""), write(process.stderr, "")]);
    // The Pulumi runtime may hold handles open; everything is flushed, so leave now.
    process.exit(code);
}

// A reader that goes away (`| head`) is not an error of ours.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") {
        process.exit(process.exitCode ?? 0);
    }
});
main(process.argv.slice(2)).then(finish, (error) => {
    process.stderr.write(`render failed: ${error?.stack ?? error}\n`);
    return finish(exitCodes.failed);
});
