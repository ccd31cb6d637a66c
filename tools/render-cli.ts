// Offline render, the command's logic (tools/render.ts runs it): `npm run render -- <stack> [--config FILE|-] [--out DIR] [--json]`.
// Shows exactly what `pulumi up` would deploy, with no cluster and no Pulumi service.
// Exit codes: 0 no mandatory policy violation; 1 mandatory violations; 2 invalid
// arguments or configuration, or an --out directory it may not replace (nothing
// written); 3 the program itself failed (a bug). Output is complete before exit.

import * as path from "path";
import { stringifyYaml } from "../components/yaml";
import { ConfigError } from "../components/config/errors";
import { dns1123Label } from "../components/config/formats";
import { mandatory } from "../policy/evaluate";
import { runtimeWarnings } from "../components/runtimes/runtimes";
import { ConnectInstructions } from "../components/access/connect";
import { boundaryItems, helmReleases, isKubernetesObject, kubernetesManifest, manifestPath, planJson, vaultItems } from "./render-files";
import { platformMarkdown } from "./render-diagram";
import { OutputRefused, replaceProblem, writeRender } from "./render-output";
import { RenderResult, loadStack, platformExportFor, renderStack, repoRoot } from "./render-stack";
import { PlatformExport } from "../components/config/team-stack";
import { StackConfig, StackFileError, parseStackConfig, readConfigFileText, readConfigStdin, stackFilePath } from "./stack-config";

export const exitCodes = { ok: 0, mandatoryViolations: 1, invalid: 2, failed: 3 } as const;

interface Arguments { stack: string; configFile?: string; outDir: string; json: boolean; platformOutputs?: string }

const usage = "usage: npm run render -- <stack> [--config FILE|-] [--out DIR] [--json] [--platform-outputs FILE]";

export function parseArguments(argv: string[]): Arguments {
    let stack: string | undefined, configFile: string | undefined, outDir: string | undefined, platformOutputs: string | undefined, json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--config" || arg === "--out" || arg === "--platform-outputs") {
            const value = argv[++i];
            if (!value) {
                throw new StackFileError(`${arg} needs a value; ${usage}`);
            }
            arg === "--config" ? (configFile = value) : arg === "--out" ? (outDir = value) : (platformOutputs = value);
        } else if (arg === "--json") {
            json = true;
        } else if ((arg.startsWith("-") && arg !== "-") || stack !== undefined) {
            throw new StackFileError(`unexpected argument ${arg}; ${usage}`);
        } else {
            stack = arg;
        }
    }
    if (stack === undefined) {
        throw new StackFileError(usage);
    }
    // The stack name becomes a file name and the default output directory: a DNS label only.
    if (!dns1123Label.test(stack) || stack.length > 63) {
        throw new StackFileError(`stack name ${JSON.stringify(stack)} is not a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`);
    }
    return { stack, configFile, outDir: outDir ?? path.join(repoRoot, "out", stack), json, ...(platformOutputs ? { platformOutputs } : {}) };
}

/** Every file of a render (relative path → text). */
export function renderFiles(result: RenderResult): Map<string, string> {
    const files = new Map<string, string>();
    const add = (relative: string, text: string) => {
        if (files.has(relative)) {
            throw new Error(`two rendered objects want the same file ${relative}`);
        }
        files.set(relative, text);
    };
    for (const resource of result.run.resources.filter(isKubernetesObject)) {
        const manifest = kubernetesManifest(resource);
        add(manifestPath(manifest), stringifyYaml(manifest));
    }
    for (const release of helmReleases(result.run.resources)) {
        add(`helm/${release.release}.yaml`, stringifyYaml(release));
    }
    add("vault.yaml", stringifyYaml(vaultItems(result.run.resources)));
    add("boundary.yaml", stringifyYaml(boundaryItems(result.run.resources)));
    add("plan.json", `${JSON.stringify(planJson(result), null, 2)}\n`);
    // The stack outputs (secrets redacted): a platform stack's are what its team stacks read.
    add("outputs.json", `${JSON.stringify(result.run.outputs, null, 2)}\n`);
    add("platform.md", platformMarkdown(result));
    return files;
}

/** Reads the stack config once: a file, standard input (`-`), or stacks/Pulumi.<stack>.yaml. */
async function readConfig(args: Arguments, stdin: NodeJS.ReadableStream): Promise<StackConfig> {
    if (args.configFile === "-") {
        return parseStackConfig(await readConfigStdin(stdin), "from standard input");
    }
    const file = args.configFile ?? stackFilePath(repoRoot, args.stack);
    return parseStackConfig(readConfigFileText(file), file);
}

/** Progress on stderr while rendering, only when stderr is a terminal. */
function progressReporter(stream: CommandIo["stderr"]): { onResource?: (count: number) => void; done: () => void } {
    if (!stream.isTTY) {
        return { done: () => undefined };
    }
    const started = Date.now();
    let last = 0;
    return {
        onResource: (count) => {
            const now = Date.now();
            if (now - last >= 100) {
                last = now;
                stream.write(`\rrendering: ${count} resources registered, ${((now - started) / 1000).toFixed(1)} s`);
            }
        },
        done: () => stream.write("\r\x1b[K"),
    };
}

/** Where the command reads and writes (the process's streams, or a test's). */
export interface CommandIo {
    stdin: NodeJS.ReadableStream;
    stdout: NodeJS.WritableStream & { isTTY?: boolean };
    stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

// stdin is touched only when read (`--config -`): creating its stream has effects on a terminal.
const processIo: CommandIo = { get stdin() { return process.stdin; }, stdout: process.stdout, stderr: process.stderr };

export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
    let args: Arguments;
    let stackConfig: StackConfig;
    let platform: PlatformExport | undefined;
    try {
        args = parseArguments(argv);
        stackConfig = await readConfig(args, io.stdin);
        platform = await platformExportFor(stackConfig, { platformOutputs: args.platformOutputs });
        loadStack(args.stack, stackConfig, platform);
    } catch (error) {
        if (error instanceof ConfigError) {
            io.stderr.write(`invalid configuration (${error.issues.length} problem${error.issues.length === 1 ? "" : "s"}):\n${error.issues.map((issue) => `  ${issue.key}: ${issue.detail}`).join("\n")}\nnothing was written\n`);
            return exitCodes.invalid;
        }
        if (error instanceof StackFileError) {
            io.stderr.write(`invalid configuration: ${error.message}\n`);
            return exitCodes.invalid;
        }
        throw error;
    }
    const outProblem = replaceProblem(path.resolve(args.outDir));
    if (outProblem) {
        io.stderr.write(`refusing --out: ${outProblem}; nothing was written\n`);
        return exitCodes.invalid;
    }
    const progress = progressReporter(io.stderr);
    let result: RenderResult;
    try {
        result = await renderStack(args.stack, stackConfig, progress.onResource, platform);
    } finally {
        progress.done();
    }
    const files = renderFiles(result);
    try {
        writeRender(args.outDir, args.stack, files);
    } catch (error) {
        if (error instanceof OutputRefused) {
            io.stderr.write(`refusing --out: ${error.message}; nothing was written\n`);
            return exitCodes.invalid;
        }
        throw error;
    }
    const relative = path.relative(process.cwd(), path.resolve(args.outDir)) || ".";
    const where = relative.startsWith("..") ? path.resolve(args.outDir) : relative;
    if (args.json) {
        await write(io.stdout, files.get("plan.json")!);
    } else {
        await write(io.stdout, `${summary(result)}\n\ndiagram: ${path.join(where, "platform.md")}\nwrote ${files.size} files to ${where}\n`);
    }
    return mandatory(result.violations).length > 0 ? exitCodes.mandatoryViolations : exitCodes.ok;
}

/** Resolves once the stream has taken the text (for a pipe: handed to the kernel). */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
    return new Promise((resolve) => stream.write(text, () => resolve()));
}

export function summary(result: RenderResult): string {
    const lines = [`sandbox-platform: stack ${result.stack}, ${result.run.resources.length} resources in ${(result.durationMs / 1000).toFixed(2)} s`];
    const counts = new Map<string, number>();
    for (const resource of result.run.resources) {
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    }
    for (const [type, count] of [...counts].sort()) {
        lines.push(`  ${String(count).padStart(4)}  ${type}`);
    }
    const developers = (result.run.outputs.developers ?? []) as Record<string, any>[];
    const connect = (result.run.outputs.connect ?? {}) as Record<string, ConnectInstructions>;
    lines.push("", `sandboxes (${developers.length} developers):`);
    for (const dev of developers) {
        const pool = dev.poolMember !== undefined ? ` (pool member ${dev.poolMember})` : "";
        lines.push(`  ${dev.team}/${dev.developer}: ${dev.runtime} sandbox ${dev.sandbox}${pool} in ${dev.namespace}`);
        lines.push(`      service ${dev.serviceDns}, volumes ${dev.claims.length > 0 ? dev.claims.join(", ") : "none (ephemeral: emptyDir, state only in git)"}`);
        lines.push(`      workspace ${dev.workspace} at ${dev.workspacePath}${dev.allocation === "ephemeral" ? ", ephemeral (any free member)" : ""}; code-server ${dev.codeServer ? "on 13337 (through the SSH tunnel)" : "not in this image"}`);
        const how = connect[`${dev.team}/${dev.developer}`];
        if (how) {
            for (const step of how.steps) {
                lines.push(`      $ ${step}`);
            }
            lines.push(`      VS Code: ${how.vscodeUri}`);
            if (how.codeServerUrl) {
                lines.push(`      code-server: $ ${how.codeServerTunnel}  then ${how.codeServerUrl}`);
            }
            for (const note of how.notes ?? []) {
                lines.push(`      note: ${note}`);
            }
        }
    }
    const warnings = [...runtimeWarnings(result.config), ...result.deployWarnings];
    if (warnings.length > 0) {
        lines.push("", "warnings:", ...warnings.map((warning) => `  ${warning}`));
    }
    const hard = mandatory(result.violations);
    lines.push("", `policy: ${hard.length} mandatory, ${result.violations.length - hard.length} advisory violation(s)`);
    for (const violation of result.violations) {
        lines.push(`  [${violation.level}] ${violation.policy}: ${violation.urn}\n      ${violation.message}`);
    }
    return lines.join("\n");
}
