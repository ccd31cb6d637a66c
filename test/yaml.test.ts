import * as assert from "assert";
import fc from "fast-check";
import * as YAML from "yaml";
import { parsesAsItselfInBoth, readsAsItselfInBoth, stringifyPlainYaml, stringifyYaml, stringifyYamlWithDocument } from "../components/yaml";
import { boundaryItems, helmReleases, isKubernetesObject, kubernetesManifest, vaultItems } from "../tools/render-files";
import { renderedEnvironment } from "./helpers/stacks";

// The render quotes a string when YAML 1.1 or 1.2 would read its plain form as something
// else. The oracle is the `yaml` package's own parser in both versions (parsesAsItselfInBoth);
// readsAsItselfInBoth answers most strings without a parse and must agree with it everywhere.

/** Characters that matter to YAML's plain scalars, and ordinary ones. */
const yamlChar = fc.constantFrom(..."aAbBeEfFnNoOsStTxXyYzZ019_./+=@-:#,[]{}!&*?|>'\"%`~<  \t".split(""));
const yamlish = fc.string({ unit: yamlChar, maxLength: 12 });
const specialWords = fc.constantFrom(
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "true", "True", "TRUE",
    "false", "False", "FALSE", "null", "Null", "NULL", "~", "", "<<", ".inf", "-.Inf", ".nan", "0755", "0o14", "0x1F", "0b101",
    "1_000", "1:20", "1:20.5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "1e3", "1.5", ".5", "-", "---", "...", "a: b", "#x",
);
const numbersAsText = fc.oneof(fc.integer().map(String), fc.double({ noNaN: true }).map(String), fc.integer({ min: 0, max: 99999 }).map((n) => `0${n}`));

describe("YAML that reads the same in 1.1 and 1.2 (components/yaml.ts)", () => {
    it("answers without a parse exactly as the two parsers do, for YAML-significant strings", () => {
        fc.assert(fc.property(fc.oneof(yamlish, specialWords, numbersAsText, fc.string()), (text) => {
            assert.strictEqual(readsAsItselfInBoth(text), parsesAsItselfInBoth(text), JSON.stringify(text));
        }), { numRuns: 3000 });
    });

    it("answers as the parsers do for names, paths and images like the ones a render holds", () => {
        const piece = fc.stringMatching(/^[a-z0-9][a-z0-9._/-]{0,10}$/);
        fc.assert(fc.property(fc.array(piece, { minLength: 1, maxLength: 3 }), fc.constantFrom("", ":", "/", "-", "."), (pieces, joiner) => {
            const text = pieces.join(joiner);
            assert.strictEqual(readsAsItselfInBoth(text), parsesAsItselfInBoth(text), JSON.stringify(text));
        }), { numRuns: 2000 });
    });

    it("answers as the parsers do for text with <, >, ;, , and : inside (the render's <id:...> stand-ins, Boundary grant strings)", () => {
        const blockChar = fc.constantFrom(..."aAeEfFnNoOsStTxXyYzZ0159_./+=@-:;,<> #".split(""));
        const idLike = fc.tuple(fc.constantFrom("", "ids=", "id:", "<<"), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/), fc.constantFrom("", ":", ">", ";actions=read,authorize-session", ">:"))
            .map(([prefix, name, suffix]) => `${prefix}<id:${name}>${suffix}`);
        fc.assert(fc.property(fc.oneof(fc.string({ unit: blockChar, minLength: 1, maxLength: 14 }), idLike), (text) => {
            assert.strictEqual(readsAsItselfInBoth(text), parsesAsItselfInBoth(text), JSON.stringify(text));
        }), { numRuns: 4000 });
    });

    it("answers as the parsers do for single-line text with spaces and punctuation (the render's shell commands, CEL expressions, descriptions)", () => {
        const spacedChar = fc.constantFrom(..."aAeEfFnNoOsStTxXyYzZ0159_./+=@-:;,<>()$\\'\"[]{}!&*?|%`~^#  \t".split(""));
        const words = fc.array(fc.string({ unit: spacedChar, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 })
            .chain((parts) => fc.constantFrom(" ", "  ", ": ", " #", ":", "#").map((joiner) => parts.join(joiner)));
        const rendered = fc.constantFrom(
            "sandbox developer; link to their account", "SYSTEM:eval $INNER_HEALTH_CHECK", "exit 0", "[secret]", "-c",
            "size(variables.privileged) == 0 || (!variables.sandboxRuntime && variables.envboxOk)", "has(c.securityContext) ? c : {}",
            "CR=$(printf '\\r'); while read -r line && [ \"$line\" != \"$CR\" ]; do :; done", "a: b c", "a #b", "a b:", "a b ", " a b",
            "2001-12-14 21:59:43.10 -5", "yes please", "on off", "1 2", "~ x", "! x", "& x", "* x", "% x", "@ x", "` x", "| x", "> x", "' x", "\" x",
        );
        fc.assert(fc.property(fc.oneof(fc.string({ unit: spacedChar, minLength: 1, maxLength: 20 }), words, rendered), (text) => {
            assert.strictEqual(readsAsItselfInBoth(text), parsesAsItselfInBoth(text), JSON.stringify(text));
        }), { numRuns: 6000 });
    });

    it("quotes without a parse only text that neither parser reads as itself (`: ` or ` #` inside, an indicator first, the empty string: the render's CEL messages and conditions)", () => {
        const anyChar = fc.constantFrom(..."aAeEfFnNoOsStTxXyYzZ0159_./+=@-:;,<>()$\\'\"[]{}!&*?|%`~^#  \t".split(""));
        const around = fc.string({ unit: anyChar, maxLength: 10 });
        fc.assert(fc.property(around, fc.constantFrom(": ", " #"), around, (before, marker, after) => {
            const text = `${before}${marker}${after}`;
            assert.strictEqual(readsAsItselfInBoth(text), false, JSON.stringify(text));
            assert.strictEqual(parsesAsItselfInBoth(text), false, JSON.stringify(text));
        }), { numRuns: 6000 });
        // Text that begins with an indicator no plain scalar begins with, or is empty.
        fc.assert(fc.property(fc.constantFrom(..."!&*[]{}#|>'\"%@`,".split("")), around, (first, rest) => {
            const text = `${first}${rest}`;
            assert.strictEqual(readsAsItselfInBoth(text), false, JSON.stringify(text));
            assert.strictEqual(parsesAsItselfInBoth(text), false, JSON.stringify(text));
        }), { numRuns: 6000 });
    });

    it("answers as the parsers do for adversarial text: line breaks other than \\n, BOM, controls, tabs, document markers, YAML 1.1 forms with spaces, a trailing colon, long text; and such keys read back as themselves", () => {
        const piece = fc.constantFrom(
            "a", "Z", "9", "_", "/", "<", "(", "$", "\\", " ", ":", "#", "-", ".", ",", "[", "}", "!", "&", "*", "?", "|", ">", "'", "\"", "%", "@", "`", "=", "+", "~",
            "\t", "\r", "\u0085", "\u2028", "\u2029", "\ufeff", "\u0000", "\u0007", "\u001b", "\u007f", "\u00a0", "é", "\u{1f600}",
            "---", "...", "<<", "y", "n", "=", ".inf", "0b1", "+12", "1:20", "0x1F", "yes", "null", "2001-12-14 21:59:43.10 -5", " 21:59:43.10", ": ", " #",
        );
        const text = fc.oneof(
            fc.array(piece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join("")),
            fc.tuple(fc.constantFrom("a", "x y", "1:20", "a b c"), fc.constantFrom(":", " :", ": x", "", " ")).map(([body, end]) => `${body}${end}`),
            fc.constantFrom("x".repeat(2000), `${"a b ".repeat(400)}c`, `${"k:".repeat(600)}v`),
        ).filter((candidate) => !candidate.includes("\n"));
        fc.assert(fc.property(text, (candidate) => {
            assert.strictEqual(readsAsItselfInBoth(candidate), parsesAsItselfInBoth(candidate), JSON.stringify(candidate));
            const object = { [candidate]: candidate };
            const written = stringifyYaml(object);
            assert.deepStrictEqual(YAML.parse(written, { version: "1.1" }), object, written);
            assert.deepStrictEqual(YAML.parse(written, { version: "1.2" }), object, written);
        }), { numRuns: 4000 });
    });

    it("refuses the plain forms that either version reads as something else (the check is not vacuous)", () => {
        for (const text of ["yes", "off", "y", "NO", "True", "null", "~", "", "0755", "0o14", "0x1F", "1:20", "1_000", "2001-12-14", ".inf", "1e3", "12", "-", "---", "a: b", "#x"]) {
            assert.strictEqual(readsAsItselfInBoth(text), false, text);
            assert.strictEqual(parsesAsItselfInBoth(text), false, text);
        }
        for (const text of ["dev", "sandbox-dev7-home", "ghcr.io/coder/envbox:0.6.7", "/home/coder", "a:b", "10Gi", "a b", "x\ny", "exit 0", "SYSTEM:eval $INNER_HEALTH_CHECK"]) {
            assert.strictEqual(readsAsItselfInBoth(text), true, text);
        }
    });

    it("stringifies objects that both versions read back as the same object", () => {
        const value = fc.dictionary(fc.oneof(yamlish, specialWords), fc.oneof(yamlish, specialWords, numbersAsText, fc.integer(), fc.boolean()), { maxKeys: 6, noNullPrototype: true });
        fc.assert(fc.property(value, (object) => {
            const text = stringifyYaml(object);
            assert.deepStrictEqual(YAML.parse(text, { version: "1.1" }), object, text);
            assert.deepStrictEqual(YAML.parse(text, { version: "1.2" }), object, text);
        }), { numRuns: 500 });
    });
});

// The render writes plain data directly (stringifyPlainYaml) instead of through the library's
// document model; the oracle is the library's own writer (stringifyYamlWithDocument), which
// must come out byte for byte the same.

/** Strings that exercise every way the library writes a scalar: plain, both quotes, block literals and their headers. */
const scalarText = fc.oneof(
    yamlish, specialWords, numbersAsText, fc.string(), fc.string({ unit: "grapheme" }),
    fc.string({ unit: fc.constantFrom("a", " ", "\n", "\t", "#", ":", "-", "'", "\"", "%", "\\", "\u0007", "\u0085", "\ud800", "é") }),
    fc.constantFrom("---\nx", "...", "%YAML", "a\n---\nb", "x\n", "x\n\n", "\n", "\n\n", " \n", "  lead\nx", "\nlead", "x \n", "x\n ", "tab\tend\t",
        "#!/bin/sh\nset -eu\n", "line\r\nwin", "a\u2028b", "\u00a0", "k: v\n- item", "x".repeat(1100), `${"y ".repeat(60)}\nz`),
);
const scalarValue = fc.oneof(
    scalarText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(-0, 1e21, 5e-324, Number.NaN, Infinity, -Infinity, 0.1),
);
const keyText = fc.oneof(yamlish, specialWords, fc.string({ maxLength: 20 }), fc.constantFrom("<<", "", "x".repeat(1030), "a\nb", "? x", "- y"));
const { data } = fc.letrec((tie) => ({
    data: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalarValue, tie("map"), tie("seq")),
    map: fc.dictionary(keyText, fc.oneof(tie("data"), fc.constant(undefined)), { maxKeys: 5 }),
    seq: fc.array(tie("data"), { maxLength: 4 }),
}));

describe("the direct YAML writer (stringifyPlainYaml) against the library's document writer", () => {
    it("runs against the yaml release its layout was read from (2.9.1; docs/upstream.md)", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        assert.strictEqual(require("yaml/package.json").version, "2.9.1", "re-read yaml's dist/stringify before moving the pin, then update the writer and this test");
    });

    for (const stack of ["dev", "prod", "repos"]) {
        it(`writes every file of the ${stack} environment's renders byte for byte as the library does, and none through the library`, async () => {
            const { run } = await renderedEnvironment(stack);
            const values: unknown[] = [
                ...run.resources.filter(isKubernetesObject).map(kubernetesManifest), ...helmReleases(run.resources),
                vaultItems(run.resources), boundaryItems(run.resources), ...run.resources.map((resource) => resource.inputs),
            ];
            assert.ok(values.length > 100, `${values.length} values`);
            for (const value of values) {
                const direct = stringifyPlainYaml(value);
                assert.notStrictEqual(direct, undefined, `left to the library: ${JSON.stringify(value).slice(0, 300)}`);
                assert.strictEqual(direct, stringifyYamlWithDocument(value));
            }
        });
    }

    it("writes generated maps and sequences (every scalar style, empty collections, undefined values, long keys) as the library does", () => {
        let direct = 0;
        fc.assert(fc.property(fc.oneof(fc.dictionary(keyText, data, { maxKeys: 6 }), fc.array(data, { maxLength: 6 })), (value) => {
            const text = stringifyPlainYaml(value);
            direct += text === undefined ? 0 : 1;
            assert.strictEqual(stringifyYaml(value), stringifyYamlWithDocument(value));
            if (text !== undefined) {
                assert.strictEqual(text, stringifyYamlWithDocument(value));
            }
        }), { numRuns: 4000, seed: 20261130 });
        assert.ok(direct > 3000, `only ${direct} of 4000 written directly`);
    });

    it("reads back as the same data in YAML 1.1 and 1.2 for generated JSON", () => {
        fc.assert(fc.property(fc.json({ depthSize: "small" }).map((text) => JSON.parse(text)), (value) => {
            const text = stringifyYaml(value);
            for (const version of ["1.1", "1.2"] as const) {
                assert.deepStrictEqual(YAML.parse(text, { version }), value, text);
            }
        }), { numRuns: 1500 });
    });

    it("leaves to the library what plain data does not cover: anchors for an object met twice, explicit keys, class instances, Maps, toJSON, holes", () => {
        const shared = { a: 1 };
        class Box { constructor(readonly v = 1) {} }
        const cases: unknown[] = [
            { x: shared, y: shared }, [shared, [shared]], { ["k".repeat(1100)]: 1 }, { a: new Box() }, new Map([["a", 1]]), { when: new Date(0) },
            { a: { toJSON: () => "j" } }, [1, undefined, 2], { a: [() => 1] }, "top-level string", 42, null,
        ];
        for (const value of cases) {
            assert.strictEqual(stringifyPlainYaml(value), undefined, String(value));
            let expected: string | Error;
            try {
                expected = stringifyYamlWithDocument(value);
            } catch (error) {
                expected = error as Error;
            }
            if (expected instanceof Error) {
                assert.throws(() => stringifyYaml(value), { message: expected.message });
            } else {
                assert.strictEqual(stringifyYaml(value), expected);
            }
        }
        assert.match(stringifyYaml({ x: shared, y: shared }), /&a1/);
    });
});
