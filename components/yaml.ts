// YAML that means the same to a YAML 1.1 reader (kubectl and K3s read manifests with
// go-yaml's 1.1 rules through sigs.k8s.io/yaml; Helm reads values the same way) and to a
// YAML 1.2 reader (the `yaml` package, most tools). A plain scalar such as `yes`, `off`,
// `1:20` or `0755` is a string in 1.2 but a boolean or a number in 1.1, and `0o14` the
// other way round: every string whose plain form either schema would read as something
// else is written double-quoted.

import * as YAML from "yaml";

/**
 * The fields of yaml's StringifyContext (dist/stringify/stringify.d.ts) the writer gives. Declared
 * here, not imported: `yaml/dist/util` is outside yaml's exports map (node16/nodenext/bundler
 * resolution refuse it) and `yaml/util` has no declarations under node10 resolution, and this file is
 * compiled by users of `sandbox-platform/components` with their own settings.
 * test/components-consumer.test.ts holds these types equal to the library's.
 */
export type WriterContext = {
    actualString?: boolean;
    allNullValues?: boolean;
    anchors: Set<string>;
    doc: YAML.Document;
    implicitKey?: boolean;
    indent: string;
    indentStep: string;
    inFlow: boolean | null;
    flowCollectionPadding: string;
    options: Readonly<Required<Omit<YAML.ToStringOptions, "collectionStyle" | "indent">>>;
};
/** The two functions of yaml's `yaml/util` entry the writer calls. */
export type YamlUtilFunctions = {
    stringifyNumber: (item: YAML.Scalar) => string;
    stringifyString: (item: YAML.Scalar, context: WriterContext) => string;
};

// yaml's public `yaml/util` entry (its exports map).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { stringifyNumber, stringifyString } = require("yaml/util") as YamlUtilFunctions;

/**
 * Text the lexer reads as one plain scalar of exactly that text in either version: no
 * indicator first (`-`, `.` for `---`/`...`), no space, `:`, `#`, quote, bracket or comma anywhere.
 */
const simplePlain = /^[A-Za-z0-9_/][A-Za-z0-9_./+=@-]*$/;

/** The tests by which each schema resolves a plain scalar to something other than a string (the `yaml` package's own tags). */
const resolvingTests = ["1.1", "1.2"].flatMap((version) =>
    new YAML.Document(null, { version: version as "1.1" | "1.2" }).schema.tags
        .filter((tag) => tag.default !== undefined && tag.default !== false && tag.test !== undefined)
        .map((tag) => tag.test!));

/** Tests that apply to mapping keys only (YAML 1.1's merge key `<<`, which go-yaml merges too). */
const keyOnlyTests = new YAML.Document(null, { version: "1.1" }).schema.tags
    .filter((tag) => tag.default === "key" && tag.test !== undefined)
    .map((tag) => tag.test!);

/**
 * More text the lexer reads as one plain scalar of exactly that text, in block context (a whole
 * document, a mapping value, a block sequence item): besides simplePlain's characters, `<`, `>`, `;`,
 * `,` and `:`, none of which ends a plain scalar there unless `:` is followed by a space or the end
 * (yaml 2.9.1 dist/parse/lexer.js parsePlainScalar; flow indicators end one only inside a flow
 * collection), so no trailing `:`. Such as the render's `<id:...>` stand-ins for ids and Boundary
 * grant strings, which otherwise took two parses each.
 */
const blockPlain = /^[A-Za-z0-9_/<][A-Za-z0-9_./+=@<>;,:-]*[A-Za-z0-9_./+=@<>;,-]$/;

/**
 * Single-line text with spaces and YAML punctuation inside that the lexer still reads, in block
 * context, as one plain scalar of exactly that text (YAML 1.2 spec 7.3.3, ns-plain-first and
 * nb-ns-plain-in-line; the same in yaml 2.9.1's lexer, parsePlainScalar): a first character that
 * is no indicator, then printable ASCII where `:` is never followed by a space or the end, a space
 * is single and never followed by `#`, and nothing trails. Such as the render's shell commands,
 * CEL expressions and descriptions, which otherwise took two parses each.
 */
const spacedPlain = /^[A-Za-z0-9_/<($\\](?:[!-9;-~]|:(?=[!-~])| (?=[!"$-~]))*$/;

/** Indicators that no plain scalar begins with (all but `-`, `?` and `:`, which may begin one). */
const quotedFirst = /^[!&*[\]{}#|>'"%@`,]/;

/** Slow-path answers by text (many strings recur from object to object); cleared when it grows large. */
const parsedAnswers = new Map<string, boolean>();

/**
 * Whether both YAML 1.1 and 1.2 read the plain form of `text` back as `text`, by parsing it with each
 * (quietly: a string that is odd YAML is what this asks about, not something to warn the user of).
 */
export function parsesAsItselfInBoth(text: string): boolean {
    try {
        return YAML.parse(text, { version: "1.1", logLevel: "error" }) === text && YAML.parse(text, { version: "1.2", logLevel: "error" }) === text;
    } catch {
        return false;
    }
}

/** parsesAsItselfInBoth, answered without a parse when the text is one simple plain scalar that no schema tag resolves. */
export function readsAsItselfInBoth(text: string): boolean {
    if (text.includes("\n")) {
        // Written as a block or quoted scalar by the library: always a string.
        return true;
    }
    // The composer resolves a plain scalar by the first default tag whose test matches, else as a string.
    if ((simplePlain.test(text) || blockPlain.test(text) || spacedPlain.test(text)) && !resolvingTests.some((test) => test.test(text))) {
        return true;
    }
    // A plain scalar ends at `: ` (a mapping's value follows) and at ` #` (a comment), cannot begin
    // with an indicator other than `-`, `?` or `:` (a tag, anchor, alias, flow collection, comment,
    // block or quoted scalar, directive or reserved character begins there: YAML 1.2 spec 7.3.3
    // ns-plain-first), and no quoted scalar or collection reads back as its own delimited text; the
    // empty document is null: quoted, whichever parser.
    if (text === "" || quotedFirst.test(text) || text.includes(": ") || text.includes(" #")) {
        return false;
    }
    let answer = parsedAnswers.get(text);
    if (answer === undefined) {
        answer = parsesAsItselfInBoth(text);
        if (parsedAnswers.size >= 10_000) {
            parsedAnswers.clear();
        }
        parsedAnswers.set(text, answer);
    }
    return answer;
}

/** Whether a string is written double-quoted: where YAML 1.1 and 1.2 would read its plain form differently (and `<<` as a key). */
function mustQuote(text: string, isKey: boolean): boolean {
    return !readsAsItselfInBoth(text) || (isKey && keyOnlyTests.some((test) => test.test(text)));
}

/**
 * The reference: YAML.stringify with the quoting above, through the library's document
 * model. What stringifyYaml must equal byte for byte; it also writes every value the direct
 * writer below does not take.
 */
export function stringifyYamlWithDocument(value: unknown): string {
    const document = new YAML.Document(value);
    YAML.visit(document, {
        Scalar(key, node) {
            if (typeof node.value === "string" && mustQuote(node.value, key === "key")) {
                node.type = "QUOTE_DOUBLE";
            }
        },
    });
    return document.toString({ lineWidth: 0 });
}

// The direct writer. Building the library's document model for every manifest was most of
// the render's YAML cost and garbage (a node per value, then a context object per pair); for
// plain data the layout of yaml 2.9.1's block style is simple, and it is written here
// directly. Every scalar that is not a simple plain word is still written by the library's
// own stringifyString/stringifyNumber (the public `yaml/util` entry), given the context the
// library's document writer would give it; anything else (class instances, Maps, toJSON,
// an object met twice, which the library writes as an anchor and alias, an explicit `? `
// key) goes to the reference. test/yaml.test.ts holds the two equal on every rendered
// manifest and on generated values. Layout read from yaml 2.9.1 dist/stringify
// (stringifyDocument, stringifyCollection, stringifyPair) and nodes/YAMLMap, YAMLSeq.

/** Thrown inside the direct writer for a value it leaves to the reference. */
const notPlain = Symbol("not plain data");

/** yaml's createStringifyContext defaults (dist/stringify/stringify.js), with lineWidth 0 as stringifyYaml asks. */
const writerOptions = {
    blockQuote: true, commentString: (text: string) => text.replace(/^(?!$)(?: $)?/gm, "#"), defaultKeyType: null, defaultStringType: "PLAIN",
    directives: null, doubleQuotedAsJSON: false, doubleQuotedMinMultiLineLength: 40, falseStr: "false", flowCollectionPadding: true,
    indentSeq: true, lineWidth: 0, minContentWidth: 20, nullStr: "null", simpleKeys: false, singleQuote: null, trailingComma: false,
    trueStr: "true", verifyAliasOrder: true,
} as const;
/** A document of the default schema (YAML 1.2 core), whose tags the library's plain-string check reads. */
const schemaDocument = new YAML.Document(null);

type Context = WriterContext;
/** Contexts by indent, for keys (implicit) and for values; none is ever at indent "" (the only one the library changes). */
const contexts = new Map<string, { key: Context; value: Context }>();
function contextsAt(indent: string): { key: Context; value: Context } {
    let found = contexts.get(indent);
    if (!found) {
        const base = {
            anchors: new Set<string>(), doc: schemaDocument, flowCollectionPadding: " ", indentStep: "  ", inFlow: null,
            options: writerOptions as unknown as Context["options"], indent, actualString: true, allNullValues: false,
        };
        found = { key: { ...base, implicitKey: true }, value: { ...base, implicitKey: false } };
        contexts.set(indent, found);
    }
    return found;
}

function stringText(text: string, context: Context, isKey: boolean): string {
    if (simplePlain.test(text) && !resolvingTests.some((test) => test.test(text))) {
        return text; // what plainString returns for it, with lineWidth 0
    }
    return stringifyString({ value: text, type: mustQuote(text, isKey) ? "QUOTE_DOUBLE" : undefined } as YAML.Scalar, context);
}

function scalarText(value: unknown, context: Context): string {
    switch (typeof value) {
        case "string":
            return stringText(value, context, false);
        case "number":
            return stringifyNumber({ value } as YAML.Scalar);
        case "boolean":
            return value ? "true" : "false";
        default:
            if (value === null) {
                return "null";
            }
            throw notPlain;
    }
}

/**
 * A plain object or array (each met once: the library aliases one met twice) as the library
 * writes it at `indent`: its block lines, or `{}`/`[]` on the parent's line when it holds nothing.
 */
function collectionText(value: object, indent: string, seen: Set<object>): { text: string; block: boolean } {
    if (seen.has(value)) {
        throw notPlain;
    }
    seen.add(value);
    const prototype = Object.getPrototypeOf(value);
    let block: string | undefined;
    if (Array.isArray(value) && prototype === Array.prototype) {
        block = seqText(value, indent, seen);
        return block === undefined ? { text: "[]", block: false } : { text: block, block: true };
    }
    if ((prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== "function") {
        block = mapText(value as Record<string, unknown>, indent, seen);
        return block === undefined ? { text: "{}", block: false } : { text: block, block: true };
    }
    throw notPlain;
}

/** A block mapping whose pairs sit at `indent` (undefined when it has none). */
function mapText(map: Record<string, unknown>, indent: string, seen: Set<object>): string | undefined {
    const inner = `${indent}  `;
    const { key: keyContext, value: valueContext } = contextsAt(inner);
    let text: string | undefined;
    for (const key of Object.keys(map)) {
        const value = map[key];
        if (value === undefined) {
            continue; // the library leaves the pair out
        }
        const keyText = stringText(key, keyContext, true);
        if (keyText.length > 1024) {
            throw notPlain; // an explicit `? ` key
        }
        let pair: string;
        if (value !== null && typeof value === "object") {
            const nested = collectionText(value, inner, seen);
            pair = nested.block ? `${keyText}:\n${inner}${nested.text}` : `${keyText}: ${nested.text}`;
        } else {
            pair = `${keyText}: ${scalarText(value, valueContext)}`;
        }
        text = text === undefined ? pair : `${text}\n${indent}${pair}`;
    }
    return text;
}

/** A block sequence whose `- ` items sit at `indent` (undefined when empty). */
function seqText(items: unknown[], indent: string, seen: Set<object>): string | undefined {
    const itemIndent = `${indent}  `;
    let text: string | undefined;
    for (const item of items) {
        const entry = item !== null && typeof item === "object"
            ? collectionText(item, itemIndent, seen).text
            : scalarText(item, contextsAt(itemIndent).value);
        text = text === undefined ? `- ${entry}` : `${text}\n${indent}- ${entry}`;
    }
    return text;
}

/** stringifyYamlWithDocument(value) for plain data, written directly; undefined for a value it leaves to the library. */
export function stringifyPlainYaml(value: unknown): string | undefined {
    if (value === null || typeof value !== "object") {
        return undefined;
    }
    try {
        return `${collectionText(value, "", new Set()).text}\n`;
    } catch (error) {
        if (error === notPlain) {
            return undefined;
        }
        throw error;
    }
}

/** YAML.stringify, with strings quoted wherever YAML 1.1 and 1.2 would read their plain form differently. */
export function stringifyYaml(value: unknown): string {
    return stringifyPlainYaml(value) ?? stringifyYamlWithDocument(value);
}
