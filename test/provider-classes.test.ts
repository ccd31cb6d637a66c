// Issue 25 (render CPU): the program takes the @pulumi/kubernetes and @pulumi/vault classes it
// constructs from their own modules (components/provider-classes.ts), not through the
// packages' indexes, which load every API group and the yaml and helm helpers. The classes
// must be the very ones the indexes hand out; a render must load neither index; and the one
// remote component, whose outputs come back as resource references, must still have the
// packages' resource modules registered with the SDK when it is created (upstream fact in
// docs/upstream.md: @pulumi/pulumi runtime/rpc.js deserializeProperty turns a reference into a
// class instance only through a registered module, else into its URN or id).

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import { k8sClasses, vaultClasses } from "../components/provider-classes";

const repoRoot = path.resolve(__dirname, "..");

/** Every class in a namespace-shaped object, by its dotted path (getters read, so the ConfigGroup too). */
function classesOf(tree: object, prefix = ""): [string, unknown][] {
    return Object.keys(tree).flatMap((key) => {
        const value = (tree as Record<string, unknown>)[key];
        const at = prefix ? `${prefix}.${key}` : key;
        return typeof value === "function" ? [[at, value] as [string, unknown]] : classesOf(value as object, at);
    });
}

/** The value at a dotted path in a package's namespace. */
function at(root: object, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], root);
}

/** Runs node with a preload that writes, at exit, the files the script's process loaded (not the launcher's). */
function loadedModules(args: string[]): { status: number | null; stderr: string; modules: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-classes-"));
    try {
        const record = path.join(dir, "modules.json");
        const preload = path.join(dir, "record.js");
        fs.writeFileSync(preload, `process.on("exit", () => { if (require("path").basename(process.argv[1] || "") !== "run.js") ` +
            `require("fs").writeFileSync(${JSON.stringify(record)}, JSON.stringify(Object.keys(require.cache))); });\n`);
        const result = spawnSync(process.execPath, ["-r", preload, ...args.map((arg) => arg.replace("$OUT", path.join(dir, "out")))],
            { cwd: repoRoot, encoding: "utf8", env: { ...process.env, BOUNDARY_TOKEN: "", VAULT_TOKEN: "" } });
        const modules = fs.existsSync(record) ? JSON.parse(fs.readFileSync(record, "utf8")) as string[] : [];
        return { status: result.status, stderr: result.stderr, modules };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const indexes = ["@pulumi/kubernetes/index.js", "@pulumi/vault/index.js"].map((file) => path.join(repoRoot, "node_modules", file));

describe("provider classes from their own modules (issue 25)", function () {
    this.timeout(120_000);

    it("are the classes the packages' indexes hand out, at the same paths", () => {
        const kubernetes = classesOf(k8sClasses);
        const vaultOnes = classesOf(vaultClasses);
        assert.ok(kubernetes.length >= 20 && vaultOnes.length === 6, `${kubernetes.length} Kubernetes and ${vaultOnes.length} Vault classes`);
        for (const [dotted, Class] of kubernetes) {
            assert.strictEqual(Class, at(k8s, dotted), `k8sClasses.${dotted} is not k8s.${dotted}`);
        }
        for (const [dotted, Class] of vaultOnes) {
            assert.strictEqual(Class, at(vault, dotted), `vaultClasses.${dotted} is not vault.${dotted}`);
        }
    });

    it("every class the components construct is taken from provider-classes.ts, none from a package index", () => {
        const offenders: string[] = [];
        const walk = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const file = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    walk(file);
                } else if (file.endsWith(".ts")) {
                    const text = fs.readFileSync(file, "utf8");
                    // A value import of a package index (a type-only one is erased).
                    if (/^import (?!type )[^;]*from "@pulumi\/(kubernetes|vault)";/m.test(text)) {
                        offenders.push(path.relative(repoRoot, file));
                    }
                }
            }
        };
        walk(path.join(repoRoot, "components"));
        walk(path.join(repoRoot, "policy"));
        walk(path.join(repoRoot, "tools"));
        assert.deepStrictEqual(offenders, []);
    });

    it("an enterprise render (Vault and Boundary on) loads neither package index, nor their yaml helpers' glob", () => {
        const result = loadedModules([path.join(repoRoot, "tools/run.js"), "tools/render", "prod", "--out", "$OUT"]);
        assert.strictEqual(result.status, 0, result.stderr.slice(-2000));
        assert.ok(result.modules.some((file) => file.endsWith(path.join("@pulumi", "kubernetes", "core", "v1", "configMap.js"))), "the render constructed no ConfigMap class?");
        assert.ok(result.modules.some((file) => file.endsWith(path.join("@pulumi", "vault", "ssh", "secretBackendCa.js"))), "the render constructed no Vault CA class?");
        for (const index of indexes) {
            assert.ok(!result.modules.includes(index), `the render loaded ${path.relative(repoRoot, index)}`);
        }
        // @pulumi/kubernetes's yaml helpers' glob (the SDK's own npm libraries bring their own copies, under theirs).
        const helpers = ["glob", "path-scurry"].map((name) => path.join(repoRoot, "node_modules", name) + path.sep);
        assert.deepStrictEqual(result.modules.filter((file) => helpers.some((helper) => file.startsWith(helper))), []);
    });

    it("the remote ConfigGroup comes with @pulumi/kubernetes's resource modules registered, as its outputs' references need", () => {
        // In a fresh process: the components alone register no Kubernetes module; taking the ConfigGroup does.
        const script = [
            `const rpc = require("@pulumi/pulumi/runtime/rpc");`,
            `const { k8sClasses } = require(${JSON.stringify(path.join(repoRoot, "components/provider-classes.ts"))});`,
            `const before = ["core/v1", "apiextensions.k8s.io/v1"].map((mod) => rpc.getResourceModule("kubernetes", mod) !== undefined);`,
            `const ConfigGroup = k8sClasses.yaml.v2.ConfigGroup;`,
            `const after = ["core/v1", "apiextensions.k8s.io/v1"].map((mod) => rpc.getResourceModule("kubernetes", mod) !== undefined);`,
            `process.stdout.write(JSON.stringify({ before, after, token: ConfigGroup.__pulumiType }));`,
        ].join("\n");
        const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: repoRoot, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(JSON.parse(result.stdout), { before: [false, false], after: [true, true], token: "kubernetes:yaml/v2:ConfigGroup" });
    });

    it("the multi-language plugin still registers the provider packages, so a caller's provider reference becomes its Provider class", () => {
        // @pulumi/pulumi provider/server.js createProviderResource: a registered package constructs the
        // caller's provider as its class, an unregistered one gets a DependencyProviderResource.
        const script = [
            `const rpc = require("@pulumi/pulumi/runtime/rpc");`,
            `require(${JSON.stringify(path.join(repoRoot, "provider/index.ts"))});`,
            `process.stdout.write(JSON.stringify(["kubernetes", "vault"].map((pkg) => rpc.getResourcePackage(pkg, "") !== undefined)));`,
        ].join("\n");
        const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: repoRoot, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(JSON.parse(result.stdout), [true, true]);
    });
});
