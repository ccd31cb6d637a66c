// Runs the real program (index.ts) under the mock monitor with a config given as
// a plain object of short keys, and returns what it registered.

import * as path from "path";
import { CapturedResource, ProgramRun, freshProgram, runProgram } from "../../tools/program-runner";
import { configNamespace } from "../../components/config/errors";

const programPath = path.resolve(__dirname, "../../index.ts");

export function flatConfig(raw: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(raw).map(([key, value]) =>
        [`${configNamespace}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));
}

export async function runPlatform(raw: Record<string, unknown>, stack = "test", outputs?: (type: string, name: string) => Record<string, unknown> | undefined): Promise<ProgramRun> {
    return runProgram({
        stack, config: flatConfig(raw), outputs,
        program: freshProgram(programPath),
    });
}

export function ofKind(resources: CapturedResource[], kind: string): CapturedResource[] {
    return resources.filter((resource) => resource.custom && resource.inputs.kind === kind);
}

export function named(resources: CapturedResource[], kind: string, name: string): CapturedResource {
    const found = ofKind(resources, kind).find((resource) => resource.inputs.metadata?.name === name);
    if (!found) {
        throw new Error(`no ${kind} named ${name}; have ${ofKind(resources, kind).map((r) => r.inputs.metadata?.name).join(", ")}`);
    }
    return found;
}

/** A minimal valid config: one envbox team. */
export function baseConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        environment: "test",
        teams: [{ name: "alpha", developers: ["alice", "bob"] }],
        ...overrides,
    };
}
