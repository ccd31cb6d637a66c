// Stack config contract v1: load, validate and fill defaults with the one schema
// (stack-schema.ts), reporting every problem at once. Pure: no Pulumi resources.

import { z } from "zod";
import { ConfigError, ConfigIssue, configNamespace } from "./errors";
import { PartialConfig, crossSectionRules } from "./rules";
import { PlatformConfig } from "./schema";
import { renamedKeyMessage, renamedValueMessage } from "./renames";
import { RuleIssue, salvageInvalid } from "./salvage";
import { platformSections, resolveNetwork, secretSections, show } from "./stack-schema";

export { maxDeveloperNameLength, maxTeamNameLength } from "./stack-schema";

export type Raw = Record<string, unknown>;

const topLevelKeys = [...Object.keys(platformSections), ...Object.keys(secretSections)];
/** Keys that would reach an object's prototype when copied. */
const forbiddenKeys = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Turns Pulumi's flat config map (`"sandbox-platform:teams"` to a JSON string, as in
 * PULUMI_CONFIG) into the raw object the loader reads. Other namespaces are ignored.
 */
export function rawFromPulumiConfig(all: Record<string, string>): Raw {
    const entries: [string, unknown][] = [];
    const prefix = `${configNamespace}:`;
    for (const [key, text] of Object.entries(all)) {
        if (!key.startsWith(prefix)) {
            continue;
        }
        entries.push([key.slice(prefix.length), /^\s*[[{]/.test(text) ? parseStructured(text) : text]);
    }
    // fromEntries defines own properties: a key "__proto__" stays data, never a prototype.
    return Object.fromEntries(entries);
}

/** Structured values arrive JSON-encoded; anything else (e.g. "[secret]") stays text. */
function parseStructured(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** `teams[0].developers[1].name` */
export function keyPath(path: readonly PropertyKey[]): string {
    let text = "";
    for (const part of path) {
        const name = String(part);
        text += typeof part === "number" ? `[${part}]`
            : /^[A-Za-z_$][\w$-]*$/.test(name) ? `${text === "" ? "" : "."}${name}`
                : `[${JSON.stringify(name)}]`; // "", "a.b/c", " ": unambiguous
    }
    return text;
}

function issue(path: readonly PropertyKey[], detail: string): ConfigIssue {
    return { key: `${configNamespace}:${keyPath(path)}`, detail };
}

/**
 * Nested `null` and `""` mean "not set" (YAML `key:` with no value); keys that would
 * reach a prototype are refused. Returns a copy; issues are added to `issues`.
 */
function clean(value: unknown, path: PropertyKey[], issues: ConfigIssue[]): unknown {
    if (Array.isArray(value)) {
        return value.map((entry, i) => clean(entry, [...path, i], issues));
    }
    if (value !== null && typeof value === "object") {
        const entries: [string, unknown][] = [];
        for (const [key, entry] of Object.entries(value)) {
            if (forbiddenKeys.has(key)) {
                issues.push(issue([...path, key], `the key ${JSON.stringify(key)} is refused (it would reach an object prototype)`));
                continue;
            }
            if (entry === null || entry === "") {
                continue;
            }
            entries.push([key, clean(entry, [...path, key], issues)]);
        }
        return Object.fromEntries(entries);
    }
    return value;
}

/** zod's issues, as key paths and sentences; unions report their closest branch; renamed keys and values name their replacement. */
function fromZod(error: z.ZodError, prefix: PropertyKey[], value: unknown, out: ConfigIssue[]): void {
    for (const zodIssue of error.issues) {
        addZodIssue(zodIssue, prefix, value, out);
    }
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((node, key) => node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined, value);
}

/** `at` is the value the issue's path starts from (the section, or the union's value). */
function addZodIssue(zodIssue: z.core.$ZodIssue, prefix: PropertyKey[], at: unknown, out: ConfigIssue[]): void {
    const path = [...prefix, ...zodIssue.path];
    const value = valueAt(at, zodIssue.path);
    if (zodIssue.code === "unrecognized_keys") {
        for (const key of zodIssue.keys) {
            out.push(issue([...path, key], renamedKeyMessage(keyPath([...path, key])) ?? zodIssue.message));
        }
        return;
    }
    if (zodIssue.code === "invalid_union" && zodIssue.errors.length > 0 && !zodIssue.message.startsWith("expected")) {
        // The branch that got furthest: fewest type errors at its root.
        const best = [...zodIssue.errors].sort((a, b) => rootTypeErrors(a) - rootTypeErrors(b))[0];
        best.forEach((inner) => addZodIssue(inner, path, value, out));
        return;
    }
    if (zodIssue.code === "invalid_union") {
        // A value of the right shape for one branch only (an object where a name or an object is
        // accepted) is reported where that branch found it wrong: developers[2].gpu, not developers[2].
        const nested = zodIssue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
        if (nested.length === 1) {
            nested[0].forEach((inner) => addZodIssue(inner, path, value, out));
            return;
        }
    }
    out.push(issue(path, renamedValueMessage(keyPath(path), value) ?? zodIssue.message));
}

function rootTypeErrors(issues: z.core.$ZodIssue[]): number {
    return issues.filter((entry) => entry.path.length === 0 && entry.code === "invalid_type").length;
}

/** A generic sentence for issues a builder gave no message of its own. */
function fallbackMessage(zodIssue: z.core.$ZodRawIssue): string | undefined {
    const input = zodIssue.input;
    switch (zodIssue.code) {
        case "invalid_type":
            if (input === undefined) {
                return "is required";
            }
            return `expected ${zodIssue.expected === "array" ? "a list" : zodIssue.expected === "object" ? "an object" : `a ${zodIssue.expected}`}, got ${show(input)}`;
        case "too_small":
            return `${show(input)} is too short or small (minimum ${String(zodIssue.minimum)})`;
        case "too_big":
            return `${show(input)} is too long or large (maximum ${String(zodIssue.maximum)})`;
        default:
            return undefined;
    }
}

/** A rule that ran both in a parse and on salvaged fields reports once. */
function distinct(issues: ConfigIssue[]): ConfigIssue[] {
    const seen = new Set<string>();
    return issues.filter((entry) => {
        const id = `${entry.key}\n${entry.detail}`;
        return seen.has(id) ? false : (seen.add(id), true);
    });
}

export interface ValidationResult {
    config?: PlatformConfig;
    issues: ConfigIssue[];
}

/** Validates the whole stack config and reports every problem found, each naming its key. */
export function validatePlatformConfig(input: Raw): ValidationResult {
    const issues: ConfigIssue[] = [];
    const top = input ?? {};
    for (const key of Object.keys(top)) {
        if (!topLevelKeys.includes(key)) {
            issues.push(issue([key], renamedKeyMessage(keyPath([key])) ?? `unknown key; accepted keys: ${topLevelKeys.join(", ")}`));
        } else if (top[key] === null) {
            issues.push(issue([key], "is null; give it a value or leave the key out"));
        }
    }
    const raw = clean(Object.fromEntries(Object.entries(top).filter(([key, value]) => topLevelKeys.includes(key) && value !== null)), [], issues) as Raw;
    const secretInputs = Object.fromEntries(Object.keys(secretSections).map((key) => [key, (top as Raw)[key]]));
    const parsed: Record<string, unknown> = {};
    /** What is known of each section (parsed, or salvaged when it did not parse): the cross-key rules read these. */
    const views: Record<string, unknown> = {};
    const salvagedRules: RuleIssue[] = [];
    let valid = true;
    const options = { error: fallbackMessage };
    const parseSection = (schema: z.ZodType, value: unknown, path: (string | number)[]): { data?: unknown; view: unknown } => {
        const result = schema.safeParse(value, options);
        if (!result.success) {
            valid = false;
            fromZod(result.error, path, value, issues);
            // The rules within the section still run on the fields that parsed.
            return { view: salvageInvalid(schema, value, path, salvagedRules) };
        }
        return { data: result.data, view: result.data };
    };
    for (const [key, schema] of Object.entries(platformSections)) {
        if (key === "teams" && Array.isArray(raw.teams)) {
            // Team by team, so that the valid teams still go through the cross-team rules.
            const element = (schema as unknown as { unwrap(): z.ZodType }).unwrap?.() ?? schema;
            const itemSchema = (element as unknown as z.ZodArray<z.ZodType>).element;
            const teams = raw.teams.map((team, i) => parseSection(itemSchema, team, ["teams", i]));
            parsed.teams = teams.map((team) => team.data);
            views.teams = teams.map((team) => team.view);
            continue;
        }
        if (top[key] !== null) {
            const section = parseSection(schema as z.ZodType, raw[key], [key]);
            parsed[key] = section.data;
            views[key] = section.view;
        }
    }
    for (const [key, schema] of Object.entries(secretSections)) {
        const value = (top as Raw)[key];
        if (value !== null) {
            parseSection(schema as z.ZodType, value, [key]);
        }
    }
    for (const rule of [...salvagedRules, ...crossSectionRules(views as PartialConfig, raw, secretInputs)]) {
        issues.push(issue(rule.path, rule.message));
    }
    if (issues.length > 0 || !valid) {
        return { issues: distinct(issues) };
    }
    parsed.network = resolveNetwork(parsed.network as any, parsed.cluster as any);
    return { config: parsed as unknown as PlatformConfig, issues };
}

/** Validates the whole stack config; throws a ConfigError listing every problem (the first as its key). */
export function parsePlatformConfig(input: Raw): PlatformConfig {
    const { config, issues } = validatePlatformConfig(input);
    if (!config) {
        throw new ConfigError(issues[0].key, issues[0].detail, issues);
    }
    return config;
}
