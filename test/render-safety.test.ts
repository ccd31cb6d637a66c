import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputRefused, manifestName, writeRender } from "../tools/render-output";
import { repoRoot } from "../tools/render-stack";
import { main } from "../tools/render-cli";
import { PassThrough, Readable } from "stream";

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "render-safety-"));
}

/** Every file under dir with its content (symlinks as their target), to prove nothing changed. */
function snapshot(dir: string): Record<string, string> {
    const result: Record<string, string> = {};
    const walk = (relative: string) => {
        for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
            const child = path.join(relative, entry.name);
            const full = path.join(dir, child);
            if (entry.isSymbolicLink()) {
                result[child] = `-> ${fs.readlinkSync(full)}`;
            } else if (entry.isDirectory()) {
                result[`${child}/`] = "";
                walk(child);
            } else {
                result[child] = fs.readFileSync(full, "utf8");
            }
        }
    };
    walk("");
    return result;
}

function files(tag: string, count = 3): Map<string, string> {
    return new Map(Array.from({ length: count }, (_, i) => [`kubernetes/ns/object-${i}.yaml`, `${tag} ${i}\n`] as [string, string]));
}

/** The command's logic in this process, with its own streams: exit code and what it printed. */
async function renderInProcess(args: string[], input = ""): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = "";
    let err = "";
    stdout.on("data", (chunk) => (out += chunk));
    stderr.on("data", (chunk) => (err += chunk));
    const code = await main(args, { stdin: Readable.from([input]), stdout, stderr });
    return { code, stdout: out, stderr: err };
}

function renderCli(args: string[], input?: string) {
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "tools/render.ts"), ...args], {
        cwd: repoRoot, encoding: "utf8", input, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
}

describe("render output: the renderer owns only what it writes", () => {
    it("writes a new directory with a manifest listing every file it wrote", () => {
        const out = path.join(tempDir(), "out");
        writeRender(out, "s", files("a"));
        const manifest = JSON.parse(fs.readFileSync(path.join(out, manifestName), "utf8"));
        assert.deepStrictEqual(manifest.files, [...files("a").keys()].sort());
        assert.strictEqual(fs.readFileSync(path.join(out, "kubernetes/ns/object-0.yaml"), "utf8"), "a 0\n");
    });

    it("replaces a previous render, removing files the new render no longer has, and leaves nothing beside it", () => {
        const parent = tempDir();
        const out = path.join(parent, "out");
        writeRender(out, "s", files("a", 5));
        writeRender(out, "s", files("b", 2));
        assert.deepStrictEqual(Object.keys(snapshot(out)).filter((file) => !file.endsWith("/")).sort(), [manifestName, "kubernetes/ns/object-0.yaml", "kubernetes/ns/object-1.yaml"].sort());
        assert.strictEqual(fs.readFileSync(path.join(out, "kubernetes/ns/object-1.yaml"), "utf8"), "b 1\n");
        assert.deepStrictEqual(fs.readdirSync(parent), ["out"], "no staging, retired or lock entries left");
    });

    it("accepts an existing empty directory", () => {
        const out = tempDir();
        writeRender(out, "s", files("a"));
        assert.ok(fs.existsSync(path.join(out, manifestName)));
    });

    it("refuses a user directory with files and changes nothing in it", () => {
        const out = tempDir();
        fs.writeFileSync(path.join(out, "notes.txt"), "mine");
        fs.mkdirSync(path.join(out, ".git"));
        fs.writeFileSync(path.join(out, ".git/HEAD"), "ref: refs/heads/main\n");
        const before = snapshot(out);
        assert.throws(() => writeRender(out, "s", files("a")), (error: unknown) => error instanceof OutputRefused && /not a previous render/.test(error.message));
        assert.deepStrictEqual(snapshot(out), before);
        assert.deepStrictEqual(fs.readdirSync(path.dirname(out)).filter((entry) => entry.startsWith(`.${path.basename(out)}.`)), []);
    });

    it("refuses a previous render a user has added a file to, and keeps that file", () => {
        const out = path.join(tempDir(), "out");
        writeRender(out, "s", files("a"));
        fs.writeFileSync(path.join(out, "kubernetes/ns/my-patch.yaml"), "mine");
        const before = snapshot(out);
        assert.throws(() => writeRender(out, "s", files("b")), (error: unknown) => error instanceof OutputRefused && /my-patch\.yaml/.test(error.message));
        assert.deepStrictEqual(snapshot(out), before);
    });

    it("refuses a forged or corrupt manifest that does not list the directory's files", () => {
        const out = tempDir();
        fs.writeFileSync(path.join(out, manifestName), "{not json");
        fs.writeFileSync(path.join(out, "keep.txt"), "mine");
        assert.throws(() => writeRender(out, "s", files("a")), OutputRefused);
        assert.strictEqual(fs.readFileSync(path.join(out, "keep.txt"), "utf8"), "mine");
    });

    it("refuses a regular file and a symbolic link as --out", () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, "file"), "mine");
        fs.mkdirSync(path.join(dir, "real"));
        fs.symlinkSync(path.join(dir, "real"), path.join(dir, "link"));
        assert.throws(() => writeRender(path.join(dir, "file"), "s", files("a")), /not a directory/);
        assert.throws(() => writeRender(path.join(dir, "link"), "s", files("a")), /symbolic link/);
        assert.strictEqual(fs.readFileSync(path.join(dir, "file"), "utf8"), "mine");
        assert.deepStrictEqual(fs.readdirSync(path.join(dir, "real")), []);
    });

    it("keeps the previous render whole when writing the new one fails", () => {
        const parent = tempDir();
        const out = path.join(parent, "out");
        writeRender(out, "s", files("a"));
        const before = snapshot(out);
        const bad = files("b");
        bad.set("../escape.yaml", "x");
        assert.throws(() => writeRender(out, "s", bad), /outside the output directory/);
        assert.deepStrictEqual(snapshot(out), before);
        assert.deepStrictEqual(fs.readdirSync(parent), ["out"]);
    });

    it("refuses while another live render holds the lock, and takes over a lock whose process is gone", () => {
        const parent = tempDir();
        const out = path.join(parent, "out");
        const lock = path.join(parent, ".out.render-lock");
        fs.writeFileSync(lock, `${process.pid}\n`);
        assert.throws(() => writeRender(out, "s", files("a")), /another render \(process \d+\) is writing/);
        assert.strictEqual(fs.existsSync(out), false);
        const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
        fs.writeFileSync(lock, `${gone}\n`);
        writeRender(out, "s", files("a"));
        assert.strictEqual(fs.existsSync(lock), false);
    });

    it("leaves one complete render when four renders race into the same directory (each writes or refuses)", async function () {
        this.timeout(600000);
        const parent = tempDir();
        const out = path.join(parent, "out");
        const count = 200;
        const runs = await Promise.all(["a", "b", "c", "d"].map((tag) => new Promise<{ tag: string; code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "test/helpers/write-render-child.ts"), out, tag, String(count)], { cwd: repoRoot });
            let stderr = "";
            child.stderr.on("data", (chunk) => (stderr += chunk));
            child.on("close", (code) => resolve({ tag, code, stderr }));
        })));
        for (const run of runs) {
            assert.ok(run.code === 0 || run.code === 2, `${run.tag} exited ${run.code}: ${run.stderr}`);
        }
        assert.ok(runs.some((run) => run.code === 0));
        const manifest = JSON.parse(fs.readFileSync(path.join(out, manifestName), "utf8"));
        const plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
        assert.strictEqual(manifest.files.length, count + 1);
        for (const file of manifest.files.filter((name: string) => name !== "plan.json")) {
            assert.ok(fs.readFileSync(path.join(out, file), "utf8").startsWith(`tag: ${plan.tag}\n`), `${file} is from another render than plan.json`);
        }
        assert.deepStrictEqual(fs.readdirSync(parent), ["out"]);
    });
});

describe("render command: arguments and inputs that must never cost a file", () => {
    it("refuses --out of a project directory (with .git) with exit 2 before rendering, and deletes nothing", () => {
        const project = tempDir();
        fs.mkdirSync(path.join(project, ".git/objects"), { recursive: true });
        fs.writeFileSync(path.join(project, ".git/HEAD"), "ref: refs/heads/main\n");
        fs.writeFileSync(path.join(project, "index.ts"), "export {};\n");
        const before = snapshot(project);
        const run = renderCli(["dev", "--out", project]);
        assert.strictEqual(run.status, 2, run.stderr);
        assert.match(run.stderr, /not a previous render/);
        assert.deepStrictEqual(snapshot(project), before);
    });

    it("refuses the stack name \"..\" with exit 2 and deletes nothing above the project (a real process)", () => {
        const parentListing = fs.readdirSync(path.dirname(repoRoot)).sort();
        const run = renderCli([".."]);
        assert.strictEqual(run.status, 2, run.stderr);
        assert.match(run.stderr, /is not a DNS-1123 label/);
        // Every entry that was there is still there (other processes may add entries to a
        // shared parent such as /tmp meanwhile; that is not this render's doing).
        const after = new Set(fs.readdirSync(path.dirname(repoRoot)));
        assert.deepStrictEqual(parentListing.filter((entry) => !after.has(entry)), [], "entries above the project were deleted");
    });

    for (const stack of ["../..", ".", "Dev", "a/b", "-"]) {
        it(`refuses the stack name ${JSON.stringify(stack)} with exit 2 (stack names are DNS labels)`, async () => {
            const run = await renderInProcess([stack]);
            assert.strictEqual(run.code, 2, run.stderr);
            assert.match(run.stderr, /is not a DNS-1123 label/);
        });
    }

    it("stops --config /dev/zero at the size limit with exit 2 and a clear error", () => {
        const run = renderCli(["dev", "--config", "/dev/zero", "--out", path.join(tempDir(), "out")]);
        assert.strictEqual(run.status, 2, run.stderr);
        assert.match(run.stderr, /larger than 4 MiB/);
    });

    it("reads --config - from standard input once and pipes --json output over 1 MB complete", function () {
        this.timeout(600000);
        const developers = Array.from({ length: 16 }, (_, i) => `dev${i}`);
        const teams = ["alpha", "beta", "gamma"].map((name) => `    - name: ${name}\n      developers: [${developers.join(", ")}]\n`).join("");
        const config = `config:\n  sandbox-platform:environment: big\n  sandbox-platform:vault:\n    enabled: true\n  sandbox-platform:teams:\n${teams}`;
        const out = path.join(tempDir(), "out");
        const run = renderCli(["big", "--config", "-", "--out", out, "--json"], config);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(run.stdout.length > 1024 * 1024, `only ${run.stdout.length} bytes`);
        const plan = JSON.parse(run.stdout);
        assert.strictEqual(plan.stack, "big");
        assert.strictEqual(plan.outputs.developers.length, 48);
        assert.strictEqual(fs.readFileSync(path.join(out, "plan.json"), "utf8"), run.stdout);
    });
});
