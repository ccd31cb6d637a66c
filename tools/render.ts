// Offline render: `npm run render -- <stack> [--config FILE] [--out DIR] [--json]`.
// Shows exactly what `pulumi up` would deploy, with no cluster and no Pulumi service.
// Exit codes: 0 no mandatory policy violation; 1 mandatory violations; 2 invalid
// configuration (nothing written); 3 the program itself failed.

import * as fs from "fs";
import * as path from "path";
import { stringifyYaml } from "../components/yaml";
import { ConfigError } from "../components/config/errors";
import { mandatory } from "../policy/evaluate";
import { runtimeWarnings } from "../components/runtimes/runtimes";
import { ConnectInstructions } from "../components/access/connect";
import { boundaryItems, helmReleases, isKubernetesObject, kubernetesManifest, manifestPath, planJson, vaultItems } from "./render-files";
import { RenderResult, loadStack, renderStack, repoRoot } from "./render-stack";
import { StackFileError } from "./stack-config";

interface Arguments { stack: string; configFile?: string; outDir: string; json: boolean }

const usage = "usage: npm run render -- <stack> [--config FILE] [--out DIR] [--json]";

function parseArguments(argv: string[]): Arguments {
    let stack: string | undefined, configFile: string | undefined, outDir: string | undefined, json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--config" || arg === "--out") {
            const value = argv[++i];
            if (!value) {
                throw new StackFileError(`${arg} needs a value; ${usage}`);
            }
            arg === "--config" ? (configFile = value) : (outDir = value);
        } else if (arg === "--json") {
            json = true;
        } else if (arg.startsWith("-") || stack) {
            throw new StackFileError(`unexpected argument ${arg}; ${usage}`);
        } else {
            stack = arg;
        }
    }
    if (!stack) {
        throw new StackFileError(usage);
    }
    return { stack, configFile, outDir: outDir ?? path.join(repoRoot, "out", stack), json };
}

/** Writes the files; returns how many, and plan.json's text (stringified once, reused by --json). */
function writeFiles(result: RenderResult, outDir: string): { count: number; planText: string } {
    fs.rmSync(outDir, { recursive: true, force: true });
    let count = 0;
    const write = (relative: string, text: string) => {
        const file = path.join(outDir, relative);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        count++;
    };
    for (const resource of result.run.resources.filter(isKubernetesObject)) {
        const manifest = kubernetesManifest(resource);
        write(manifestPath(manifest), stringifyYaml(manifest));
    }
    for (const release of helmReleases(result.run.resources)) {
        write(`helm/${release.release}.yaml`, stringifyYaml(release));
    }
    write("vault.yaml", stringifyYaml(vaultItems(result.run.resources)));
    write("boundary.yaml", stringifyYaml(boundaryItems(result.run.resources)));
    const planText = `${JSON.stringify(planJson(result), null, 2)}\n`;
    write("plan.json", planText);
    return { count, planText };
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
    const warnings = runtimeWarnings(result.config);
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

async function main(): Promise<number> {
    let args: Arguments;
    try {
        args = parseArguments(process.argv.slice(2));
        loadStack(args.stack, args.configFile);
    } catch (error) {
        if (error instanceof ConfigError || error instanceof StackFileError) {
            process.stderr.write(`invalid configuration: ${error.message}\n`);
            return 2;
        }
        throw error;
    }
    let result: RenderResult;
    try {
        result = await renderStack(args.stack, args.configFile);
    } catch (error) {
        process.stderr.write(`render failed: ${(error as Error).stack ?? error}\n`);
        return error instanceof ConfigError ? 2 : 3;
    }
    const { count: files, planText } = writeFiles(result, args.outDir);
    if (args.json) {
        process.stdout.write(planText);
    } else {
        process.stdout.write(`${summary(result)}\n\nwrote ${files} files to ${path.relative(process.cwd(), args.outDir) || "."}\n`);
    }
    return mandatory(result.violations).length > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (error) => {
    process.stderr.write(`render failed: ${error?.stack ?? error}\n`);
    process.exit(3);
});
