import * as assert from "assert";
import fc from "fast-check";
import * as YAML from "yaml";
import { parsesAsItselfInBoth, readsAsItselfInBoth, stringifyYaml } from "../components/yaml";

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

    it("refuses the plain forms that either version reads as something else (the check is not vacuous)", () => {
        for (const text of ["yes", "off", "y", "NO", "True", "null", "~", "", "0755", "0o14", "0x1F", "1:20", "1_000", "2001-12-14", ".inf", "1e3", "12", "-", "---", "a: b", "#x"]) {
            assert.strictEqual(readsAsItselfInBoth(text), false, text);
            assert.strictEqual(parsesAsItselfInBoth(text), false, text);
        }
        for (const text of ["dev", "sandbox-dev7-home", "ghcr.io/coder/envbox:0.6.7", "/home/coder", "a:b", "10Gi", "a b", "x\ny"]) {
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
