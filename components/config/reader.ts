// Small path-aware readers: each takes the key path it reads and throws a
// ConfigError naming that path, the value, and what would be accepted.

import { ConfigError, configNamespace } from "./errors";
import { parseQuantity } from "./quantity";

export type Raw = Record<string, unknown>;

function fail(path: string, detail: string): never {
    throw new ConfigError(`${configNamespace}:${path}`, detail);
}

function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

export function isPlainObject(value: unknown): value is Raw {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object with only the given keys; undefined reads as {}. */
export function readObject(path: string, value: unknown, accepted: readonly string[]): Raw {
    if (value === undefined || value === null) {
        return {};
    }
    if (!isPlainObject(value)) {
        fail(path, `expected an object with keys ${accepted.join(", ")}, got ${show(value)}`);
    }
    for (const key of Object.keys(value)) {
        if (!accepted.includes(key)) {
            fail(`${path}.${key}`, `unknown key; accepted keys here: ${accepted.join(", ")}`);
        }
    }
    return value;
}

export function readList(path: string, value: unknown): unknown[] {
    if (value === undefined || value === null) {
        return [];
    }
    if (!Array.isArray(value)) {
        fail(path, `expected a list, got ${show(value)}`);
    }
    return value;
}

export function readString(path: string, value: unknown, fallback?: string): string {
    if (value === undefined || value === null || value === "") {
        if (fallback !== undefined) {
            return fallback;
        }
        fail(path, "is required");
    }
    if (typeof value !== "string") {
        fail(path, `expected a string, got ${show(value)}`);
    }
    return value;
}

export function readOptionalString(path: string, value: unknown): string | undefined {
    return value === undefined || value === null || value === "" ? undefined : readString(path, value);
}

export function readBoolean(path: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined || value === null) {
        return fallback;
    }
    if (value === true || value === "true") {
        return true;
    }
    if (value === false || value === "false") {
        return false;
    }
    return fail(path, `expected true or false, got ${show(value)}`);
}

export function readInteger(path: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (value === undefined || value === null) {
        return fallback;
    }
    const number = typeof value === "string" && /^-?[0-9]+$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number) || number < min || number > max) {
        fail(path, `expected a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}, got ${show(value)}`);
    }
    return number;
}

export function readEnum<T extends string>(path: string, value: unknown, accepted: readonly T[], fallback?: T): T {
    const text = readString(path, value, fallback);
    if (!(accepted as readonly string[]).includes(text)) {
        fail(path, `${show(text)} is not one of ${accepted.join(" | ")}`);
    }
    return text as T;
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label of at most maxLength characters (Kubernetes names, namespaces). */
export function readDnsLabel(path: string, value: unknown, maxLength: number, fallback?: string): string {
    const text = readString(path, value, fallback);
    if (!dns1123Label.test(text) || text.length > maxLength) {
        fail(path, `${show(text)} is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`);
    }
    return text;
}

/** A DNS-1035 label (starts with a letter): it becomes the prefix of Service names. */
export function readDns1035Label(path: string, value: unknown, maxLength: number): string {
    const text = readString(path, value);
    if (!dns1035Label.test(text) || text.length > maxLength) {
        fail(path, `${show(text)} is not a DNS-1035 label: use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most ${maxLength} characters`);
    }
    return text;
}

export function readQuantity(path: string, value: unknown, fallback: string): string {
    const text = typeof value === "number" ? String(value) : readString(path, value, fallback);
    const parsed = parseQuantity(text);
    if (parsed === undefined || parsed <= 0) {
        fail(path, `${show(text)} is not a positive Kubernetes quantity (examples: "500m", "2", "8Gi", "512Mi")`);
    }
    return text;
}

export function readUrl(path: string, value: unknown, required: boolean): string | undefined {
    const text = required ? readString(path, value) : readOptionalString(path, value);
    if (text === undefined) {
        return undefined;
    }
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return fail(path, `${show(text)} is not a URL; expected http(s)://host[:port]`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        fail(path, `${show(text)} must use https:// or http://`);
    }
    return text;
}

const labelKey = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function readLabels(path: string, value: unknown, fallback: Record<string, string>): Record<string, string> {
    if (value === undefined || value === null) {
        return fallback;
    }
    if (!isPlainObject(value)) {
        fail(path, `expected a map of label keys to values, got ${show(value)}`);
    }
    const labels: Record<string, string> = {};
    for (const [key, entry] of Object.entries(value)) {
        if (!labelKey.test(key) || typeof entry !== "string" || !labelValue.test(entry) || entry.length > 63) {
            fail(`${path}.${key}`, `${show(entry)} is not a valid Kubernetes label key/value`);
        }
        labels[key] = entry;
    }
    return labels;
}

export function configFail(path: string, detail: string): never {
    return fail(path, detail);
}
