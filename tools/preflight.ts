// `npm run preflight -- [--root DIR] [--json] [--daemonset]`: this node's readiness per
// runtime, or (--daemonset) the DaemonSet YAML that runs the same check on every node.
import * as path from "path";
import * as fs from "fs";
import { stringifyYaml } from "../components/yaml";
import * as ts from "typescript";
import { repoRoot } from "./repo-root";
import { preflight, readinessTable } from "../components/runtimes/preflight";
import { buildPreflightDaemonSet } from "../components/runtimes/preflight-daemonset";

const args = process.argv.slice(2);
if (args.includes("--daemonset")) {
    const source = fs.readFileSync(path.join(repoRoot, "components/runtimes/preflight.ts"), "utf8");
    const script = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const { config, daemonSet } = buildPreflightDaemonSet(script);
    process.stdout.write(`${stringifyYaml(config)}---\n${stringifyYaml(daemonSet)}`);
} else {
    const rootIndex = args.indexOf("--root");
    const results = preflight(rootIndex >= 0 ? args[rootIndex + 1] : "/");
    process.stdout.write(`${args.includes("--json") ? JSON.stringify(results, null, 2) : readinessTable(results)}\n`);
}
