// A separate process that writes a render of `count` files tagged `tag` into `target`
// (used to race renders against each other). Exit 0 written, 2 refused.
import { OutputRefused, writeRender } from "../../tools/render-output";

const [target, tag, count] = process.argv.slice(2);
const files = new Map<string, string>();
for (let i = 0; i < Number(count); i++) {
    files.set(`kubernetes/ns-${i % 7}/object-${i}.yaml`, `tag: ${tag}\nindex: ${i}\n${"x".repeat(2000)}\n`);
}
files.set("plan.json", JSON.stringify({ tag, count: Number(count) }));
try {
    writeRender(target, "race", files);
    process.exitCode = 0;
} catch (error) {
    if (error instanceof OutputRefused) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
    } else {
        process.stderr.write(`${(error as Error).stack}\n`);
        process.exitCode = 3;
    }
}
