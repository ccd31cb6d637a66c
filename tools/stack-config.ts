// Reads a stack file (stacks/Pulumi.<stack>.yaml) into Pulumi's flat config map the
// way the CLI hands it to a program. `secure:` values are never decrypted: they
// become "[secret]" and their keys are listed as secret.

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { redacted } from "./mock-outputs";
import { project } from "./program-runner";

export interface StackConfig {
    config: Record<string, string>;
    secretKeys: string[];
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

export function readStackConfig(file: string): StackConfig {
    let document: unknown;
    try {
        document = YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`read stack config ${file}: ${(error as Error).message}`);
    }
    const raw = (document as { config?: Record<string, unknown> } | null)?.config ?? {};
    if (typeof raw !== "object" || Array.isArray(raw)) {
        throw new StackFileError(`read stack config ${file}: "config" must be a map of keys to values`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(raw)) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        const found = { secret: false };
        const plain = replaceSecure(value, found);
        // The CLI reads a YAML null (`key:` or `key: null`) as an empty string, never as the text "null".
        config[fullKey] = typeof plain === "string" ? plain : plain === null ? "" : JSON.stringify(plain);
        if (found.secret) {
            secretKeys.push(fullKey);
        }
    }
    return { config, secretKeys };
}
