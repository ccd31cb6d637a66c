import * as assert from "assert";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { redactSecrets, runProgram } from "../tools/program-runner";
import { baseConfig, runPlatform } from "./helpers/platform";
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

describe("program runner: how deep in the call stack the program creates its resources", () => {
    // The SDK captures every frame above each resource it registers and sends them with the
    // registration (Resource.callsites with an unlimited stackTraceLimit, RegisterResourceRequest
    // stackTrace; docs/upstream.md): depth is a per-resource cost. The floor is a plain
    // registration made directly by a program, as bench/floor.ts makes them.
    class Plain extends pulumi.CustomResource {
        constructor(name: string) {
            super("test:index:Plain", name, {});
        }
    }

    /** Runs `run` with Resource.callsites recorded; returns the frame count of each registration, with the stack text. */
    async function depths(run: () => Promise<unknown>): Promise<{ frames: number; stack: string }[]> {
        const resource = pulumi.Resource as unknown as { callsites: () => unknown[] };
        const original = resource.callsites;
        const seen: { frames: number; stack: string }[] = [];
        resource.callsites = function (this: unknown) {
            const frames = original.call(this);
            seen.push({ frames: frames.length, stack: new Error().stack ?? "" });
            return frames;
        };
        try {
            await run();
        } finally {
            resource.callsites = original;
        }
        return seen;
    }

    it("creates every sandbox resource at most 4 frames deeper than a plain registration: the program function and the three components around it (no module-loader or callback frames)", async () => {
        const floor = await depths(() => runProgram({ stack: "depth", config: {}, program: () => new Plain("plain") }));
        const plain = floor.find((entry) => entry.stack.includes("new Plain"))!.frames;
        const platform = await depths(() => runPlatform(baseConfig()));
        const sandboxes = platform.filter((entry) => entry.stack.includes("new Sandbox"));
        assert.ok(sandboxes.length >= 8, `${sandboxes.length} sandbox registrations recorded`);
        for (const entry of sandboxes) {
            assert.ok(entry.frames <= plain + 4, `a sandbox resource registered ${entry.frames} frames deep, a plain one ${plain}:\n${entry.stack}`);
            assert.doesNotMatch(entry.stack, /Module\._compile/, "created while the program module was loading");
        }
    });
});
