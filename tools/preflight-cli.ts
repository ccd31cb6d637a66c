// `npm run preflight -- [--root DIR] [--json] [--require RUNTIME,...] [--label-node NODE] [--daemonset]`:
// this node's readiness per runtime, or (--daemonset) the DaemonSet YAML that runs the same check
// on every node. --label-node sets (or removes) the gVisor node label with `kubectl label node`
// (KUBECTL overrides the binary), so the gvisor RuntimeClass selects only nodes where runsc, its
// containerd shim and the containerd runtime entry are all present. Exit codes: 0 ready (every runtime named by --require is ready; without
// --require, the report was printed); 1 a runtime named by --require is not ready; 2 an
// error (unknown argument or runtime, unreadable --root). Gates CI jobs and node labelling.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringifyYaml } from "../components/yaml";
import * as ts from "typescript";
import { repoRoot } from "./repo-root";
import { gvisorLabelCommand, preflight, readinessTable } from "../components/runtimes/preflight";
import { buildPreflightDaemonSet } from "../components/runtimes/preflight-daemonset";

export const preflightExitCodes = { ready: 0, notReady: 1, error: 2 } as const;
const usage = "usage: npm run preflight -- [--root DIR] [--json] [--require RUNTIME[,RUNTIME...]] [--label-node NODE] [--daemonset]";

class UsageError extends Error {}

interface PreflightArguments { root: string; json: boolean; daemonset: boolean; require: string[]; labelNode?: string }

function parseArguments(argv: string[]): PreflightArguments {
    const args: PreflightArguments = { root: "/", json: false, daemonset: false, require: [] };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") {
            args.json = true;
        } else if (arg === "--daemonset") {
            args.daemonset = true;
        } else if (arg === "--root" || arg === "--require" || arg === "--label-node") {
            const value = argv[++i];
            if (value === undefined || value === "") {
                throw new UsageError(`${arg} needs a value; ${usage}`);
            }
            if (arg === "--root") {
                args.root = value;
            } else if (arg === "--label-node") {
                args.labelNode = value;
            } else {
                args.require.push(...value.split(",").map((entry) => entry.trim()).filter(Boolean));
            }
        } else {
            throw new UsageError(`unexpected argument ${arg}; ${usage}`);
        }
    }
    return args;
}

export function preflightMain(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): number {
    let args: PreflightArguments;
    try {
        args = parseArguments(argv);
        if (!args.daemonset && !fs.statSync(args.root, { throwIfNoEntry: false })?.isDirectory()) {
            throw new UsageError(`--root ${args.root} is not a directory`);
        }
    } catch (error) {
        stderr.write(`preflight: ${(error as Error).message}\n`);
        return preflightExitCodes.error;
    }
    if (args.daemonset) {
        const source = fs.readFileSync(path.join(repoRoot, "components/runtimes/preflight.ts"), "utf8");
        const script = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
        const { config, daemonSet, networkPolicy } = buildPreflightDaemonSet(script);
        stdout.write(`${stringifyYaml(config)}---\n${stringifyYaml(networkPolicy)}---\n${stringifyYaml(daemonSet)}`);
        return preflightExitCodes.ready;
    }
    const results = preflight(args.root);
    const known = results.map((result) => result.runtime);
    const unknown = args.require.filter((runtime) => !known.includes(runtime));
    if (unknown.length > 0) {
        stderr.write(`preflight: --require ${unknown.join(",")}: unknown runtime; known: ${known.join(", ")}\n`);
        return preflightExitCodes.error;
    }
    stdout.write(`${args.json ? JSON.stringify(results, null, 2) : readinessTable(results)}\n`);
    if (args.labelNode !== undefined) {
        const kubectl = process.env.KUBECTL || "kubectl";
        const command = gvisorLabelCommand(results, args.labelNode);
        const child = spawnSync(kubectl, command, { encoding: "utf8" });
        if (child.error || child.status !== 0) {
            stderr.write(`preflight: label node ${args.labelNode}: ${kubectl} ${command.join(" ")} failed: ${child.error?.message ?? child.stderr.trim()}\n`);
            return preflightExitCodes.error;
        }
        stderr.write(`preflight: ${kubectl} ${command.join(" ")}\n`);
    }
    const missing = args.require.filter((runtime) => !results.find((result) => result.runtime === runtime)?.ready);
    if (missing.length > 0) {
        stderr.write(`preflight: not ready: ${missing.join(", ")}\n`);
        return preflightExitCodes.notReady;
    }
    return preflightExitCodes.ready;
}
