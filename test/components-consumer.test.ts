// A TypeScript program of its own that deploys ClusterBase alone from `sandbox-platform/components`
// (docs/stacks.md "The components behind each stack"), compiled as a user compiles it: the package
// installed under node_modules, its exports map followed, the user's compiler options. The package's
// types are its TypeScript sources (package.json exports["./components"].types), so the user's
// compiler checks them with the user's module resolution (docs/upstream.md "The engine's side of a
// component Construct, and what `pulumi package add` writes": yaml's exports map).

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { repoRoot } from "../tools/repo-root";
import type { WriterContext, YamlUtilFunctions } from "../components/yaml";
// The repository's own (node10) resolution reaches yaml's declarations of `yaml/util`.
import type * as YamlUtil from "yaml/dist/util";

// components/yaml.ts declares the yaml/util functions it calls instead of importing their types (which no
// single module specifier offers under every resolution): the library's functions must fit those
// declarations (parameters checked strictly: function-typed properties) and the context it gives
// must be one the library takes. A mismatch fails `npm run typecheck`.
const libraryFitsDeclared: YamlUtilFunctions = { stringifyNumber: null! as typeof YamlUtil.stringifyNumber, stringifyString: null! as typeof YamlUtil.stringifyString };
const contextFitsLibrary: YamlUtil.StringifyContext = null! as WriterContext;
void libraryFitsDeclared;
void contextFitsLibrary;

const program = `
import * as pulumi from "@pulumi/pulumi";
import { ClusterBase, ClusterBaseArgs, ConfigError, parsePlatformConfig } from "sandbox-platform/components";

const raw = new pulumi.Config("sandbox-platform").requireObject<Record<string, unknown>>("platform");
let config;
try {
    config = parsePlatformConfig({ ...raw, stack: "platform" });
} catch (error) {
    throw error instanceof ConfigError ? new Error(error.message) : error;
}
// Only what ClusterBaseArgs names, from the validated sections.
const args: ClusterBaseArgs = {
    teams: config.teams,
    quotaBy: "capacity",
    cluster: config.cluster,
    network: config.network,
    runtimes: { kata: config.runtimes.kata },
};
const base = new ClusterBase("cluster", args);
export const namespaces = Object.fromEntries(Object.entries(base.teamNamespaces).map(([team, ns]) => [team, ns.metadata.name]));
`;

const resolutions: { name: string; options: ts.CompilerOptions }[] = [
    { name: "node (node10)", options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 } },
    { name: "node16", options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 } },
    { name: "nodenext", options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
];

describe("a TypeScript program using sandbox-platform/components (ClusterBase alone)", function () {
    this.timeout(300000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "components-consumer-"));
        fs.mkdirSync(path.join(dir, "node_modules"));
        // The package as installed (a symlink, as `npm install <path>` makes it); its dependencies are its own.
        fs.symlinkSync(repoRoot, path.join(dir, "node_modules", "sandbox-platform"), "dir");
        fs.symlinkSync(path.join(repoRoot, "node_modules", "@pulumi"), path.join(dir, "node_modules", "@pulumi"), "dir");
        fs.symlinkSync(path.join(repoRoot, "node_modules", "@types"), path.join(dir, "node_modules", "@types"), "dir");
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cluster-only", main: "index.ts" }));
        fs.writeFileSync(path.join(dir, "index.ts"), program);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const { name, options } of resolutions) {
        it(`compiles with strict checks and ${name} module resolution`, () => {
            const compiled = ts.createProgram([path.join(dir, "index.ts")], {
                ...options, strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, skipLibCheck: true, esModuleInterop: true,
                types: ["node"], noImplicitReturns: true, forceConsistentCasingInFileNames: true,
            });
            const diagnostics = ts.getPreEmitDiagnostics(compiled).map((d) => {
                const where = d.file ? `${path.relative(repoRoot, fs.realpathSync(d.file.fileName))}: ` : "";
                return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
            });
            assert.deepStrictEqual(diagnostics, []);
        });
    }
});

describe("docs/stacks.md \"The components behind each stack\": the arguments it names are the components' own", () => {
    it("every backticked argument of a one-component row is a property of that component's Args, exported from sandbox-platform/components", function () {
        this.timeout(300000);
        const text = fs.readFileSync(path.join(repoRoot, "docs/stacks.md"), "utf8");
        const section = text.split("## The components behind each stack")[1].split("\n## ")[0];
        const rows = section.split("\n").filter((line) => /^\| `\w+` \|/.test(line)).map((line) => line.split("|").map((cell) => cell.trim()));
        assert.ok(rows.length >= 6, `only ${rows.length} rows`);
        const compiled = ts.createProgram([path.join(repoRoot, "components/index.ts")], { strict: true, noEmit: true, skipLibCheck: true, types: ["node"] });
        const checker = compiled.getTypeChecker();
        const entry = checker.getSymbolAtLocation(compiled.getSourceFile(path.join(repoRoot, "components/index.ts"))!)!;
        const exported = new Map(checker.getExportsOfModule(entry).map((symbol) => [symbol.name, symbol]));
        const problems: string[] = [];
        for (const [, componentCell, , argumentsCell] of rows) {
            const component = /^`(\w+)`$/.exec(componentCell)?.[1];
            if (!component) {
                continue; // a row of several components
            }
            const args = exported.get(`${component}Args`);
            if (!args) {
                problems.push(`${component}Args is not exported from components/index.ts`);
                continue;
            }
            const properties = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(args)).getProperties().map((p) => p.name);
            // Backticked names outside parentheses (which give values or what a name holds), up to the first dot.
            const named = [...argumentsCell.replace(/\([^)]*\)/g, "").matchAll(/`([A-Za-z]+)(?:\.[A-Za-z.]+)?`/g)].map((m) => m[1]);
            assert.ok(named.length > 0, `${component}: no argument named`);
            for (const name of named.filter((n) => !properties.includes(n))) {
                problems.push(`${component}: \`${name}\` is not a property of ${component}Args (${properties.join(", ")})`);
            }
        }
        assert.deepStrictEqual(problems, []);
    });
});

