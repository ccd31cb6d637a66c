// Values in a stack file that readers of YAML do not agree on. `pulumi` reads stack files
// with go-yaml v3 (pulumi/pulumi sdk/go/common/encoding/marshal.go), whose plain scalars
// are neither YAML 1.1 nor 1.2: only true/false spellings are booleans (so `on` and `yes`
// are text), but `0755` is octal 493 and `1_000` is 1000 (go-yaml resolve.go). Kubernetes
// reads YAML 1.1 through go-yaml v2 (policy/yaml11.ts), the YAML 1.1 spec also has
// sexagesimal numbers (`1:30` = 90) and timestamps, and YAML 1.2 (the `yaml` package, our
// render) reads `0755` as 755 and `1_000` as text. A value those readers disagree on means
// different things to different tools, so it is refused with its key, and the user quotes
// it. So are numbers Pulumi cannot store (infinities, NaN: its config is JSON) and empty
// `secure:` values (no ciphertext). docs/upstream.md lists the facts.

import * as YAML from "yaml";
import { ConfigIssue } from "../components/config/errors";
import { kubernetesYamlOptions } from "../policy/yaml11";

type Reading = { reader: string; value: unknown };

const goV3Words: Record<string, unknown> = {
    true: true, True: true, TRUE: true, false: false, False: false, FALSE: false,
    "": null, "~": null, null: null, Null: null, NULL: null,
    ".nan": NaN, ".NaN": NaN, ".NAN": NaN,
    ".inf": Infinity, ".Inf": Infinity, ".INF": Infinity, "+.inf": Infinity, "+.Inf": Infinity, "+.INF": Infinity,
    "-.inf": -Infinity, "-.Inf": -Infinity, "-.INF": -Infinity,
};
/** go-yaml v3 yamlStyleFloat. */
const goFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/**
 * go-yaml v3 parseTimestamp's layouts (date; date T time zone; date space time), checked by
 * shape only: Go's time.Parse also checks ranges (an approximation, on the strict side).
 */
const goTimestamp = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?$/;

/** Go's strconv.ParseInt(text, 0, 64) (then ParseUint), or undefined. */
function goParseInt(text: string): number | undefined {
    const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
    if (!match) {
        return undefined;
    }
    const body = match[2];
    const digits = /^0[xXoObB]/.test(body) ? body : body.length > 1 && body[0] === "0" ? `0o${body.slice(1)}` : body;
    const value = BigInt(digits) * (match[1] === "-" ? -1n : 1n);
    return value >= -(2n ** 63n) && value < 2n ** 64n ? Number(value) : undefined;
}

/** A plain scalar as go-yaml v3 resolves it (resolve.go): the value Pulumi's config gets. */
export function goYamlV3Plain(text: string): unknown {
    if (text in goV3Words) {
        return goV3Words[text];
    }
    const first = text[0];
    if (first === ".") {
        return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : text;
    }
    if (first === "+" || first === "-" || (first >= "0" && first <= "9")) {
        if (goTimestamp.test(text)) {
            return new Date(NaN); // a timestamp: Pulumi stores Go's time.String() of it
        }
        const plain = text.replace(/_/g, "");
        const integer = goParseInt(plain);
        if (integer !== undefined) {
            return integer;
        }
        if (goFloat.test(plain)) {
            return Number(plain);
        }
    }
    return text;
}

/** The kind and value of a reading, for comparing readers. */
function describe(value: unknown): string {
    if (value instanceof Date) {
        return "a timestamp";
    }
    if (typeof value === "string") {
        return `the text ${JSON.stringify(value)}`;
    }
    if (value === null) {
        return "null";
    }
    return `the ${typeof value} ${String(value)}`;
}

function readings(text: string): Reading[] | undefined {
    try {
        return [
            { reader: "Pulumi (go-yaml v3)", value: goYamlV3Plain(text) },
            { reader: "Kubernetes (YAML 1.1, go-yaml v2)", value: YAML.parse(text, kubernetesYamlOptions) },
            { reader: "the YAML 1.1 spec", value: YAML.parse(text, { version: "1.1" }) },
            { reader: "YAML 1.2", value: YAML.parse(text) },
        ];
    } catch {
        return undefined; // not a scalar on its own; the document's own parse decides
    }
}

/** Why a plain scalar is refused, or undefined. */
export function plainScalarProblem(text: string): string | undefined {
    const read = readings(text);
    if (!read) {
        return undefined;
    }
    const pulumi = read[0].value;
    if (typeof pulumi === "number" && !Number.isFinite(pulumi)) {
        return `${text} is ${describe(pulumi)}, which Pulumi cannot store (its config is JSON); give a finite number`;
    }
    const kinds = new Map<string, string[]>();
    for (const { reader, value } of read) {
        kinds.set(describe(value), [...(kinds.get(describe(value)) ?? []), reader]);
    }
    if (kinds.size === 1) {
        return undefined;
    }
    const how = [...kinds.entries()].map(([kind, readers]) => `${kind} to ${readers.join(", ")}`).join("; ");
    return `${text} means different things to different YAML readers (${how}); quote it ("${text}") to mean the text, or write the value so that all agree`;
}

type KeyOf = (path: (string | number)[]) => string;

/** Every refused plain scalar and empty `secure:` value under the file's `config`, each with its key. */
export function stackFileValueIssues(text: string, keyOf: KeyOf): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const document = YAML.parseDocument(text);
    const config = YAML.isMap(document.contents) ? document.contents.get("config", true) : undefined;
    const visit = (node: unknown, path: (string | number)[]) => {
        if (YAML.isScalar(node)) {
            if (node.type === "PLAIN" && node.tag === undefined && typeof node.source === "string") {
                const problem = plainScalarProblem(node.source);
                if (problem) {
                    issues.push({ key: keyOf(path), detail: problem });
                }
            }
        } else if (YAML.isMap(node)) {
            const secure = node.items.length === 1 && YAML.isScalar(node.items[0].key) && node.items[0].key.value === "secure" ? node.items[0].value : undefined;
            if (YAML.isScalar(secure) && typeof secure.value === "string" && secure.value === "") {
                issues.push({ key: keyOf(path), detail: "is an empty secure: value (no ciphertext to decrypt); set it with pulumi config set --secret, or leave the key out" });
                return;
            }
            for (const pair of node.items) {
                const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
                visit(pair.value, [...path, key]);
            }
        } else if (YAML.isSeq(node)) {
            node.items.forEach((item, i) => visit(item, [...path, i]));
        }
    };
    if (YAML.isMap(config)) {
        for (const pair of config.items) {
            const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
            visit(pair.value, [key]);
        }
    }
    return issues;
}
