// Reads a stack file (stacks/Pulumi.<stack>.yaml) into Pulumi's flat config map the
// way the CLI hands it to a program. `secure:` values are never decrypted: they
// become "[secret]" and their keys are listed as secret.

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigIssue } from "../components/config/errors";
import { keyPath } from "../components/config/load";
import { redacted } from "./mock-outputs";
import { project } from "./program-runner";
import { stackFileValueIssues } from "./stack-yaml";

export interface StackConfig {
    config: Record<string, string>;
    secretKeys: string[];
    /** Values of the file that are refused before validation (tools/stack-yaml.ts), each with its key. */
    issues?: ConfigIssue[];
}

export class StackFileError extends Error {}

export function stackFilePath(root: string, stack: string): string {
    return path.join(root, "stacks", `Pulumi.${stack}.yaml`);
}

function replaceSecure(value: unknown, found: { secret: boolean }): unknown {
    if (Array.isArray(value)) {
        return value.map((entry) => replaceSecure(entry, found));
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (Object.keys(record).length === 1 && typeof record.secure === "string") {
            found.secret = true;
            return redacted;
        }
        return Object.fromEntries(Object.entries(record).map(([key, entry]) => [key, replaceSecure(entry, found)]));
    }
    return value;
}

/** Largest stack config the tools read: far above any real one, small enough to fail fast on /dev/zero. */
export const maxStackConfigBytes = 4 * 1024 * 1024;

function tooLarge(source: string): StackFileError {
    return new StackFileError(`read stack config ${source}: larger than ${maxStackConfigBytes / (1024 * 1024)} MiB; a stack config is a small YAML file`);
}

/** Reads at most maxStackConfigBytes from a file (regular, device or FIFO), once. */
export function readConfigFileText(file: string): string {
    let fd: number;
    try {
        fd = fs.openSync(file, "r");
    } catch (error) {
        throw new StackFileError(`read stack config ${file}: ${(error as Error).message}`);
    }
    try {
        if (fs.fstatSync(fd).isDirectory()) {
            throw new StackFileError(`read stack config ${file}: is a directory`);
        }
        const buffer = Buffer.alloc(maxStackConfigBytes + 1);
        let length = 0;
        for (;;) {
            let read: number;
            try {
                read = fs.readSync(fd, buffer, length, buffer.length - length, null);
            } catch (error) {
                if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
                    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
                    continue;
                }
                throw new StackFileError(`read stack config ${file}: ${(error as Error).message}`);
            }
            if (read === 0) {
                break;
            }
            length += read;
            if (length > maxStackConfigBytes) {
                throw tooLarge(file);
            }
        }
        return decodeUtf8(buffer.subarray(0, length), file);
    } finally {
        fs.closeSync(fd);
    }
}

/** Reads standard input once, at most maxStackConfigBytes. */
export async function readConfigStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of stream) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        length += buffer.length;
        if (length > maxStackConfigBytes) {
            (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
            throw tooLarge("from standard input");
        }
        chunks.push(buffer);
    }
    return decodeUtf8(Buffer.concat(chunks), "from standard input");
}

function decodeUtf8(bytes: Buffer, source: string): string {
    try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        throw new StackFileError(`read stack config ${source}: not UTF-8 text`);
    }
}

export function readStackConfig(file: string): StackConfig {
    return parseStackConfig(readConfigFileText(file), file);
}

/** Parses a stack file's text into Pulumi's flat config map. */
export function parseStackConfig(text: string, source: string): StackConfig {
    let document: unknown;
    try {
        document = YAML.parse(text);
    } catch (error) {
        throw new StackFileError(`read stack config ${source}: ${(error as Error).message}`);
    }
    const raw = (document as { config?: Record<string, unknown> } | null)?.config ?? {};
    if (document !== null && document !== undefined && (typeof document !== "object" || Array.isArray(document))) {
        throw new StackFileError(`read stack config ${source}: expected a YAML map with a "config" key`);
    }
    if (typeof raw !== "object" || Array.isArray(raw)) {
        throw new StackFileError(`read stack config ${source}: "config" must be a map of keys to values`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(raw)) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        const found = { secret: false };
        const plain = replaceSecure(value, found);
        // The CLI reads a YAML null (`key:` or `key: null`) as an empty string, never as the text "null".
        config[fullKey] = typeof plain === "string" ? plain : plain === null ? "" : JSON.stringify(plain) ?? "";
        if (found.secret) {
            secretKeys.push(fullKey);
        }
    }
    const issues = stackFileValueIssues(text, ([key, ...rest]) => {
        const fullKey = String(key).includes(":") ? String(key) : `${project}:${key}`;
        const suffix = keyPath(rest);
        return rest.length === 0 ? fullKey : `${fullKey}${suffix.startsWith("[") ? "" : "."}${suffix}`;
    });
    return { config, secretKeys, issues };
}
