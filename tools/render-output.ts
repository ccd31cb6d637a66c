// Writing a render without ever touching a file the renderer did not write.
//
// A render is staged in a fresh directory beside the target (same filesystem), with a
// manifest listing every file it holds, and then swapped in with rename(2). An existing
// target is replaced only when it is empty or a previous render whose files are exactly
// those its manifest lists; anything else is refused. A lock file beside the target
// serializes concurrent renders into the same directory: the second one refuses.

import * as fs from "fs";
import * as path from "path";

/** Marks a directory as a render and lists what the render wrote (paths relative to it). */
export const manifestName = ".render-manifest.json";
/** The `kind` of a render manifest (never a Kubernetes kind: it has a space). */
export const manifestKind = "sandbox-platform render";

/** A refusal that leaves everything as it was (exit 2). */
export class OutputRefused extends Error {}

export interface RenderManifest {
    kind: typeof manifestKind;
    version: 1;
    stack: string;
    files: string[];
}

function readManifest(dir: string): RenderManifest | undefined {
    let text: string;
    try {
        text = fs.readFileSync(path.join(dir, manifestName), "utf8");
    } catch {
        return undefined;
    }
    try {
        const manifest = JSON.parse(text) as RenderManifest;
        return manifest?.kind === manifestKind && Array.isArray(manifest.files) && manifest.files.every((file) => typeof file === "string") ? manifest : undefined;
    } catch {
        return undefined;
    }
}

/** Every entry under `dir`, relative, files and symlinks as leaves (symlinks are never followed). */
function listTree(dir: string): { files: string[]; dirs: string[] } {
    const files: string[] = [];
    const dirs: string[] = [];
    const walk = (relative: string) => {
        for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
            const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
            if (entry.isDirectory()) {
                dirs.push(child);
                walk(child);
            } else {
                files.push(child);
            }
        }
    };
    walk("");
    return { files, dirs };
}

function describe(list: string[]): string {
    return list.length <= 5 ? list.join(", ") : `${list.slice(0, 5).join(", ")} and ${list.length - 5} more`;
}

/** Why `dir` may not be replaced by a render, or undefined when it may (missing, empty, or exactly a previous render). */
export function replaceProblem(dir: string): string | undefined {
    let stat: fs.Stats;
    try {
        stat = fs.lstatSync(dir);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            return undefined;
        }
        return `cannot inspect ${dir}: ${(error as Error).message}`;
    }
    if (stat.isSymbolicLink()) {
        return `${dir} is a symbolic link; give the real directory`;
    }
    if (!stat.isDirectory()) {
        return `${dir} exists and is not a directory`;
    }
    const tree = listTree(dir);
    if (tree.files.length === 0 && tree.dirs.length === 0) {
        return undefined;
    }
    const manifest = readManifest(dir);
    if (!manifest) {
        return `${dir} is not empty and is not a previous render (it has no ${manifestName}); choose a new or empty directory`;
    }
    const listed = new Set([...manifest.files, manifestName]);
    const foreign = tree.files.filter((file) => !listed.has(file));
    if (foreign.length > 0) {
        return `${dir} holds files a render did not write (${describe(foreign)}); move them or choose another directory`;
    }
    return undefined;
}

/** Removes a previous render: only the files its manifest lists, then the directories left empty. */
function removeRender(dir: string): void {
    const manifest = readManifest(dir);
    const tree = listTree(dir);
    const listed = new Set([...(manifest?.files ?? []), manifestName]);
    for (const file of tree.files) {
        if (listed.has(file)) {
            fs.unlinkSync(path.join(dir, file));
        }
    }
    for (const sub of tree.dirs.sort((a, b) => b.length - a.length)) {
        try {
            fs.rmdirSync(path.join(dir, sub));
        } catch {
            // Not empty: something not ours is inside; leave it.
        }
    }
    try {
        fs.rmdirSync(dir);
    } catch {
        // As above.
    }
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Takes the lock beside `target`, or refuses when a live render holds it; returns its release. */
function takeLock(target: string): () => void {
    const lock = path.join(path.dirname(target), `.${path.basename(target)}.render-lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            const fd = fs.openSync(lock, "wx");
            fs.writeSync(fd, `${process.pid}\n`);
            fs.closeSync(fd);
            return () => fs.rmSync(lock, { force: true });
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
                throw new OutputRefused(`cannot lock ${target} (${lock}): ${(error as Error).message}`);
            }
        }
        const holder = Number.parseInt(fs.readFileSync(lock, "utf8"), 10);
        if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
            throw new OutputRefused(`another render (process ${holder}) is writing ${target}; wait for it to finish (lock ${lock})`);
        }
        fs.rmSync(lock, { force: true }); // left by a render that no longer runs
    }
    throw new OutputRefused(`cannot lock ${target}: ${lock} keeps reappearing`);
}

/**
 * Writes `files` (relative path → text) as the render in `target`, all or nothing.
 * Throws OutputRefused (nothing changed) when `target` is not ours to replace.
 */
export function writeRender(target: string, stack: string, files: Map<string, string>): void {
    const absolute = path.resolve(target);
    if (path.dirname(absolute) === absolute) {
        throw new OutputRefused(`--out ${target} is the filesystem root`);
    }
    const early = replaceProblem(absolute);
    if (early) {
        throw new OutputRefused(early);
    }
    const parent = path.dirname(absolute);
    fs.mkdirSync(parent, { recursive: true });
    const release = takeLock(absolute);
    let staging: string | undefined;
    let retired: string | undefined;
    try {
        // Checked again under the lock: another render or a user may have changed it meanwhile.
        const problem = replaceProblem(absolute);
        if (problem) {
            throw new OutputRefused(problem);
        }
        staging = fs.mkdtempSync(path.join(parent, `.${path.basename(absolute)}.render-new-`));
        const made = new Set<string>([staging]);
        for (const [relative, text] of files) {
            const file = path.join(staging, relative);
            if (path.relative(staging, file).startsWith("..") || path.isAbsolute(relative)) {
                throw new Error(`render file ${relative} would land outside the output directory`);
            }
            const dir = path.dirname(file);
            if (!made.has(dir)) {
                fs.mkdirSync(dir, { recursive: true });
                made.add(dir);
            }
            fs.writeFileSync(file, text, { flag: "wx" });
        }
        const manifest: RenderManifest = { kind: manifestKind, version: 1, stack, files: [...files.keys()].sort() };
        fs.writeFileSync(path.join(staging, manifestName), `${JSON.stringify(manifest, null, 2)}\n`, { flag: "wx" });
        if (fs.existsSync(absolute)) {
            retired = fs.mkdtempSync(path.join(parent, `.${path.basename(absolute)}.render-old-`));
            fs.rmdirSync(retired);
            fs.renameSync(absolute, retired);
        }
        fs.renameSync(staging, absolute);
        staging = undefined;
        if (retired) {
            removeRender(retired);
            retired = undefined;
        }
    } catch (error) {
        if (retired && !fs.existsSync(absolute)) {
            fs.renameSync(retired, absolute); // put the previous render back
            retired = undefined;
        }
        if (staging) {
            fs.rmSync(staging, { recursive: true, force: true }); // our own staging directory only
        }
        throw error;
    } finally {
        release();
    }
}
