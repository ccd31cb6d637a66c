// The CEL engine the admission differential runs on (@bufbuild/cel, with the strings
// extension, as policy/admission/evaluate.ts configures it) against the official cel-spec
// conformance cases of exactly the functions and macros the generated policies use
// (docs/upstream.md, "Admission policies"): a disagreement here would make the
// differential prove nothing about the API server.
import * as assert from "assert";
import { isCelError, isCelList } from "@bufbuild/cel";
import { getConformanceSuite } from "@bufbuild/cel-spec/testdata/tests.js";
import { compileExpression } from "../policy/admission/evaluate";

/** cel-spec suites (conformance/*.textproto) covering what policy/admission/cel.ts generates. */
const used: Record<string, string[]> = {
    string_ext: ["split", "substring", "last_index_of", "join"],
    string: ["starts_with", "ends_with", "matches", "contains", "size", "concatenation"],
    macros: ["exists", "all", "map", "filter", "nested"],
    lists: ["in", "concatenation", "size", "index"],
    logic: ["conditional", "AND", "OR", "NOT"],
    comparisons: ["in_list_literal", "in_map_literal", "eq_literal", "ne_literal"],
    fields: ["map_has"],
};

type Expected = { kind: "value"; value: unknown } | { kind: "error" };

function expectedOf(test: any): Expected | undefined {
    const matcher = test.original.resultMatcher;
    if (!matcher?.case) {
        return { kind: "value", value: true };
    }
    if (matcher.case === "evalError") {
        return { kind: "error" };
    }
    if (matcher.case !== "value") {
        return undefined;
    }
    const { case: kind, value } = matcher.value.kind;
    return ["boolValue", "stringValue", "int64Value"].includes(kind) ? { kind: "value", value } : undefined;
}

describe("CEL engine: cel-spec conformance cases of the functions the admission policies use", () => {
    const suite = getConformanceSuite();
    for (const [file, sections] of Object.entries(used)) {
        const fileSuite = suite.suites.find((s) => s.name === file);
        it(`${file}: ${sections.join(", ")}`, () => {
            assert.ok(fileSuite, `no conformance file ${file}`);
            let ran = 0;
            const failures: string[] = [];
            for (const section of sections) {
                const tests = fileSuite!.suites.find((s) => s.name === section)?.tests;
                assert.ok(tests && tests.length > 0, `no section ${file}/${section}`);
                for (const test of tests!) {
                    const expected = expectedOf(test);
                    const original = test.original as any;
                    if (!expected || Object.keys(original.bindings ?? {}).length > 0 || original.typeEnv?.length > 0 || original.container || original.checkOnly) {
                        continue;
                    }
                    ran++;
                    let result: unknown;
                    try {
                        result = compileExpression(original.expr)({});
                    } catch (error) {
                        result = error;
                    }
                    const ok = expected.kind === "error"
                        ? isCelError(result) || result instanceof Error
                        : !isCelError(result) && !isCelList(result) && result === expected.value;
                    if (!ok) {
                        failures.push(`${section}/${test.name}: ${original.expr} gave ${isCelError(result) ? `error ${result.message}` : String(result)}`);
                    }
                }
            }
            assert.ok(ran >= sections.length, `${file}: only ${ran} cases ran`);
            assert.deepStrictEqual(failures, []);
        });
    }
});
