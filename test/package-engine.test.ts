// The component plugin as the engine drives it, beyond GetSchema and a plain Construct (issue #27):
// the calls the engine makes before a Construct and the forms inputs take when the plugin accepts
// output values. Sources (pulumi/pulumi at 1b5949891b3c; docs/upstream.md "The engine's side of a
// component Construct"):
// - pkg/resource/plugin/provider_plugin.go: the engine configures a plugin before its first
//   Construct (Configure, when the plugin has no Handshake); a plugin that does not accept secrets
//   cannot Construct ("plugins that can construct components must support secrets"); inputs are
//   marshalled with KeepUnknowns, KeepSecrets and KeepOutputValues = the plugin's acceptOutputs, with
//   per-input dependencies (inputDependencies).
// - sdk/nodejs/runtime/rpc.ts: an output value is {sig: d0e6a833..., value?, secret?, dependencies?};
//   no `value` is an unknown (a preview of another resource's output).
// - @pulumi/pulumi provider/server.js deserializeInputs: an input that is a secret, has dependencies
//   or holds output values reaches the component as an Output.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../tools/repo-root";
import { providerDir } from "../tools/package-schema";
import { readStackConfig, stackFilePath } from "../tools/stack-config";
import { loadStack } from "../tools/render-stack";
import { rawFromPulumiConfig } from "../components/config/load";
import { platformOutputName, platformStackName, teamStackKeys } from "../components/config/team-stack";
import { teamStackType } from "../components/package/team-stack";
import { platformStackType } from "../components/package/platform-stack";
import { ComponentPlugin } from "./helpers/component-plugin";
import { FakeEngine, Registration, plaintextOccurrences, rootStackType, serveFakeEngine } from "./helpers/language-host";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { ensureBuilt } = require("../tools/build");

const project = "sandbox-platform";
const teamStack = "dev-app-team-alpha";
const stackUrn = `urn:pulumi:${teamStack}::${project}::${rootStackType}::${project}-${teamStack}`;
/** sdk/nodejs/runtime/rpc.ts specialSigKey and specialOutputValueSig. */
const sigKey = "4dabf18193072939515e22adb298388d";
const outputValueSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** Another resource in the caller's program, whose output feeds an input. */
const upstreamUrn = `urn:pulumi:${teamStack}::${project}::random:index/randomPassword:RandomPassword::token`;

const engineConfig = (stack: string): Record<string, string> => readStackConfig(stackFilePath(repoRoot, stack)).config;

function platformOutputs(): Record<string, Record<string, unknown>> {
    const { platform } = loadStack(teamStack);
    return { [platformStackName(rawFromPulumiConfig(engineConfig(teamStack)))]: { [platformOutputName]: platform } };
}

/** The team stack file's keys as TeamStack arguments, a developer as `{ name }` (the schema's one form). */
function teamArguments(): Record<string, any> {
    const raw: Record<string, any> = rawFromPulumiConfig(engineConfig(teamStack));
    const args = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(raw).filter(([key]) => key !== "stack" && (teamStackKeys as readonly string[]).includes(key)))));
    for (const team of args.teams) {
        team.developers = team.developers.map((developer: unknown) => (typeof developer === "string" ? { name: developer } : developer));
    }
    return args;
}

const outputValue = (fields: { value?: unknown; secret?: boolean; dependencies?: string[] }) => ({ [sigKey]: outputValueSig, ...fields });
const typeAndName = (list: Registration[]) => list.map((r) => `${r.type}::${r.name}`).sort();

describe("multi-language package: the plugin as the engine drives it (Configure, output values, unknowns)", function () {
    this.timeout(300000);
    let plugin: ComponentPlugin;
    let pwd: string;
    const engines: FakeEngine[] = [];
    async function engine(): Promise<FakeEngine> {
        const started = await serveFakeEngine({ stack: teamStack, project, dryRun: true, stackOutputs: platformOutputs() });
        engines.push(started);
        return started;
    }
    before(async () => {
        ensureBuilt();
        pwd = fs.mkdtempSync(path.join(os.tmpdir(), "package-engine-"));
        plugin = await ComponentPlugin.start(providerDir, (await engine()).address, pwd);
    });
    after(async () => {
        plugin?.stop();
        await Promise.all(engines.map((e) => e.shutdown()));
        fs.rmSync(pwd, { recursive: true, force: true });
    });

    async function constructTeam(on: FakeEngine, name: string, inputs: Record<string, unknown>, inputDependencies?: Record<string, string[]>) {
        return plugin.construct({
            project, stack: teamStack, config: engineConfig(teamStack), dryRun: true, monitorEndpoint: on.address,
            type: teamStackType, name, parent: stackUrn, inputs, inputDependencies,
        });
    }

    it("answers GetPluginInfo with the package's version, Configure as a Construct needs (secrets, resources and output values accepted), and no Handshake or CheckConfig (the engine falls back)", async () => {
        const version = JSON.parse(fs.readFileSync(path.join(repoRoot, "provider/package.json"), "utf8")).version;
        assert.strictEqual(await plugin.getPluginInfo(), version);
        const configured = await plugin.configure();
        // Without acceptSecrets the engine refuses every Construct; acceptOutputs decides the form of the inputs below.
        assert.strictEqual(configured.acceptSecrets, true);
        assert.strictEqual(configured.acceptResources, true);
        assert.strictEqual(configured.acceptOutputs, true);
        // No Handshake: the engine takes the protocol from Configure; CheckConfig and DiffConfig unimplemented: it passes
        // the provider's config through (provider_plugin.go, codes.Unimplemented).
        const unimplemented = 12;
        assert.strictEqual(await plugin.statusOf("handshake"), unimplemented);
        assert.strictEqual(await plugin.statusOf("checkConfig"), unimplemented);
        assert.strictEqual(await plugin.statusOf("diffConfig"), unimplemented);
    });

    it("a secret boundaryToken sent as a secret output value with dependencies creates what a known one creates, never in plain text", async () => {
        const canary = "canary-output-value-token";
        const secretRun = await engine();
        await constructTeam(secretRun, "alpha", { ...teamArguments(), boundaryToken: outputValue({ value: canary, secret: true, dependencies: [upstreamUrn] }) },
            { boundaryToken: [upstreamUrn] });
        const created = secretRun.registrations.filter((r) => r.type !== teamStackType);
        assert.ok(created.length > 5, `only ${created.length} registrations`);
        assert.ok(JSON.stringify(created.map((r) => r.inputs)).includes(canary), "the token reached no resource");
        assert.deepStrictEqual(created.flatMap((r) => plaintextOccurrences(r.inputs, canary, r.urn)), []);
    });

    it("in a preview, a boundaryToken that is another resource's unknown output still creates every resource (no fallback to BOUNDARY_TOKEN)", async () => {
        const known = await engine();
        await constructTeam(known, "alpha", { ...teamArguments(), boundaryToken: outputValue({ value: "known-token", secret: true }) });
        const unknown = await engine();
        const saved = process.env.BOUNDARY_TOKEN;
        await constructTeam(unknown, "alpha", { ...teamArguments(), boundaryToken: outputValue({ secret: true, dependencies: [upstreamUrn] }) },
            { boundaryToken: [upstreamUrn] });
        assert.strictEqual(process.env.BOUNDARY_TOKEN, saved);
        assert.deepStrictEqual(typeAndName(unknown.registrations), typeAndName(known.registrations));
        assert.deepStrictEqual(unknown.logs.filter((log) => /BOUNDARY_TOKEN|boundaryToken/.test(log.message)).map((log) => log.message), []);
    });

    it("a plain TeamStack argument given another resource's output or a secret fails the Construct naming the argument, before creating anything", async () => {
        const on = await engine();
        const args = teamArguments();
        args.environment = outputValue({ value: args.environment, dependencies: [upstreamUrn] });
        args.teams[0].image = outputValue({ value: args.teams[0].image, secret: true });
        await assert.rejects(constructTeam(on, "alpha", args, { environment: [upstreamUrn] }), (error: Error) => {
            assert.match(error.message, /TeamStack alpha: invalid arguments:\n/);
            assert.match(error.message, /^environment: is a secret or another resource's output; this argument is plain/m);
            assert.match(error.message, /^teams\[0\]\.image: is a secret or another resource's output; this argument is plain/m);
            assert.doesNotMatch(error.message, /toString|Output<T>/);
            return true;
        });
        assert.deepStrictEqual(on.registrations.filter((r) => r.type !== teamStackType).map((r) => r.urn), []);
    });

    it("a plain PlatformStack argument given an unknown output (a preview) fails the Construct naming the argument", async () => {
        const on = await engine();
        const raw: Record<string, any> = rawFromPulumiConfig(engineConfig("dev"));
        await assert.rejects(plugin.construct({
            project, stack: "dev", config: engineConfig("dev"), dryRun: true, monitorEndpoint: on.address,
            type: platformStackType, name: "dev", parent: `urn:pulumi:dev::${project}::${rootStackType}::${project}-dev`,
            inputs: { ...raw, coder: { ...raw.coder, accessUrl: outputValue({ dependencies: [upstreamUrn] }) } },
            inputDependencies: { coder: [upstreamUrn] },
        }), (error: Error) => {
            assert.match(error.message, /PlatformStack dev: invalid arguments:\n/);
            assert.match(error.message, /^coder\.accessUrl: is a secret or another resource's output; this argument is plain/m);
            return true;
        });
        assert.deepStrictEqual(on.registrations.filter((r) => r.type !== platformStackType).map((r) => r.urn), []);
    });
});

describe("multi-language package: what `pulumi package add` writes into the Python example", () => {
    it("examples/python-team/README.md names the SDK directory and the requirements.txt line the CLI writes (sdks/<namespace>-<name>)", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "provider/schema.json"), "utf8"));
        // pkg/cmd/pulumi/packages InstallPackage: <project>/sdks/<namespace>-<name>; the pip toolchain's
        // LinkPackages appends that path, relative to the project, to requirements.txt.
        const sdkPath = `sdks/${schema.namespace}-${schema.name}`;
        const readme = fs.readFileSync(path.join(repoRoot, "examples/python-team/README.md"), "utf8");
        assert.ok(readme.includes(`into ${sdkPath}`), `the README does not name ${sdkPath}`);
        assert.ok(readme.includes(`appends that path to requirements.txt`));
        // The requirements file names no other source for the package (LinkPackages would replace the line).
        const requirements = fs.readFileSync(path.join(repoRoot, "examples/python-team/requirements.txt"), "utf8").split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
        assert.deepStrictEqual(requirements.filter((line) => /^sandbox[-_]platform/.test(line.replace(/^sdks\//, ""))), []);
    });

    it("examples/yaml-team/README.md names the package lock the YAML host's GeneratePackage writes (sdks/<namespace>-<name>/<name>-<version>.yaml)", () => {
        // pulumi-yaml pkg/server/server.go GeneratePackage: <directory>/<name>-<version>.yaml, a PackageDecl the
        // host finds again by searching sdks/ (packages.SearchPackageDecls).
        const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "provider/schema.json"), "utf8"));
        const lock = `sdks/${schema.namespace}-${schema.name}/${schema.name}-${schema.version}.yaml`;
        const readme = fs.readFileSync(path.join(repoRoot, "examples/yaml-team/README.md"), "utf8");
        assert.ok(readme.includes(lock), `the README does not name ${lock}`);
    });
});
