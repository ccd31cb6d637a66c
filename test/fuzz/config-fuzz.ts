// Fuzz run of the render command's logic, in-process (the same code path as
// `npm run render -- fuzz --config - --out DIR`, exit-code mapping included; an exception
// escaping main() is what the entry turns into exit 3). Prints the exit-code histogram.
//
//   node -r ts-node/register/transpile-only test/fuzz/config-fuzz.ts [cases=2000] [seed=42] [validShare=0.1]

import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough, Readable } from "stream";
import { main } from "../../tools/render-cli";
import { mutatedConfig, stackFileText, validConfig } from "../helpers/config-arbitraries";

async function run(): Promise<void> {
    const [cases = "2000", seed = "42", validShare = "0.1"] = process.argv.slice(2);
    const total = Number(cases);
    const every = Math.max(1, Math.round(1 / Number(validShare)));
    const random = fc.sample(fc.tuple(validConfig, mutatedConfig), { numRuns: total, seed: Number(seed) }).map(([good, bad], i) => [i % every === 0 ? 0 : 1, good, bad] as const);
    const histogram: Record<string, number> = {};
    const unkeyed: string[] = [];
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "config-fuzz-"));
    const started = Date.now();
    let valid = 0;
    for (const [i, [coin, good, bad]] of random.entries()) {
        const useValid = coin === 0;
        valid += useValid ? 1 : 0;
        const text = stackFileText(useValid ? good : bad);
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        let err = "";
        stderr.on("data", (chunk) => (err += chunk));
        let out = "";
        stdout.on("data", (chunk) => (out += chunk));
        let code: number;
        try {
            code = await main(["fuzz", "--config", "-", "--out", path.join(root, String(i))], { stdin: Readable.from([text]), stdout, stderr });
        } catch (error) {
            code = 3;
            err += String((error as Error).stack);
        }
        const key = `${useValid ? "valid" : "mutated"} exit ${code}`;
        histogram[key] = (histogram[key] ?? 0) + 1;
        if (code === 2 && !/^ {2}sandbox-platform:\S+: /m.test(err) && !/^invalid configuration: /m.test(err)) {
            unkeyed.push(err);
        }
        if (code === 3 || (useValid && code !== 0)) {
            process.stderr.write(`case ${i} (${key}):\n${text}\n${err}\n${out.split("\n").filter((line) => /\[mandatory\]/.test(line) || /^ {6}/.test(line)).slice(0, 6).join("\n")}\n`);
        }
        if ((i + 1) % 100 === 0) {
            process.stderr.write(`${i + 1}/${total} ${JSON.stringify(histogram)} ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
        }
        fs.rmSync(path.join(root, String(i)), { recursive: true, force: true });
    }
    fs.rmSync(root, { recursive: true, force: true });
    process.stdout.write(`${JSON.stringify({ cases: total, valid, histogram, exit2WithoutKey: unkeyed.length, seconds: Math.round((Date.now() - started) / 1000) }, null, 2)}\n`);
}

run().then(() => process.exit(0), (error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
});
