// Evaluates the real program (index.ts) for one stack under mocks and runs the
// policy pack over what it registered. Writes nothing: see render.ts for the files.

import * as path from "path";
import { rawFromPulumiConfig, validatePlatformConfig } from "../components/config/load";
import { ConfigError } from "../components/config/errors";
import { PlatformConfig } from "../components/config/schema";
import { Violation, evaluatePolicies } from "../policy/evaluate";
import { CapturedResource, ProgramRun, freshProgram, runProgram } from "./program-runner";
import { deployCredentialGaps, gapWarning } from "../components/access/deploy-credentials";
import { StackConfig, readStackConfig, stackFilePath } from "./stack-config";
import { repoRoot } from "./repo-root";

export { repoRoot };
// The program next to this file: index.ts under ts-node (tests), bin/index.js when compiled (users).
const programPath = require.resolve(path.join(__dirname, "..", "index"));

export interface RenderResult {
    stack: string;
    config: PlatformConfig;
    run: ProgramRun;
    violations: Violation[];
    /** One warning per deploy-time credential or address the stack and environment do not give (shown as a placeholder). */
    deployWarnings: string[];
    durationMs: number;
}

/** Loads a stack's config and validates it; throws ConfigError or StackFileError. */
export function loadStack(stack: string, configFile?: string | StackConfig): { stackConfig: StackConfig; config: PlatformConfig } {
    const stackConfig = typeof configFile === "object" ? configFile : readStackConfig(configFile ?? stackFilePath(repoRoot, stack));
    const { config, issues } = validatePlatformConfig(rawFromPulumiConfig(stackConfig.config));
    // A value refused in the file (tools/stack-yaml.ts) is reported once, with that reason.
    const fileKeys = new Set((stackConfig.issues ?? []).map((entry) => entry.key));
    const all = [...(stackConfig.issues ?? []), ...issues.filter((entry) => !fileKeys.has(entry.key))];
    if (all.length > 0 || !config) {
        throw new ConfigError(all[0].key, all[0].detail, all);
    }
    return { stackConfig, config };
}

export function policySubjects(resources: CapturedResource[]) {
    return resources.map((resource) => ({
        type: resource.type, urn: resource.urn, name: resource.name, props: resource.inputs,
        opts: { protect: resource.options.protect, retainOnDelete: resource.options.retainOnDelete, parent: resource.parent },
    }));
}

/**
 * Renders a stack: its file in stacks/, another file, or a config already read (read once:
 * `--config -` is standard input). `onResource` hears of each registration (progress).
 */
export async function renderStack(stack: string, configFile?: string | StackConfig, onResource?: (count: number) => void): Promise<RenderResult> {
    const started = process.hrtime.bigint();
    const { stackConfig, config } = loadStack(stack, configFile);
    const run = await runProgram({
        stack, config: stackConfig.config, secretKeys: stackConfig.secretKeys,
        program: freshProgram(programPath), onResource,
    });
    const violations = await evaluatePolicies(policySubjects(run.resources));
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const deployWarnings = deployCredentialGaps(config, { config: stackConfig.config, env: process.env }).map(gapWarning);
    return { stack, config, run, violations, deployWarnings, durationMs };
}
