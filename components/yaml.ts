// YAML that means the same to a YAML 1.1 reader (kubectl and K3s read manifests with
// go-yaml's 1.1 rules through sigs.k8s.io/yaml; Helm reads values the same way) and to a
// YAML 1.2 reader (the `yaml` package, most tools). A plain scalar such as `yes`, `off`,
// `1:20` or `0755` is a string in 1.2 but a boolean or a number in 1.1, and `0o14` the
// other way round: every string whose plain form either schema would read as something
// else is written double-quoted.

import * as YAML from "yaml";

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
    if (simplePlain.test(text) && !resolvingTests.some((test) => test.test(text))) {
        return true;
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

/** YAML.stringify, with strings quoted wherever YAML 1.1 and 1.2 would read their plain form differently. */
export function stringifyYaml(value: unknown, options: YAML.ToStringOptions = {}): string {
    const document = new YAML.Document(value);
    YAML.visit(document, {
        Scalar(key, node) {
            if (typeof node.value === "string" && (!readsAsItselfInBoth(node.value) || (key === "key" && keyOnlyTests.some((test) => test.test(node.value as string))))) {
                node.type = "QUOTE_DOUBLE";
            }
        },
    });
    return document.toString({ lineWidth: 0, ...options });
}
