// Evaluates the real program (index.ts) for one stack under mocks and runs the
// policy pack over what it registered. Writes nothing: see render.ts for the files.

import * as path from "path";
import { parsePlatformConfig, rawFromPulumiConfig } from "../components/config/load";
import { PlatformConfig } from "../components/config/schema";
import { Violation, evaluatePolicies } from "../policy/evaluate";
import { CapturedResource, ProgramRun, freshProgram, runProgram } from "./program-runner";
import { deployCredentialGaps, gapWarning } from "../components/access/deploy-credentials";
import { StackConfig, readStackConfig, stackFilePath } from "./stack-config";
import { repoRoot } from "./repo-root";
import * as fs from "fs";
import { ConfigError, configNamespace } from "../components/config/errors";
import { PlatformExport, platformOutputName, platformStackName, teamStackConfig } from "../components/config/team-stack";
import { dns1123Label } from "../components/config/formats";

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

/**
 * Loads a stack's config and validates it; throws ConfigError or StackFileError. A team stack is
 * validated on its platform stack's export (platformExportFor).
 */
export function loadStack(stack: string, configFile?: string | StackConfig, platform?: PlatformExport): { stackConfig: StackConfig; config: PlatformConfig } {
    const stackConfig = typeof configFile === "object" ? configFile : readStackConfig(configFile ?? stackFilePath(repoRoot, stack));
    const raw = rawFromPulumiConfig(stackConfig.config);
    if (raw.stack === "team") {
        if (!platform) {
            throw new ConfigError(`${configNamespace}:platformStack`, `team stack ${stack} is rendered on its platform stack's outputs; none were given`);
        }
        return { stackConfig, config: teamStackConfig(raw, platform) };
    }
    return { stackConfig, config: parsePlatformConfig(raw) };
}

/** Platform renders already made in this process, by their stack file's text. */
const platformRenders = new Map<string, Promise<RenderResult>>();

/**
 * What a team stack reads from its platform stack, offline: the `platform` output of an outputs.json
 * (`--platform-outputs FILE`, as `npm run render` writes it), or of a render of the platform stack's file
 * (stacks/Pulumi.<platform stack>.yaml). Undefined for any other kind of stack. Throws ConfigError
 * naming sandbox-platform:platformStack when there is no such platform stack.
 */
export async function platformExportFor(stackConfig: StackConfig, options: { platformOutputs?: string } = {}): Promise<PlatformExport | undefined> {
    const raw = rawFromPulumiConfig(stackConfig.config);
    if (raw.stack !== "team") {
        return undefined;
    }
    const key = `${configNamespace}:platformStack`;
    const name = platformStackName(raw);
    let outputs: Record<string, unknown>;
    let source: string;
    if (options.platformOutputs) {
        source = options.platformOutputs;
        try {
            outputs = JSON.parse(fs.readFileSync(options.platformOutputs, "utf8"));
        } catch (error) {
            throw new ConfigError(key, `cannot read platform stack ${JSON.stringify(name)}'s outputs from ${options.platformOutputs}: ${(error as Error).message}`);
        }
    } else {
        // A StackReference name may be <org>/<project>/<stack>; the stack file is named by the stack.
        const stack = name.split("/").pop()!;
        const file = stackFilePath(repoRoot, stack);
        source = file;
        if (!dns1123Label.test(stack) || !fs.existsSync(file)) {
            throw new ConfigError(key, `platform stack ${JSON.stringify(name)} not found: no ${path.relative(process.cwd(), file) || file}; render a team stack on its platform stack's file, or pass --platform-outputs out/<platform stack>/outputs.json`);
        }
        const text = fs.readFileSync(file, "utf8");
        if (!platformRenders.has(text)) {
            platformRenders.set(text, renderStack(stack, readStackConfig(file)));
        }
        outputs = (await platformRenders.get(text)!).run.outputs;
    }
    const exported = outputs?.[platformOutputName] as PlatformExport | undefined;
    if (!exported || typeof exported !== "object" || !Array.isArray(exported.teams) || typeof exported.config !== "object") {
        throw new ConfigError(key, `${JSON.stringify(name)} (${source}) has no "${platformOutputName}" output: it is not a platform stack (sandbox-platform:stack: platform)`);
    }
    return exported;
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
export async function renderStack(stack: string, configFile?: string | StackConfig, onResource?: (count: number) => void, platform?: PlatformExport): Promise<RenderResult> {
    const started = process.hrtime.bigint();
    const read = typeof configFile === "object" ? configFile : readStackConfig(configFile ?? stackFilePath(repoRoot, stack));
    const exported = platform ?? await platformExportFor(read);
    const { stackConfig, config } = loadStack(stack, read, exported);
    const run = await runProgram({
        stack, config: stackConfig.config, secretKeys: stackConfig.secretKeys,
        program: freshProgram(programPath), onResource,
        // A team stack's StackReference reads the platform's outputs, as the engine would answer it.
        outputs: exported ? (type) => type === "pulumi:pulumi:StackReference" ? { outputs: { [platformOutputName]: exported }, secretOutputNames: [] } : undefined : undefined,
    });
    const violations = await evaluatePolicies(policySubjects(run.resources));
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const deployWarnings = deployCredentialGaps(config, { config: stackConfig.config, env: process.env }).map(gapWarning);
    return { stack, config, run, violations, deployWarnings, durationMs };
}
