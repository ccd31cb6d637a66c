// Plain Kubernetes manifests as policy subjects, read the way `kubectl apply -f` reads
// them (docs/upstream.md, "Kubernetes API semantics"):
// - files are split into documents line by line on `---` (k8s.io/apimachinery
//   util/yaml YAMLReader: a separator line may carry only a comment), read in chunks
//   so that a large multi-document file streams with bounded memory;
// - a file is UTF-8, or UTF-16 when it starts with a UTF-16 byte-order mark (kubectl
//   decodes through unicode.BOMOverride);
// - each document is YAML 1.1 as go-yaml reads it (./yaml11.ts), or JSON;
// - `kind: List` and other `*List` wrappers are unwrapped (kubectl flattens lists);
// - `-` is standard input, read once;
// - directories are walked recursively (kubectl needs -R; checking more is safe), taking
//   .yaml, .yml and .json in any letter case, following symlinks to directories once
//   (a loop is reported, never followed again);
// - anything unreadable (dangling link, FIFO, device, permission) is an error naming the
//   file, and the rest is still read.
// Each object becomes the props of its Pulumi type (`kubernetes:<group>/<version>:<Kind>`),
// so the pack's rules run on YAML exactly as they run on a Pulumi program.

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { PolicySubject } from "./evaluate";
import { manifestKind as renderManifestKind } from "../tools/render-output";
import { jsonProblem, kubernetesYamlOptions, needsReferenceParser, parseKubernetesYamlFast } from "./yaml11";

export class ManifestReadError extends Error {}

/** The target that means standard input (`kubectl apply -f -`), and its name in messages. */
export const stdinTarget = "-";
export const stdinName = "standard input";

/** The largest single document read; the API server refuses much smaller request bodies (3 MiB). */
export const maxDocumentBytes = 8 * 1024 * 1024;
const manifestExtension = /\.(ya?ml|json)$/i;
/** kubectl's resource.FileExtensions, in its order (for its message). */
const manifestExtensions = [".json", ".yaml", ".yml"];

export function pulumiTypeOf(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
    return `kubernetes:${group}/${version}:${kind}`;
}

export function objectId(manifest: Record<string, any>): string {
    return `${manifest.kind}/${manifest.metadata?.namespace ?? "_cluster"}/${manifest.metadata?.name ?? "(unnamed)"}`;
}

export function manifestSubject(manifest: Record<string, any>): PolicySubject {
    return {
        type: pulumiTypeOf(String(manifest.apiVersion), String(manifest.kind)),
        urn: objectId(manifest),
        name: manifest.metadata?.name ?? "(unnamed)",
        props: manifest,
        opts: { protect: false },
    };
}

/** apiVersion: `v1` or `<group>/<version>` (group a DNS subdomain, version a DNS label). */
const apiVersionShape = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** kind: a Go type name, as CRD validation requires (upper-case first letter, alphanumerics). */
const kindShape = /^[A-Z][A-Za-z0-9]*$/;

export type ManifestItem =
    | { type: "object"; object: Record<string, any>; file: string }
    | { type: "error"; message: string }
    | { type: "skipped"; file: string; reason: string }
    | { type: "subject"; subject: PolicySubject; file: string };

/** Files to read for each target: the target itself, or the manifests under a directory. */
export function* manifestFiles(targets: string[]): Generator<{ file: string } | { error: string }> {
    const visited = new Set<string>();
    function* walk(target: string, explicit: boolean): Generator<{ file: string } | { error: string }> {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(target);
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            let dangling = false;
            try {
                dangling = code === "ENOENT" && fs.lstatSync(target).isSymbolicLink();
            } catch {
                // not there at all
            }
            yield { error: `read ${target}: ${dangling ? "dangling symbolic link" : code === "ELOOP" ? "symbolic link loop" : describeError(error)}` };
            return;
        }
        if (stat.isDirectory()) {
            const id = `${stat.dev}:${stat.ino}`;
            if (visited.has(id)) {
                if (!explicit) {
                    yield { error: `read ${target}: directory loop (already read through another path), not followed` };
                }
                return;
            }
            visited.add(id);
            let entries: string[];
            try {
                entries = fs.readdirSync(target).sort();
            } catch (error) {
                yield { error: `read ${target}: ${describeError(error)}` };
                return;
            }
            for (const entry of entries) {
                const full = path.join(target, entry);
                let entryStat: fs.Stats | undefined;
                try {
                    entryStat = fs.statSync(full);
                } catch {
                    entryStat = undefined;
                }
                if (entryStat?.isDirectory() || manifestExtension.test(entry)) {
                    yield* walk(full, false);
                } else if (!entryStat && manifestExtension.test(entry)) {
                    yield* walk(full, false);
                }
            }
            return;
        }
        if (!stat.isFile()) {
            const what = stat.isFIFO() ? "a FIFO" : stat.isSocket() ? "a socket" : stat.isCharacterDevice() || stat.isBlockDevice() ? "a device" : "not a regular file";
            yield { error: `read ${target}: ${what}, not a manifest file` };
            return;
        }
        yield { file: target };
    }
    for (const target of targets) {
        if (target === stdinTarget) {
            yield { file: stdinTarget };
        } else {
            yield* walk(target, true);
        }
    }
}

function describeError(error: unknown): string {
    const e = error as NodeJS.ErrnoException;
    if (e.code === "EACCES" || e.code === "EPERM") {
        return "permission denied";
    }
    if (e.code === "ENOENT") {
        return "no such file or directory";
    }
    if (e.code === "EISDIR") {
        return "is a directory";
    }
    return e.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, "")}` : String(e.message ?? e);
}

/**
 * The documents of a file, split on `---` lines as k8s.io/apimachinery's YAMLReader
 * does, read in chunks: memory holds one document at a time.
 */
export function* fileDocuments(target: string): Generator<{ text: string; line: number }> {
    const stdin = target === stdinTarget;
    const file = stdin ? stdinName : target;
    let fd: number;
    try {
        fd = stdin ? 0 : fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (error) {
        throw new ManifestReadError(`read ${file}: ${describeError(error)}`);
    }
    try {
        const chunk = Buffer.alloc(1024 * 1024);
        let pending = "";
        let lines: string[] = [];
        let size = 0;
        let startLine = 1;
        let lineNumber = 0;
        let tooLarge = false;
        // kubectl's FileVisitor decodes through unicode.BOMOverride: a UTF-16 byte-order mark
        // selects UTF-16 (little or big endian), anything else is UTF-8 (a UTF-8 mark dropped).
        let decoder: InstanceType<typeof TextDecoder> | undefined;
        const flush = function* (): Generator<{ text: string; line: number }> {
            if (tooLarge) {
                throw new ManifestReadError(`parse ${file}: the document at line ${startLine} is larger than ${maxDocumentBytes} bytes`);
            }
            if (lines.length > 0) {
                yield { text: lines.join("\n"), line: startLine };
            }
            lines = [];
            size = 0;
        };
        const take = function* (line: string): Generator<{ text: string; line: number }> {
            lineNumber++;
            if (line.startsWith("---")) {
                const rest = line.slice(3).trim();
                if (rest !== "" && !rest.startsWith("#")) {
                    throw new ManifestReadError(`parse ${file}: line ${lineNumber}: invalid YAML document separator: ${rest.slice(0, 40)}`);
                }
                yield* flush();
                startLine = lineNumber + 1;
                return;
            }
            size += line.length + 1;
            if (size > maxDocumentBytes) {
                tooLarge = true;
                lines = [];
            } else if (!tooLarge) {
                lines.push(line);
            }
        };
        for (;;) {
            let read: number;
            try {
                read = fs.readSync(fd, chunk, 0, chunk.length, null);
            } catch (error) {
                if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
                    if (stdin) {
                        // A pipe left non-blocking: wait for the writer.
                        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
                        continue;
                    }
                    throw new ManifestReadError(`read ${file}: not a regular file`);
                }
                throw new ManifestReadError(`read ${file}: ${describeError(error)}`);
            }
            if (read === 0) {
                break;
            }
            decoder ??= new TextDecoder(chunk[0] === 0xff && chunk[1] === 0xfe ? "utf-16le" : chunk[0] === 0xfe && chunk[1] === 0xff ? "utf-16be" : "utf-8");
            pending += decoder.decode(chunk.subarray(0, read), { stream: true });
            const parts = pending.split("\n");
            pending = parts.pop()!;
            for (const part of parts) {
                yield* take(part.endsWith("\r") ? part.slice(0, -1) : part);
            }
        }
        pending += decoder?.decode() ?? "";
        if (pending !== "") {
            yield* take(pending);
        }
        yield* flush();
    } finally {
        if (!stdin) {
            fs.closeSync(fd);
        }
    }
}

/** The directory a render wrote (it holds plan.json) that this file belongs to, if any. */
function renderRoot(file: string): string | undefined {
    if (file === stdinName) {
        return undefined;
    }
    for (const dir of [path.dirname(file), path.dirname(path.dirname(file))]) {
        if (fs.existsSync(path.join(dir, "plan.json"))) {
            return dir;
        }
    }
    return undefined;
}

/** A renderer file that is not a Kubernetes object: understood (a Helm release) or skipped. */
function rendererDocument(value: any, file: string): ManifestItem | undefined {
    if (value && typeof value === "object" && !Array.isArray(value) && typeof value.release === "string" && typeof value.chart === "string"
        && (value.via === "pulumi-helm-release" || value.via === "k3s-helm-controller")) {
        if (value.via === "k3s-helm-controller") {
            return { type: "skipped", file, reason: "render's view of a K3s HelmChart, which is checked as its Kubernetes object" };
        }
        return {
            type: "subject", file,
            subject: {
                type: "kubernetes:helm.sh/v3:Release", urn: `Release/${value.namespace ?? "default"}/${value.release}`, name: value.release,
                props: { name: value.release, chart: value.chart, version: value.version, namespace: value.namespace, values: value.values ?? {}, ...(value.repository ? { repositoryOpts: { repo: value.repository } } : {}) },
                opts: { protect: false },
            },
        };
    }
    if (renderRoot(file) !== undefined) {
        return { type: "skipped", file, reason: "render output that is not a Kubernetes object (plan, Vault or Boundary resources)" };
    }
    return undefined;
}

function unwrap(value: Record<string, any>, file: string, depth = 0): Record<string, any>[] {
    if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
        if (depth > 0) {
            throw new ManifestReadError(`parse ${file}: a ${value.kind} inside a list (kubectl refuses nested lists)`);
        }
        return value.items.flatMap((item: unknown) => {
            if (item === null || typeof item !== "object" || Array.isArray(item)) {
                throw new ManifestReadError(`parse ${file}: an item of ${value.kind} is not an object`);
            }
            return unwrap(item as Record<string, any>, file, depth + 1);
        });
    }
    const problem = shapeProblem(value);
    if (problem) {
        throw new ManifestReadError(`parse ${file}: ${problem}`);
    }
    return [value];
}

/** Why an object cannot be a Kubernetes object (kubectl refuses these too), or undefined. */
export function shapeProblem(value: Record<string, any>): string | undefined {
    if (typeof value.apiVersion !== "string" || !apiVersionShape.test(value.apiVersion)) {
        return `apiVersion ${JSON.stringify(value.apiVersion)} is not a string of the form v1 or group/version`;
    }
    if (typeof value.kind !== "string" || !kindShape.test(value.kind)) {
        return `kind ${JSON.stringify(value.kind)} is not a Kubernetes kind name`;
    }
    if (value.metadata !== undefined && (value.metadata === null || typeof value.metadata !== "object" || Array.isArray(value.metadata))) {
        return `${value.kind}: metadata must be an object`;
    }
    return undefined;
}

/** The items of one document (an object, the items of a list, or a renderer file's meaning). */
export function parseDocument(text: string, file: string, line = 1): ManifestItem[] {
    let value: unknown;
    const trimmed = text.trimStart();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            value = JSON.parse(text);
        } catch {
            value = undefined;
        }
    }
    if (value === undefined) {
        value = parseKubernetesYamlFast(text);
    }
    if (value === needsReferenceParser) {
        const document = YAML.parseDocument(text, kubernetesYamlOptions);
        if (document.errors.length > 0) {
            const error = document.errors[0];
            const at = error.linePos?.[0] ? ` line ${line + error.linePos[0].line - 1}` : "";
            throw new ManifestReadError(`parse ${file}:${at} ${error.message.split("\n")[0]}`);
        }
        try {
            value = document.toJS({ maxAliasCount: 100 });
        } catch (error) {
            throw new ManifestReadError(`parse ${file}: line ${line}: ${(error as Error).message.split("\n")[0]}`);
        }
    }
    if (value === null || value === undefined) {
        return [];
    }
    const problem = jsonProblem(value);
    if (problem) {
        throw new ManifestReadError(`parse ${file}: line ${line}: ${problem} (not representable in JSON)`);
    }
    if (typeof value === "object" && !Array.isArray(value) && (value as Record<string, unknown>).kind === renderManifestKind
        && Array.isArray((value as Record<string, unknown>).files)) {
        return [{ type: "skipped", file, reason: "the render's list of the files it wrote (.render-manifest.json)" }];
    }
    if (typeof value !== "object" || Array.isArray(value) || (!("apiVersion" in value) && !("kind" in value))) {
        const renderer = rendererDocument(value, file);
        if (renderer) {
            return [renderer];
        }
        throw new ManifestReadError(`parse ${file}: line ${line}: the document is not a Kubernetes object (no apiVersion and kind)`);
    }
    return unwrap(value as Record<string, any>, file).map((object) => ({ type: "object" as const, object, file }));
}

/** Every object, skipped renderer file and error in the targets, in order, streaming. */
export function* readManifestItems(targets: string[]): Generator<ManifestItem> {
    let files = 0;
    let errors = 0;
    for (const entry of manifestFiles(targets)) {
        if ("error" in entry) {
            errors++;
            yield { type: "error", message: entry.error };
            continue;
        }
        files++;
        try {
            for (const { text, line } of fileDocuments(entry.file)) {
                yield* parseDocument(text, entry.file === stdinTarget ? stdinName : entry.file, line);
            }
        } catch (error) {
            if (!(error instanceof ManifestReadError)) {
                throw error;
            }
            yield { type: "error", message: error.message };
        }
    }
    if (files === 0 && errors === 0) {
        // kubectl (cli-runtime builder.go Path): no file to read and no error reading is itself an error.
        yield { type: "error", message: `error reading [${targets.join(" ")}]: recognized file extensions are [${manifestExtensions.join(" ")}]` };
    }
}

/** Every Kubernetes object in the files and directories given; throws on the first error. */
export function readManifests(targets: string[]): Record<string, any>[] {
    const objects: Record<string, any>[] = [];
    for (const item of readManifestItems(targets)) {
        if (item.type === "error") {
            throw new ManifestReadError(item.message);
        }
        if (item.type === "object") {
            objects.push(item.object);
        }
    }
    return objects;
}
