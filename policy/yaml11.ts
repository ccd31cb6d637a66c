// YAML as Kubernetes reads it. kubectl and the API machinery convert YAML to JSON with
// sigs.k8s.io/yaml, whose go-yaml v2 fork resolves plain scalars by YAML 1.1 rules
// (resolve.go): y/yes/on/true (any of its spellings) are true, n/no/off/false false,
// `<<` merges, and numbers are whatever Go's strconv.ParseInt(s, 0, 64) or its float
// pattern accept after underscores are removed (0x, 0o, 0b and leading-0 octal).
// Unlike the `yaml` package's YAML 1.1 schema, sexagesimal numbers (1:20) and
// timestamps stay strings; duplicate keys are allowed and the last one wins.
// The differential test (test/policy-kubectl.test.ts) holds this to kubectl itself.
//
// Two parsers implement these rules. `yaml` (the reference: exact error messages and
// every YAML feature) is about ten times slower than js-yaml, so plain documents, which
// are nearly all manifests, are read with js-yaml under the same scalar rules
// (`parseKubernetesYamlFast`), and anything else falls back to `yaml`: anchors and
// aliases, explicit or local tags, `<<` merge keys, complex keys, directives and any
// document js-yaml cannot read. test/policy-yaml-fast.test.ts holds the two to the same
// values on every fixture, every rendered stack and generated documents.

import type * as JsYaml from "js-yaml";
import * as YAML from "yaml";
import type { ScalarTag } from "yaml";

const plainNumber = (source: string) => source.replace(/_/g, "");

/** Go's strconv.ParseInt with base 0, as go-yaml applies it. */
function goInt(source: string): number {
    const text = plainNumber(source);
    const sign = text.startsWith("-") ? -1 : 1;
    const body = text.replace(/^[-+]/, "");
    let value: number;
    if (/^0[bB]/.test(body)) {
        value = parseInt(body.slice(2), 2);
    } else if (/^0[oO]/.test(body)) {
        value = parseInt(body.slice(2), 8);
    } else if (/^0[xX]/.test(body)) {
        value = parseInt(body.slice(2), 16);
    } else if (/^0[0-7]+$/.test(body)) {
        value = parseInt(body.slice(1), 8);
    } else {
        value = parseInt(body, 10);
    }
    return sign * value || 0;
}

const goIntPattern = /^[-+]?(?:0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[0-7_]*|[1-9][0-9_]*)$/;
const goFloatPattern = /^[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9_]+)?$/;
const goSpecialFloatPattern = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const goFloat = (source: string) => parseFloat(plainNumber(source));
const goSpecialFloat = (source: string) => (/nan/i.test(source) ? NaN : source.startsWith("-") ? -Infinity : Infinity);
/** The YAML 1.1 booleans and nulls of the `yaml` package's yaml-1.1 schema (go-yaml resolve.go's table). */
const trueSpellings = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const falseSpellings = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const nullSpellings = /^(?:~|[Nn]ull|NULL)?$/;

const goIntTag: ScalarTag = {
    identify: (value) => typeof value === "number" && Number.isInteger(value),
    default: true,
    tag: "tag:yaml.org,2002:int",
    test: goIntPattern,
    resolve: goInt,
};

/** go-yaml's yamlStyleFloat, with underscores allowed where go-yaml strips them. */
const goFloatTag: ScalarTag = {
    identify: (value) => typeof value === "number",
    default: true,
    tag: "tag:yaml.org,2002:float",
    test: goFloatPattern,
    resolve: goFloat,
};

const goSpecialFloatTag: ScalarTag = {
    identify: (value) => typeof value === "number" && !Number.isFinite(value),
    default: true,
    tag: "tag:yaml.org,2002:float",
    test: goSpecialFloatPattern,
    resolve: goSpecialFloat,
};

/** Tags of the YAML 1.1 schema that go-yaml does not have, and the number tags replaced by Go's. */
const droppedTags = new Set(["tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"]);

/** Options for `yaml` that parse as kubectl does. */
export const kubernetesYamlOptions = {
    version: "1.1" as const,
    merge: true,
    uniqueKeys: false,
    customTags: (tags: YAML.Tags) => [
        ...tags.filter((tag) => !droppedTags.has((tag as ScalarTag).tag)),
        goIntTag, goSpecialFloatTag, goFloatTag,
    ],
};

/** Why a parsed value cannot become JSON (go-yaml → JSON refuses NaN and infinities), or undefined. */
export function jsonProblem(value: unknown, depth = 0): string | undefined {
    if (typeof value === "number" && !Number.isFinite(value)) {
        return `unsupported value: ${value}`;
    }
    if (value !== null && typeof value === "object" && depth < 200) {
        for (const child of Object.values(value as Record<string, unknown>)) {
            const problem = jsonProblem(child, depth + 1);
            if (problem) {
                return problem;
            }
        }
    }
    return undefined;
}

// ---- the fast path ----

/** Thrown by the fast schema where only the reference parser knows the answer. */
class NeedsReferenceParser extends Error {}

/**
 * js-yaml types for the plain-scalar rules above, in the reference's order. Their tags are
 * private on purpose: an explicit `!!int`, `!!str`, `!!binary`… is then an unknown tag to
 * js-yaml, so tagged documents go to the reference parser.
 */
function fastType(jsYaml: typeof JsYaml, name: string, pattern: RegExp, construct: (source: string) => unknown): JsYaml.Type {
    return new jsYaml.Type(`tag:sandbox-platform.invalid,2026:${name}`, {
        kind: "scalar",
        resolve: (data: unknown) => typeof data === "string" && pattern.test(data),
        construct: (data: string) => construct(data),
    });
}

/**
 * A plain null. As a value it becomes null; as a key js-yaml would write "null" where the
 * reference writes "", so a document with a null key goes to the reference.
 */
const nullKeyMarker = "\u0000sandbox-platform:null-key\u0000";
const plainNull = { [Symbol.toStringTag]: "YamlNull", toString: () => nullKeyMarker };

let fast: { jsYaml: typeof JsYaml; schema: JsYaml.Schema } | undefined;

/**
 * js-yaml and the fast schema, loaded on the first parse: the render and `pulumi up` load the
 * policy rules but parse no manifest text, and building this at load cost them a few ms.
 */
function fastParser(): { jsYaml: typeof JsYaml; schema: JsYaml.Schema } {
    if (!fast) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const jsYaml = require("js-yaml") as typeof JsYaml;
        const schema = new jsYaml.Schema({
            implicit: [
                fastType(jsYaml, "null", nullSpellings, () => plainNull),
                fastType(jsYaml, "true", trueSpellings, () => true),
                fastType(jsYaml, "false", falseSpellings, () => false),
                // A plain `<<` is a merge key: the reference parser applies go-yaml's merge.
                fastType(jsYaml, "merge", /^<<$/, () => { throw new NeedsReferenceParser("merge key"); }),
                fastType(jsYaml, "int", goIntPattern, goInt),
                fastType(jsYaml, "special-float", goSpecialFloatPattern, goSpecialFloat),
                fastType(jsYaml, "float", goFloatPattern, goFloat),
            ],
        });
        fast = { jsYaml, schema };
    }
    return fast;
}

/**
 * Syntax the fast path leaves to the reference: a directive or document marker (js-yaml
 * also takes `---a` for one), a tab in a line's indentation (go-yaml and the reference
 * refuse it where js-yaml may not), a comment glued to a closing quote or bracket (`""#`,
 * refused by the reference, read by js-yaml), an explicit (`? `) key, and a
 * flow collection used as a key (`[a]: b`, `{x: [a]: b}`), which js-yaml and the
 * reference turn into different strings. Implicit keys sit on one line (YAML 1.2 §7.4.2).
 */
const referenceOnlySyntax = /^(?:%|---|\.\.\.|[ ]*\t)|["'\]}]#|^[ \t]*(?:-[ \t]+)*\?(?:[ \t]|$)|(?:^[ \t]*(?:-[ \t]+)*|[[{,][ \t]*)[[{][^\n]*[\]}][ \t]*:(?:[ \t]|$)/m;

/** Characters whose line-break or printable status the YAML versions and parsers disagree on (CR alone, NEL, LS, PS, BOM, C0/C1 controls). */
const referenceOnlyCharacters = /[\r\u0085\u2028\u2029\ufeff\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f]/;

interface LoaderState { anchor: string | null; tag: string | null; kind: string | null; position: number; input: string }

/**
 * Watches js-yaml's node events. Leaves to the reference documents with an anchor, a
 * non-specific `!` tag, or a quoted scalar or flow collection that spans lines: js-yaml
 * reads some of those that go-yaml refuses (`a: 'x\n'b: 1`), and the reference refuses
 * some that go-yaml reads (under-indented continuation lines), so neither parser is right
 * for them and the reference's stricter answer is kept.
 */
function nodeWatcher(): (event: "open" | "close", state: LoaderState) => void {
    const starts: number[] = [];
    return (event, state) => {
        if (event === "open") {
            starts.push(state.position);
            return;
        }
        const from = starts.pop()!;
        if (state.anchor !== null || state.tag === "!") {
            throw new NeedsReferenceParser("anchor or tag");
        }
        const input = state.input;
        let at = from;
        // Skip the separation space and comments js-yaml passed over before the node.
        for (;;) {
            const ch = input.charCodeAt(at);
            if (ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d) {
                at++;
            } else if (ch === 0x23) {
                const end = input.indexOf("\n", at);
                at = end === -1 ? input.length : end;
            } else {
                break;
            }
        }
        const first = input.charCodeAt(at);
        // A block mapping may also begin with a quote (its first key): only scalars and flow collections count.
        const quoted = state.kind === "scalar" && (first === 0x27 || first === 0x22);
        const flow = state.kind !== "scalar" && (first === 0x5b || first === 0x7b);
        if ((quoted || flow) && at < state.position) {
            const newline = input.indexOf("\n", at);
            if (newline !== -1 && newline < state.position) {
                throw new NeedsReferenceParser("multi-line quoted scalar or flow collection");
            }
        }
    };
}

/** Returned when a document needs the reference parser. */
export const needsReferenceParser = Symbol("needs the reference YAML parser");

/**
 * One YAML document as kubectl reads it, by the fast parser, or `needsReferenceParser`
 * when the document is not a mapping, uses anything but plain mappings, sequences and
 * scalars, or is not valid YAML (the reference parser then gives the value or the error).
 */
export function parseKubernetesYamlFast(text: string): unknown {
    if (referenceOnlySyntax.test(text) || referenceOnlyCharacters.test(text)) {
        return needsReferenceParser;
    }
    let value: unknown;
    try {
        const { jsYaml, schema } = fastParser();
        value = jsYaml.load(text, { schema, json: true, listener: nodeWatcher() as never });
    } catch {
        return needsReferenceParser;
    }
    // Only a mapping can be a Kubernetes object; anything else is the reference's to read
    // (and to refuse as "not a Kubernetes object").
    if (value === null || value === plainNull || typeof value !== "object" || Array.isArray(value)) {
        return needsReferenceParser;
    }
    return withNulls(value) ? value : needsReferenceParser;
}

/** Turns the plain-null markers into null in place; false when a key was a plain null. */
function withNulls(value: unknown): boolean {
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            if (value[i] === plainNull) {
                value[i] = null;
            } else if (value[i] !== null && typeof value[i] === "object" && !withNulls(value[i])) {
                return false;
            }
        }
    } else if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        for (const key of Object.keys(record)) {
            if (key === nullKeyMarker) {
                return false;
            }
            const child = record[key];
            if (child === plainNull) {
                record[key] = null;
            } else if (child !== null && typeof child === "object" && !withNulls(child)) {
                return false;
            }
        }
    }
    return true;
}
