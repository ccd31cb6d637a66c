// Evaluates the real program (index.ts) for one stack under mocks and runs the
// policy pack over what it registered. Writes nothing: see render.ts for the files.

import * as path from "path";
import { parsePlatformConfig, rawFromPulumiConfig, validatePlatformConfig } from "../components/config/load";
import { PlatformConfig } from "../components/config/schema";
import { Violation, evaluatePolicies } from "../policy/evaluate";
import { CapturedResource, ProgramRun, freshProgram, runProgram } from "./program-runner";
import { deployCredentialGaps, gapWarning } from "../components/access/deploy-credentials";
import { StackConfig, readStackConfig, stackFilePath } from "./stack-config";
import { repoRoot } from "./repo-root";
import * as fs from "fs";
import { ConfigError, ConfigIssue, configNamespace } from "../components/config/errors";
import { PlatformExport, platformExport, platformOutputName, platformStackName, teamAccess, teamStackConfig } from "../components/config/team-stack";
import { mockId } from "./mock-outputs";
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
 * validated on its platform stack's export (platformExportFor), read from `platform` when given.
 */
export function loadStack(stack: string, configFile?: string | StackConfig, platform?: PlatformExport): { stackConfig: StackConfig; config: PlatformConfig; platform?: PlatformExport } {
    const stackConfig = typeof configFile === "object" ? configFile : readStackConfig(configFile ?? stackFilePath(repoRoot, stack));
    const raw = rawFromPulumiConfig(stackConfig.config);
    // A value refused in the file (tools/stack-yaml.ts) is reported once, with that reason, beside the rest.
    const fileIssues = stackConfig.issues ?? [];
    const fileKeys = new Set(fileIssues.map((entry) => entry.key));
    const fail = (issues: ConfigIssue[]): never => {
        const all = [...fileIssues, ...issues.filter((entry) => !fileKeys.has(entry.key))];
        throw new ConfigError(all[0].key, all[0].detail, all);
    };
    if (raw.stack === "team") {
        const exported = platform ?? platformExportFor(stackConfig)!;
        let config: PlatformConfig;
        try {
            config = teamStackConfig(raw, exported);
        } catch (error) {
            throw error instanceof ConfigError ? fail(error.issues) : error;
        }
        if (fileIssues.length > 0) {
            fail([]);
        }
        return { stackConfig, config, platform: exported };
    }
    const { config, issues } = validatePlatformConfig(raw);
    if (issues.length > 0 || fileIssues.length > 0 || !config) {
        fail(issues);
    }
    return { stackConfig, config: config! };
}

/**
 * A platform stack's `platform` output as the offline render produces it, from its config alone: the
 * program builds it with the same function (components/config/team-stack.ts platformExport), and the
 * ids only Boundary assigns are the render's placeholders (test/render.test.ts holds the two equal).
 */
export function offlinePlatformExport(stackConfig: StackConfig): PlatformExport | undefined {
    const raw = rawFromPulumiConfig(stackConfig.config);
    const config = parsePlatformConfig(raw);
    if (config.stack !== "platform") {
        return undefined;
    }
    const access = teamAccess(config, {
        boundaryOrgId: mockId("boundary-org"),
        boundaryProjectIds: Object.fromEntries(config.teams.map((team) => [team.name, mockId(`boundary-${team.name}-project`)])),
    });
    return platformExport(config, raw, access);
}

/**
 * What a team stack reads from its platform stack, offline: the `platform` output of an outputs.json
 * (`--platform-outputs FILE`, as `npm run render` writes it), or of the platform stack's own file
 * (stacks/Pulumi.<platform stack>.yaml). Undefined for any other kind of stack. Throws ConfigError
 * naming sandbox-platform:platformStack when there is no such platform stack.
 */
export function platformExportFor(stackConfig: StackConfig, options: { platformOutputs?: string } = {}): PlatformExport | undefined {
    const raw = rawFromPulumiConfig(stackConfig.config);
    if (raw.stack !== "team") {
        return undefined;
    }
    const key = `${configNamespace}:platformStack`;
    const name = platformStackName(raw);
    let exported: PlatformExport | undefined;
    let source: string;
    if (options.platformOutputs) {
        source = options.platformOutputs;
        try {
            exported = JSON.parse(fs.readFileSync(options.platformOutputs, "utf8"))?.[platformOutputName];
        } catch (error) {
            throw new ConfigError(key, `cannot read platform stack ${JSON.stringify(name)}'s outputs from ${options.platformOutputs}: ${(error as Error).message}`);
        }
    } else {
        // A StackReference name may be <org>/<project>/<stack>; the stack file is named by the stack.
        const stack = name.split("/").pop()!;
        const file = stackFilePath(repoRoot, stack);
        source = path.relative(process.cwd(), file) || file;
        if (!dns1123Label.test(stack) || !fs.existsSync(file)) {
            throw new ConfigError(key, `platform stack ${JSON.stringify(name)} not found: no ${source}; render a team stack with its platform stack's file in stacks/, or pass --platform-outputs out/<platform stack>/outputs.json`);
        }
        try {
            exported = offlinePlatformExport(readStackConfig(file));
        } catch (error) {
            if (error instanceof ConfigError) {
                throw new ConfigError(key, `platform stack ${JSON.stringify(name)} (${source}) is not valid: ${error.issues.map((issue) => `${issue.key}: ${issue.detail}`).join("; ")}`);
            }
            throw error;
        }
    }
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
export function renderStack(stack: string, configFile?: string | StackConfig, onResource?: (count: number) => void, platform?: PlatformExport): Promise<RenderResult> {
    // One program at a time: the SDK's mocks, config and root stack are process-wide.
    const result = renderQueue.then(() => renderOne(stack, configFile, onResource, platform));
    renderQueue = result.then(() => undefined, () => undefined);
    return result;
}

let renderQueue: Promise<void> = Promise.resolve();

async function renderOne(stack: string, configFile?: string | StackConfig, onResource?: (count: number) => void, platform?: PlatformExport): Promise<RenderResult> {
    const started = process.hrtime.bigint();
    const { stackConfig, config, platform: exported } = loadStack(stack, configFile, platform);
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
