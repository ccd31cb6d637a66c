// The compiled build users run: `npm run build` (also on `npm ci`/`npm install`, via
// "prepare"). Transpiles the program, components, policy, tools and bench (not the
// tests) from TypeScript to CommonJS under bin/, with no source maps, so that neither
// ts-node nor per-resource source-map stack rewriting is on the path users run.
// Type checking is `npm run typecheck` (part of `npm test`); this is the same
// per-file transpilation ts-node --transpile-only did before, done once.
//
// Never a stale build: bin/.build.json records a hash of every source file it was
// built from; ensureBuilt() (called by tools/run.js and by main.js, the program's
// entry for `pulumi up`) rebuilds exactly the changed files, and deletes only the
// outputs it wrote itself for sources that are gone.
//
// Plain JavaScript on purpose: it must run before anything is compiled.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const repoRoot = path.resolve(__dirname, "..");
const outDir = path.join(repoRoot, "bin");
const manifestFile = path.join(outDir, ".build.json");
/** What is built: the program and everything the user commands run. */
const roots = ["index.ts", "components", "provider", "policy", "tools", "bench"];
const manifestVersion = 1;

function listSources() {
    const found = [];
    const walk = (relative) => {
        const absolute = path.join(repoRoot, relative);
        let stat;
        try {
            stat = fs.statSync(absolute);
        } catch {
            return;
        }
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(absolute).sort()) {
                if (entry !== "node_modules" && !entry.startsWith(".")) {
                    walk(path.posix.join(relative, entry));
                }
            }
        } else if (relative.endsWith(".ts") && !relative.endsWith(".d.ts")) {
            found.push(relative);
        }
    };
    roots.forEach(walk);
    return found;
}

function hash(text) {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** The inputs that decide the output besides the sources: tsconfig.json and the TypeScript version. */
function settingsKey() {
    let tsVersion = "none";
    try {
        tsVersion = require("typescript/package.json").version;
    } catch {
        // reported when a build is actually needed
    }
    return hash(`${manifestVersion}\n${tsVersion}\n${fs.readFileSync(path.join(repoRoot, "tsconfig.json"), "utf8")}`);
}

function readManifest() {
    try {
        const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
        return manifest && typeof manifest.files === "object" ? manifest : undefined;
    } catch {
        return undefined;
    }
}

function outputPath(source) {
    return path.join(outDir, source.replace(/\.ts$/, ".js"));
}

/** Which sources differ from the last build (empty when bin/ is up to date). */
function staleSources() {
    const manifest = readManifest();
    const settings = settingsKey();
    const sources = listSources();
    const current = {};
    for (const source of sources) {
        current[source] = hash(fs.readFileSync(path.join(repoRoot, source)));
    }
    const previous = manifest && manifest.settings === settings ? manifest.files : {};
    const changed = sources.filter((source) => previous[source] !== current[source] || !fs.existsSync(outputPath(source)));
    const removed = Object.keys((manifest && manifest.files) || {}).filter((source) => !(source in current));
    return { changed, removed, current, settings };
}

function writeAtomically(file, text) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
}

function compilerOptions(ts) {
    const configFile = path.join(repoRoot, "tsconfig.json");
    const read = ts.readConfigFile(configFile, ts.sys.readFile);
    if (read.error) {
        throw new Error(`build: ${ts.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
    }
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, repoRoot, undefined, configFile);
    return {
        ...parsed.options,
        noEmit: false, sourceMap: false, inlineSourceMap: false, declaration: false, declarationMap: false,
    };
}

/**
 * Brings bin/ up to date with the sources and returns how many files it transpiled.
 * `log` receives one line when something was rebuilt.
 */
function ensureBuilt(log = () => {}) {
    const { changed, removed, current, settings } = staleSources();
    if (changed.length === 0 && removed.length === 0) {
        return 0;
    }
    let ts;
    try {
        ts = require("typescript");
    } catch {
        throw new Error(`the compiled build in ${outDir} is out of date (${changed.length} changed source file(s), e.g. ${changed[0] ?? removed[0]}) ` +
            "and TypeScript is not installed to rebuild it: run `npm ci` (which builds), then retry");
    }
    const options = compilerOptions(ts);
    for (const source of changed) {
        const text = fs.readFileSync(path.join(repoRoot, source), "utf8");
        const result = ts.transpileModule(text, { compilerOptions: options, fileName: source, reportDiagnostics: true });
        const errors = (result.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error);
        if (errors.length > 0) {
            throw new Error(`build: ${source}: ${ts.flattenDiagnosticMessageText(errors[0].messageText, "\n")}`);
        }
        writeAtomically(outputPath(source), result.outputText);
    }
    for (const source of removed) {
        fs.rmSync(outputPath(source), { force: true });
    }
    writeAtomically(manifestFile, `${JSON.stringify({ version: manifestVersion, settings, files: current }, null, 1)}\n`);
    log(`built ${changed.length} file(s) into ${path.relative(process.cwd(), outDir) || "."}${removed.length ? `, removed ${removed.length} stale output(s)` : ""}`);
    return changed.length;
}

module.exports = { ensureBuilt, staleSources, listSources, outDir, repoRoot };

if (require.main === module) {
    const checkOnly = process.argv.includes("--check");
    try {
        if (checkOnly) {
            const { changed, removed } = staleSources();
            if (changed.length + removed.length > 0) {
                process.stderr.write(`bin/ is out of date: ${[...changed, ...removed].join(", ")}; run \`npm run build\`\n`);
                process.exit(1);
            }
            process.stdout.write("bin/ is up to date\n");
        } else {
            const built = ensureBuilt((line) => process.stdout.write(`${line}\n`));
            if (built === 0) {
                process.stdout.write("bin/ is up to date\n");
            }
        }
    } catch (error) {
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
    }
}
