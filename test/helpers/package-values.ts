// Checks a program's arguments to the multi-language package against the package schema, the way the
// generated SDKs and Pulumi YAML see them, without the Pulumi CLI. Sources (pulumi/pulumi at
// 1b5949891b3c): pkg/codegen/python/python.go PyName (camelCase → snake_case, the Python property
// and keyword names), pkg/codegen/python/gen.go PyPack (the Python package name) and the `<Type>Args`
// input classes of the Python SDK (gen.go: name + "Args"); pkg/codegen/schema/pulumi.json for what a
// type reference is ($ref "#/types/<token>", array items, map additionalProperties, primitives).

type Json = Record<string, any>;

/** pkg/codegen/python/python.go pyName: the four-state machine (first, upper, acronym, lower-or-number). */
export function pyName(name: string): string {
    const components: string[] = [];
    let current = "";
    let state: "first" | "upper" | "acronym" | "lower" = "first";
    const isUpper = (char: string) => char >= "A" && char <= "Z";
    const isDigit = (char: string) => char >= "0" && char <= "9";
    for (let char of name) {
        if (!/[A-Za-z0-9_]/.test(char)) {
            char = "_";
        }
        switch (state) {
            case "first":
                current += char.toLowerCase();
                state = isUpper(char) ? "upper" : "lower";
                break;
            case "upper":
                current += char.toLowerCase();
                state = isUpper(char) ? "acronym" : "lower";
                break;
            case "acronym":
                if (isUpper(char)) {
                    current += char.toLowerCase();
                } else if (isDigit(char)) {
                    current += char;
                    state = "lower";
                } else {
                    components.push(current.slice(0, -1));
                    current = current.slice(-1) + char;
                    state = "lower";
                }
                break;
            case "lower":
                if (isUpper(char)) {
                    components.push(current);
                    current = char.toLowerCase();
                    state = "upper";
                } else {
                    current += char;
                }
                break;
        }
    }
    components.push(current);
    return components.filter((part) => part !== "").join("_");
}

/** pkg/codegen/python/gen.go PyPack: the Python package of a schema's namespace and name. */
export function pyPack(namespace: string | undefined, name: string): string {
    return `${namespace ? namespace.replace(/-/g, "_") : "pulumi"}_${name.replace(/-/g, "_")}`;
}

function typeOf(schema: Json, ref: string): { token: string; spec: Json } | undefined {
    const match = /^#\/types\/(.+)$/.exec(ref);
    return match ? { token: match[1], spec: schema.types?.[match[1]] } : undefined;
}

/** Problems of `value` as the value of a property of type `spec` (an input as the engine receives it). */
export function schemaProblems(schema: Json, spec: Json, value: unknown, at: string): string[] {
    if (spec.$ref === "pulumi.json#/Any") {
        return [];
    }
    if (spec.$ref) {
        const type = typeOf(schema, spec.$ref);
        if (!type?.spec) {
            return [`${at}: the schema has no type ${spec.$ref}`];
        }
        if (type.spec.enum) {
            const values = type.spec.enum.map((member: Json) => member.value);
            return values.includes(value) ? [] : [`${at}: ${JSON.stringify(value)} is not one of ${values.join(", ")} (${type.token})`];
        }
        return objectProblems(schema, type.spec.properties ?? {}, type.spec.required ?? [], value, at);
    }
    switch (spec.type) {
        case "string": return typeof value === "string" ? [] : [`${at}: expected a string, got ${JSON.stringify(value)}`];
        case "boolean": return typeof value === "boolean" ? [] : [`${at}: expected a boolean, got ${JSON.stringify(value)}`];
        case "number": return typeof value === "number" ? [] : [`${at}: expected a number, got ${JSON.stringify(value)}`];
        case "integer": return Number.isInteger(value) ? [] : [`${at}: expected an integer, got ${JSON.stringify(value)}`];
        case "array":
            return Array.isArray(value) ? value.flatMap((entry, i) => schemaProblems(schema, spec.items, entry, `${at}[${i}]`)) : [`${at}: expected a list, got ${JSON.stringify(value)}`];
        case "object":
            if (!value || typeof value !== "object" || Array.isArray(value)) {
                return [`${at}: expected a map, got ${JSON.stringify(value)}`];
            }
            return Object.entries(value).flatMap(([key, entry]) => schemaProblems(schema, spec.additionalProperties ?? { $ref: "pulumi.json#/Any" }, entry, `${at}.${key}`));
        default:
            return [`${at}: the schema's type ${JSON.stringify(spec)} is not one this check knows`];
    }
}

/** Problems of an object against named properties: unknown keys, missing required keys, each value. */
export function objectProblems(schema: Json, properties: Json, required: string[], value: unknown, at: string): string[] {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        return [`${at}: expected an object, got ${JSON.stringify(value)}`];
    }
    const record = value as Json;
    return [
        ...required.filter((key) => record[key] === undefined).map((key) => `${at}.${key}: required`),
        ...Object.entries(record).flatMap(([key, entry]) => (properties[key]
            ? schemaProblems(schema, properties[key], entry, `${at}.${key}`)
            : [`${at}.${key}: not a property (known: ${Object.keys(properties).join(", ")})`])),
    ];
}

/**
 * A Python call's keyword arguments (test/helpers/python-calls.py) as the inputs the Python SDK sends:
 * each snake_case keyword is the property whose PyName it is; `<Type>Args(...)` is an object of that
 * schema type. Returns the camelCase inputs and every keyword or value that has no place in the schema.
 */
export function inputsFromPython(schema: Json, properties: Json, kwargs: Json, at: string): { inputs: Json; problems: string[] } {
    const byPyName = new Map(Object.keys(properties).map((key) => [pyName(key), key]));
    const inputs: Json = {};
    const problems: string[] = [];
    for (const [keyword, value] of Object.entries(kwargs)) {
        const key = byPyName.get(keyword);
        if (key === undefined) {
            problems.push(`${at}: keyword ${keyword} is no property (the SDK has: ${[...byPyName.keys()].join(", ")})`);
            continue;
        }
        const converted = pythonValue(schema, properties[key], value, `${at}.${keyword}`);
        inputs[key] = converted.value;
        problems.push(...converted.problems);
    }
    return { inputs, problems };
}

function pythonValue(schema: Json, spec: Json, value: any, at: string): { value: unknown; problems: string[] } {
    if (value && typeof value === "object" && "$expr" in value) {
        return { value: undefined, problems: [`${at}: ${value.$expr} is not a literal; this check reads literal arguments only`] };
    }
    if (spec.$ref) {
        const type = typeOf(schema, spec.$ref);
        if (type?.spec?.properties) {
            const expected = `${type.token.split(":")[2]}Args`;
            if (!value || value.$call !== expected) {
                return { value: undefined, problems: [`${at}: expected ${expected}(...), got ${JSON.stringify(value)}`] };
            }
            const { inputs, problems } = inputsFromPython(schema, type.spec.properties, value.kwargs, `${at}`);
            return { value: inputs, problems };
        }
        return { value, problems: [] };
    }
    if (spec.type === "array" && Array.isArray(value)) {
        const converted = value.map((entry, i) => pythonValue(schema, spec.items, entry, `${at}[${i}]`));
        return { value: converted.map((entry) => entry.value), problems: converted.flatMap((entry) => entry.problems) };
    }
    if (spec.type === "object" && value && typeof value === "object" && !Array.isArray(value)) {
        const converted = Object.entries(value).map(([key, entry]) => [key, pythonValue(schema, spec.additionalProperties ?? {}, entry, `${at}[${JSON.stringify(key)}]`)] as const);
        return { value: Object.fromEntries(converted.map(([key, entry]) => [key, entry.value])), problems: converted.flatMap(([, entry]) => entry.problems) };
    }
    return { value, problems: [] };
}
