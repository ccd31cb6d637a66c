import * as assert from "assert";
import fc from "fast-check";
import { redactSecrets } from "../tools/program-runner";
import { redacted } from "../tools/mock-outputs";

// The SDK's wire form of a secret (@pulumi/pulumi runtime/rpc.js specialSigKey / specialSecretSig).
const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

/** What the render must hold for `value`: a deep copy with every secret replaced and every `__provider` left out. */
function expected(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(expected);
    }
    if (value && typeof value === "object") {
        if ((value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") {
            return redacted;
        }
        return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "__provider").map(([key, entry]) => [key, expected(entry)]));
    }
    return value;
}

const inputs = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null),
        tie("array"), tie("object"), tie("secret"), fc.constant({ __provider: "serialized code", kept: 1 })),
    array: fc.array(tie("value"), { maxLength: 4 }),
    object: fc.dictionary(fc.constantFrom("a", "b", "metadata", "spec", "__provider", "value"), tie("value"), { maxKeys: 4, noNullPrototype: true }),
    secret: tie("value").map(secret),
})).value;

describe("program runner: what the render keeps of each resource's inputs (redactSecrets)", () => {
    it("replaces every secret and drops every serialized provider, at any depth, leaving the input untouched", () => {
        fc.assert(fc.property(inputs, (value) => {
            const before = JSON.stringify(value);
            assert.deepStrictEqual(redactSecrets(value), expected(value));
            assert.strictEqual(JSON.stringify(value), before);
        }), { numRuns: 2000 });
    });

    it("shares what has nothing to redact instead of copying it, and copies the path to what it redacts", () => {
        const untouched = { metadata: { name: "a", labels: { x: "1" } }, spec: { list: [1, { y: 2 }] } };
        assert.strictEqual(redactSecrets(untouched), untouched);
        const mixed = { metadata: untouched.metadata, data: { token: secret("hunter2") } };
        const result = redactSecrets(mixed);
        assert.notStrictEqual(result, mixed);
        assert.strictEqual(result.metadata, mixed.metadata);
        assert.deepStrictEqual(result.data, { token: redacted });
        assert.strictEqual(JSON.stringify(result).includes("hunter2"), false);
    });
});
