// YAML as Kubernetes reads it. kubectl and the API machinery convert YAML to JSON with
// sigs.k8s.io/yaml, whose go-yaml v2 fork resolves plain scalars by YAML 1.1 rules
// (resolve.go): y/yes/on/true (any of its spellings) are true, n/no/off/false false,
// `<<` merges, and numbers are whatever Go's strconv.ParseInt(s, 0, 64) or its float
// pattern accept after underscores are removed (0x, 0o, 0b and leading-0 octal).
// Unlike the `yaml` package's YAML 1.1 schema, sexagesimal numbers (1:20) and
// timestamps stay strings; duplicate keys are allowed and the last one wins.
// The differential test (test/policy-kubectl.test.ts) holds this to kubectl itself.

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

const goIntTag: ScalarTag = {
    identify: (value) => typeof value === "number" && Number.isInteger(value),
    default: true,
    tag: "tag:yaml.org,2002:int",
    test: /^[-+]?(?:0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[0-7_]*|[1-9][0-9_]*)$/,
    resolve: goInt,
};

/** go-yaml's yamlStyleFloat, with underscores allowed where go-yaml strips them. */
const goFloatTag: ScalarTag = {
    identify: (value) => typeof value === "number",
    default: true,
    tag: "tag:yaml.org,2002:float",
    test: /^[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9_]+)?$/,
    resolve: (source: string) => parseFloat(plainNumber(source)),
};

const goSpecialFloatTag: ScalarTag = {
    identify: (value) => typeof value === "number" && !Number.isFinite(value),
    default: true,
    tag: "tag:yaml.org,2002:float",
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: (source: string) => (/nan/i.test(source) ? NaN : source.startsWith("-") ? -Infinity : Infinity),
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
