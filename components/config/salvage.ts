// Rules over several keys that run even when some other key is wrong. zod runs an object's
// refinements only when every field parsed, so a duplicate developer went unreported next
// to a malformed image, and a team that did not parse left the cross-team rules. Here a
// rule is a plain function over an object's fields (`keyRules`); when the object does not
// parse, `salvage` parses it field by field, marks the fields that failed as unknown, and
// runs the rules on what is known. A rule must not conclude anything from an unknown field
// (`known`); a field that is absent and valid (an optional one) is known to be undefined.

import { z } from "zod";

export interface RuleIssue { path: (string | number)[]; message: string }

/** The fields of a salvaged object that did not parse (so their values are unknown). */
const unknownFields = Symbol("fields that did not parse");

type Rule = (value: any) => RuleIssue[];

/** Rules by the zod check that runs them (a check survives `.describe()`, which clones a schema). */
const rulesByCheck = new WeakMap<object, Rule>();

/**
 * `schema` with `rules` run on every parse (as a refinement) and, when the object does not
 * parse, on its salvaged fields by `salvage`. The rules see the object's own output (before
 * any later `.transform`).
 */
export function keyRules<T extends z.ZodType>(schema: T, rules: (value: z.output<T>) => RuleIssue[]): T {
    const refined = schema.superRefine((value, ctx) => {
        for (const issue of rules(value)) {
            ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: value });
        }
    }) as unknown as T;
    const checks = (refined as any)._zod.def.checks as object[];
    rulesByCheck.set(checks[checks.length - 1], rules as Rule);
    return refined;
}

/** False when `key` of a salvaged object did not parse: a rule may conclude nothing from it. */
export function known(value: unknown, key: string): boolean {
    if (value === null || typeof value !== "object") {
        return false;
    }
    const unknown = (value as { [unknownFields]?: Set<string> })[unknownFields];
    return unknown === undefined || !unknown.has(key);
}

/** Whether `value` is a salvaged (partly unknown) object rather than a parsed one. */
export function isSalvaged(value: unknown): boolean {
    return value !== null && typeof value === "object" && unknownFields in value;
}

function def(schema: z.ZodType): any {
    return (schema as any)._zod.def;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * What can be known of `value` under `schema`: the parsed value when it parses; otherwise,
 * for objects and lists, the parts that parse (objects field by field, lists entry by
 * entry, unknown fields marked, unknown entries undefined), with the rules of every object
 * whose fields were salvaged run on them (their issues added to `out`, paths from `path`).
 * Undefined when nothing can be known. The parse's own issues are not reported here.
 */
export function salvage(schema: z.ZodType, value: unknown, path: (string | number)[], out: RuleIssue[]): unknown {
    const parsed = schema.safeParse(value);
    if (parsed.success) {
        return parsed.data;
    }
    return salvageInvalid(schema, value, path, out);
}

/** `salvage` for a value already known not to parse under `schema`. */
export function salvageInvalid(schema: z.ZodType, value: unknown, path: (string | number)[], out: RuleIssue[]): unknown {
    const d = def(schema);
    switch (d.type) {
        case "default":
        case "prefault":
        case "optional":
        case "nullable":
            return value === undefined ? undefined : salvageInvalid(d.innerType, value, path, out);
        case "pipe": {
            // The input side of an object or list (its own rules, before any transform). A scalar
            // whose input side parses but whose output side refuses it (a number out of range)
            // is unknown: never hand a rule a value the schema refused.
            const inner = salvage(d.in, value, path, out);
            return isRecord(inner) || Array.isArray(inner) ? inner : undefined;
        }
        case "union": {
            // The branch that takes this kind of value (an object for an object).
            const branch = (d.options as z.ZodType[]).find((option) => isRecord(value) === (objectDef(option) !== undefined));
            return branch === undefined ? undefined : salvage(branch, value, path, out);
        }
        case "array":
            return Array.isArray(value) ? value.map((entry, i) => salvage(d.element, entry, [...path, i], out)) : undefined;
        case "object": {
            if (!isRecord(value)) {
                return undefined;
            }
            const view: Record<string | symbol, unknown> = {};
            const unknown = new Set<string>();
            for (const [key, field] of Object.entries(d.shape as Record<string, z.ZodType>)) {
                const result = field.safeParse(value[key]);
                if (result.success) {
                    if (result.data !== undefined) {
                        view[key] = result.data;
                    }
                    continue;
                }
                unknown.add(key);
                const partial = salvageInvalid(field, value[key], [...path, key], out);
                if (partial !== undefined) {
                    view[key] = partial;
                }
            }
            Object.defineProperty(view, unknownFields, { value: unknown, enumerable: false });
            for (const check of (d.checks ?? []) as object[]) {
                const rules = rulesByCheck.get(check);
                for (const issue of rules ? rules(view) : []) {
                    out.push({ path: [...path, ...issue.path], message: issue.message });
                }
            }
            return view;
        }
        default:
            return undefined;
    }
}

/** The object definition beneath wrappers and pipes, if the schema is an object. */
function objectDef(schema: z.ZodType): any {
    let d = def(schema);
    for (;;) {
        if (d.type === "object") {
            return d;
        }
        if (["default", "prefault", "optional", "nullable"].includes(d.type)) {
            d = def(d.innerType);
        } else if (d.type === "pipe") {
            d = def(d.in);
        } else {
            return undefined;
        }
    }
}
