// The multi-language component package (provider/, docs/package.md), through the SDK's own code:
// the schema its component analyzer infers, Pulumi's package metaschema, and the plugin started as
// the engine starts a nodejs source plugin, asked over gRPC for GetSchema and Construct against a
// fake engine. Upstream sources: test/helpers/component-plugin.ts and docs/upstream.md
// ("Multi-language component package").

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../tools/repo-root";
import { packageSchema, packageSchemaFile, packageSchemaText, providerDir, providerIdentity } from "../tools/package-schema";
import { readStackConfig, stackFilePath } from "../tools/stack-config";
import { loadStack } from "../tools/render-stack";
import { rawFromPulumiConfig } from "../components/config/load";
import { platformOutputName, platformStackName, platformOwnedTeamKeys, teamStackKeys } from "../components/config/team-stack";
import { teamStackType } from "../components/package/team-stack";
import { platformStackType } from "../components/package/platform-stack";
import { platformSections, secretSections } from "../components/config/stack-schema";
import { ComponentPlugin } from "./helpers/component-plugin";
import { HostRun, Registration, plaintextOccurrences, rootStackType, runLikeLanguageHost, serveFakeEngine } from "./helpers/language-host";
import { inputsFromPython, objectProblems, pyName, pyPack } from "./helpers/package-values";
import { execFileSync, spawnSync } from "child_process";
import * as YAML from "yaml";

/* eslint-disable @typescript-eslint/no-var-requires */
const { ensureBuilt } = require("../tools/build");
const Ajv2020 = require("ajv/dist/2020").default;
/* eslint-enable @typescript-eslint/no-var-requires */

type Json = Record<string, any>;
const project = "sandbox-platform";
const teamStack = "dev-app-team-alpha";
const stackReferenceType = "pulumi:pulumi:StackReference";

/** Every JSON path where `actual` and `expected` differ, with both values: a schema change reads as a diff. */
export function jsonDiff(actual: unknown, expected: unknown, at = "$"): string[] {
    if (JSON.stringify(actual) === JSON.stringify(expected)) {
        return [];
    }
    if (actual && expected && typeof actual === "object" && typeof expected === "object" && Array.isArray(actual) === Array.isArray(expected)) {
        const a = actual as Json, e = expected as Json;
        const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])];
        return keys.flatMap((key) => (key in a ? (key in e ? jsonDiff(a[key], e[key], `${at}.${key}`) : [`+ ${at}.${key}: ${JSON.stringify(a[key])}`])
            : [`- ${at}.${key}: ${JSON.stringify(e[key])}`]));
    }
    return [`~ ${at}: ${JSON.stringify(expected)} → ${JSON.stringify(actual)}`];
}

/** The metaschema's formats, as JSON Schema defines them (ajv knows none without ajv-formats). */
function metaschemaValidator() {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addFormat("regex", (text: string) => { try { new RegExp(text, "u"); return true; } catch { return false; } });
    ajv.addFormat("uri-reference", (text: string) => !/\s/.test(text));
    return ajv.compile(JSON.parse(fs.readFileSync(path.join(repoRoot, "test/upstream/pulumi-package-metaschema.json"), "utf8")));
}

/** A team stack file's keys as TeamStack arguments: the same names (the component implies `stack: team`). */
export function argumentsFromStackFile(stack: string): Json {
    const raw = rawFromPulumiConfig(readStackConfig(stackFilePath(repoRoot, stack)).config);
    return Object.fromEntries(Object.entries(raw).filter(([key]) => key !== "stack" && (teamStackKeys as readonly string[]).includes(key)));
}

/** A platform or all-in-one stack file's keys as PlatformStack arguments: the same names. */
export function platformArgumentsFromStackFile(stack: string): Json {
    return rawFromPulumiConfig(readStackConfig(stackFilePath(repoRoot, stack)).config);
}

/**
 * Stack file values in the one form the package schema has where the file accepts two: a developer as
 * `{ name }` rather than a bare name, an egress port as `{ port }` rather than a number.
 */
export function schemaForm(raw: Json): Json {
    const copy = JSON.parse(JSON.stringify(raw));
    for (const team of copy.teams ?? []) {
        if (Array.isArray(team.developers)) {
            team.developers = team.developers.map((entry: unknown) => (typeof entry === "string" ? { name: entry } : entry));
        }
        for (const rule of team.egress ?? []) {
            if (Array.isArray(rule.ports)) {
                rule.ports = rule.ports.map((entry: unknown) => (typeof entry === "number" ? { port: entry } : entry));
            }
        }
    }
    return copy;
}

/** A registration as the comparison sees it: type, name and inputs (the parent chain differs by design). */
function shape(registration: Registration) {
    return { type: registration.type, name: registration.name, inputs: registration.inputs };
}

function byTypeAndName(a: { type: string; name: string }, b: { type: string; name: string }): number {
    return `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`);
}

/** The config the engine passes for the team stack (its file has no secrets). */
function engineConfig(stack: string): Record<string, string> {
    return readStackConfig(stackFilePath(repoRoot, stack)).config;
}

/** The platform stack's outputs, under the name the team stack file reads and the name the examples read (another project's stack). */
function platformOutputs(stack: string): Record<string, Record<string, unknown>> {
    const config = engineConfig(stack);
    const { platform } = loadStack(stack);
    const name = platformStackName(rawFromPulumiConfig(config));
    return { [name]: { [platformOutputName]: platform }, [`organization/${project}/${name}`]: { [platformOutputName]: platform } };
}

const examples = path.join(repoRoot, "examples");

describe("multi-language package: the SDK's component analyzer and the plugin over gRPC (issue #27)", function () {
    this.timeout(300000);
    let schema: Json;
    before(async () => {
        ensureBuilt();
        schema = await packageSchema();
    });

    it("the schema the SDK's analyzer infers is the checked-in provider/schema.json (`npm run package:schema` rewrites it)", () => {
        const checkedIn = JSON.parse(fs.readFileSync(path.join(repoRoot, packageSchemaFile), "utf8"));
        const diff = jsonDiff(schema, checkedIn);
        assert.deepStrictEqual(diff, [], `the public arguments or outputs changed (a breaking change unless only additions: docs/package.md):\n${diff.join("\n")}`);
        assert.strictEqual(fs.readFileSync(path.join(repoRoot, packageSchemaFile), "utf8"), packageSchemaText(checkedIn));
    });

    it("is a valid Pulumi package schema (pulumi/pulumi pkg/codegen/schema/pulumi.json), and the validator refuses a broken one", () => {
        const validate = metaschemaValidator();
        assert.ok(validate(schema), JSON.stringify(validate.errors, null, 1));
        const broken = JSON.parse(JSON.stringify(schema));
        broken.resources[teamStackType].inputProperties.teams.type = "list";
        assert.ok(!validate(broken), "a property type the metaschema does not know passed");
        const badToken = JSON.parse(JSON.stringify(schema));
        badToken.types["sandbox platform:index:Team"] = badToken.types["sandbox-platform:index:Team"];
        assert.ok(!validate(badToken), "a type token with a space passed");
    });

    it("names the package after provider/package.json as run-plugin does: sandbox-platform in namespace sandbox-platform, version of package.json", () => {
        const providerPackage = JSON.parse(fs.readFileSync(path.join(providerDir, "package.json"), "utf8"));
        const rootPackage = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
        assert.deepStrictEqual(providerIdentity(providerPackage.name), { name: "sandbox-platform", namespace: "sandbox-platform" });
        assert.strictEqual(schema.name, "sandbox-platform");
        assert.strictEqual(schema.namespace, "sandbox-platform");
        assert.strictEqual(schema.version, rootPackage.version, "provider/package.json and package.json carry one version");
        assert.strictEqual(providerPackage.version, rootPackage.version);
        assert.ok((rootPackage.workspaces as string[]).includes("provider"), "provider/ must be a workspace: the nodejs host installs a plugin's dependencies at its workspace root (sdk/nodejs/npm/workspaces.go)");
        const changelog = fs.readFileSync(path.join(repoRoot, "CHANGELOG.md"), "utf8");
        assert.match(changelog, new RegExp(`^## \\[${rootPackage.version.replace(/\./g, "\\.")}\\]`, "m"), `CHANGELOG.md has no entry for ${rootPackage.version}`);
    });

    it("TeamStack's arguments are the team stack's config keys, each team key a team stack may set is a Team property, all plain but the secrets", () => {
        const resource = schema.resources[teamStackType];
        assert.ok(resource?.isComponent, `${teamStackType} is not a component of the schema`);
        assert.deepStrictEqual(Object.keys(resource.inputProperties).sort(), teamStackKeys.filter((key) => key !== "stack").sort());
        for (const [key, property] of Object.entries<Json>(resource.inputProperties)) {
            assert.strictEqual(property.plain === true, !key.startsWith("boundary"), `${key}: only the secrets may be eventual (Input) values`);
        }
        const team = schema.types["sandbox-platform:index:Team"];
        for (const key of platformOwnedTeamKeys) {
            assert.ok(!(key in team.properties), `Team.${key} is the platform stack's`);
        }
        assert.deepStrictEqual(team.required, ["name"]);
        assert.deepStrictEqual(schema.types["sandbox-platform:index:SandboxRuntime"].enum.map((member: Json) => member.value), ["envbox", "sysbox", "kata"]);
    });

    it("PlatformStack's arguments are a platform stack's config keys (less the team stacks' platformStack and boundaryVaultToken), all plain but the secrets", () => {
        const resource = schema.resources[platformStackType];
        assert.ok(resource?.isComponent, `${platformStackType} is not a component of the schema`);
        const keys = [...Object.keys(platformSections), ...Object.keys(secretSections)].filter((key) => key !== "platformStack" && key !== "boundaryVaultToken");
        assert.deepStrictEqual(Object.keys(resource.inputProperties).sort(), keys.sort());
        for (const [key, property] of Object.entries<Json>(resource.inputProperties)) {
            assert.strictEqual(property.plain === true, !key.startsWith("boundary") || key === "boundary", `${key}: only the secrets may be eventual (Input) values`);
        }
        assert.deepStrictEqual(resource.requiredInputs, ["environment"]);
        const team = schema.types["sandbox-platform:index:PlatformTeam"];
        for (const key of platformOwnedTeamKeys) {
            assert.ok(key in team.properties, `PlatformTeam.${key} is missing`);
        }
    });

    describe("the plugin, started as the engine starts provider/ (PulumiPlugin.yaml runtime nodejs)", () => {
        let engine: Awaited<ReturnType<typeof serveFakeEngine>>;
        let plugin: ComponentPlugin;
        let pwd: string;
        const stackUrn = `urn:pulumi:${teamStack}::${project}::${rootStackType}::${project}-${teamStack}`;
        before(async () => {
            engine = await serveFakeEngine({ stack: teamStack, project, dryRun: true, stackOutputs: platformOutputs(teamStack) });
            // The engine runs a plugin in the user's project directory, not the plugin's.
            pwd = fs.mkdtempSync(path.join(os.tmpdir(), "package-user-"));
            plugin = await ComponentPlugin.start(providerDir, engine.address, pwd);
        });
        after(async () => {
            plugin?.stop();
            await engine?.shutdown();
            fs.rmSync(pwd, { recursive: true, force: true });
        });

        it("answers GetSchema with the checked-in schema", async () => {
            const answered = JSON.parse(await plugin.getSchema());
            assert.deepStrictEqual(jsonDiff(answered, JSON.parse(fs.readFileSync(path.join(repoRoot, packageSchemaFile), "utf8"))), []);
        });

        const programs = new Map<string, HostRun>();
        /** The TypeScript program's run for a shipped stack file (once each). */
        async function programRun(stack = teamStack): Promise<HostRun> {
            if (!programs.has(stack)) {
                const stackOutputs = stack === teamStack ? platformOutputs(teamStack) : undefined;
                programs.set(stack, await runLikeLanguageHost({ root: repoRoot, stack, config: engineConfig(stack), secretKeys: [], dryRun: true, stackOutputs }));
            }
            const run = programs.get(stack)!;
            assert.strictEqual(run.code, 0, run.stderr.slice(-3000));
            return run;
        }

        /**
         * Constructs a TeamStack with `inputs` and checks that it registers what the program registers for the
         * dev-app-team-alpha stack file (type, name, inputs), reads `reads` as its platform stack, and outputs
         * what the program's stack outputs.
         */
        async function constructsLikeTheProgram(name: string, inputs: Json, reads: string) {
            const before = engine.registrations.length;
            const constructed = await plugin.construct({
                project, stack: teamStack, config: engineConfig(teamStack), dryRun: true, monitorEndpoint: engine.address,
                type: teamStackType, name, parent: stackUrn, inputs,
            });
            assert.strictEqual(constructed.urn, `urn:pulumi:${teamStack}::${project}::${teamStackType}::${name}`);
            const run = await programRun();
            const component = engine.registrations.slice(before).filter((r) => r.type !== teamStackType);
            const viaProgram = run.registrations.filter((r) => r.type !== rootStackType);
            // The platform stack is read once by each, by name (the component names its read after itself).
            const readsOf = (list: Registration[]) => list.filter((r) => r.type === stackReferenceType).map((r) => r.inputs.name);
            assert.deepStrictEqual(readsOf(viaProgram), ["dev"]);
            assert.deepStrictEqual(readsOf(component), [reads]);
            const compared = (list: Registration[]) => list.filter((r) => r.type !== stackReferenceType).map(shape).sort(byTypeAndName);
            assert.ok(compared(viaProgram).length > 5, `the program registered only ${compared(viaProgram).length} resources`);
            assert.deepStrictEqual(compared(component), compared(viaProgram));
            // Under the component: every resource's parent chain starts at TeamStack.
            for (const registration of component) {
                assert.ok(registration.urn.split("::")[2].startsWith(`${teamStackType}$`), `${registration.urn} is not under the TeamStack`);
            }
            // Its outputs are the program's stack outputs of the same names (connect may be unknown in a preview in both).
            const programStack = run.registrations.find((r) => r.type === rootStackType)!;
            const programOutputs = run.outputs.get(programStack.urn)!;
            assert.deepStrictEqual((constructed.state.developers as Json[]).map((d) => d.developer).sort(), ["alice", "bob"]);
            for (const key of ["developers", "connect", "environment"]) {
                assert.deepStrictEqual(constructed.state[key], programOutputs[key], `output ${key}`);
            }
            assert.strictEqual(constructed.state.platformStack, reads);
        }

        it("Construct of TeamStack with the dev-app-team-alpha stack file's keys (in the schema's form) registers the resources the TypeScript team stack program registers", async () => {
            const inputs = schemaForm(argumentsFromStackFile(teamStack));
            const spec = schema.resources[teamStackType];
            assert.deepStrictEqual(objectProblems(schema, spec.inputProperties, spec.requiredInputs, inputs, teamStack), []);
            await constructsLikeTheProgram("alpha", inputs, "dev");
        });

        it("examples/yaml-team: its TeamStack's properties fit the schema, and Construct with them registers what the team stack program registers", async () => {
            const program = YAML.parse(fs.readFileSync(path.join(examples, "yaml-team/Pulumi.yaml"), "utf8"));
            assert.strictEqual(program.runtime, "yaml");
            assert.strictEqual(path.resolve(examples, "yaml-team", program.packages["sandbox-platform"]), providerDir, "packages: must name provider/ (what `pulumi package add ../../provider` records)");
            const ours = Object.entries<Json>(program.resources).filter(([, resource]) => resource.type.startsWith("sandbox-platform:"));
            assert.deepStrictEqual(ours.map(([, resource]) => resource.type), [teamStackType]);
            const [name, resource] = ours[0];
            const spec = schema.resources[resource.type];
            assert.deepStrictEqual(objectProblems(schema, spec.inputProperties, spec.requiredInputs, resource.properties, `resources.${name}.properties`), []);
            for (const output of Object.values<string>(program.outputs)) {
                const property = /^\$\{(\w+)\.(\w+)\}$/.exec(output);
                assert.ok(property && property[1] === name && property[2] in spec.properties, `output ${output} is no property of ${resource.type}`);
            }
            await constructsLikeTheProgram(name, resource.properties, "organization/sandbox-platform/dev");
        });

        it("examples/python-team: its calls (read with python3's own parser) map onto the schema as the generated SDK names them, with the YAML example's inputs", function () {
            if (spawnSync("python3", ["--version"]).status !== 0) {
                this.skip(); // .ci/run installs python3
            }
            const calls = JSON.parse(execFileSync("python3", [path.join(repoRoot, "test/helpers/python-calls.py"), path.join(examples, "python-team/__main__.py"), pyPack(schema.namespace, schema.name)], { encoding: "utf8" }));
            assert.deepStrictEqual(calls.map((call: Json) => call.call), ["TeamStack"]);
            const spec = schema.resources[teamStackType];
            const { inputs, problems } = inputsFromPython(schema, spec.inputProperties, calls[0].kwargs, "TeamStack");
            assert.deepStrictEqual(problems, []);
            assert.deepStrictEqual(objectProblems(schema, spec.inputProperties, spec.requiredInputs, inputs, "TeamStack"), []);
            const yamlProgram = YAML.parse(fs.readFileSync(path.join(examples, "yaml-team/Pulumi.yaml"), "utf8"));
            assert.deepStrictEqual(inputs, yamlProgram.resources[calls[0].args[0]].properties, "the Python example sends other inputs than the YAML example (which is constructed above)");
            const python = YAML.parse(fs.readFileSync(path.join(examples, "python-team/Pulumi.yaml"), "utf8"));
            assert.strictEqual(python.runtime.name, "python");
            assert.strictEqual(path.resolve(examples, "python-team", python.packages["sandbox-platform"]), providerDir);
        });

        it("the Python SDK's names of TeamStack's arguments are distinct (pkg/codegen/python PyName)", () => {
            assert.strictEqual(pyName("dockerCache"), "docker_cache");
            assert.strictEqual(pyName("SHA256Hash"), "sha256_hash");
            const names = [schema.resources[teamStackType].inputProperties, ...Object.values<Json>(schema.types).map((type) => type.properties ?? {})]
                .map((properties) => Object.keys(properties).map(pyName));
            for (const list of names) {
                assert.strictEqual(new Set(list).size, list.length, `two properties share a Python name: ${list.join(", ")}`);
            }
        });

        for (const stack of ["dev", "repos"]) {
            it(`Construct of PlatformStack with the ${stack} stack file's keys (in the schema's form) registers the resources the TypeScript program registers for it, with its outputs`, async () => {
                const inputs = schemaForm(platformArgumentsFromStackFile(stack));
                const spec = schema.resources[platformStackType];
                assert.deepStrictEqual(objectProblems(schema, spec.inputProperties, spec.requiredInputs, inputs, stack), []);
                // One engine serves one stack: this stack's own resource monitor (Construct names the monitor to use).
                const stackEngine = await serveFakeEngine({ stack, project, dryRun: true });
                let constructed: Awaited<ReturnType<ComponentPlugin["construct"]>>;
                try {
                    constructed = await plugin.construct({
                        project, stack, config: engineConfig(stack), dryRun: true, monitorEndpoint: stackEngine.address,
                        type: platformStackType, name: project, parent: `urn:pulumi:${stack}::${project}::${rootStackType}::${project}-${stack}`, inputs,
                    });
                } finally {
                    await stackEngine.shutdown();
                }
                assert.strictEqual(constructed.urn, `urn:pulumi:${stack}::${project}::${platformStackType}::${project}`);
                const run = await programRun(stack);
                const component = stackEngine.registrations.filter((r) => r.type !== platformStackType);
                const viaProgram = run.registrations.filter((r) => r.type !== rootStackType);
                assert.ok(viaProgram.length > 20, `the program registered only ${viaProgram.length} resources`);
                assert.deepStrictEqual(component.map(shape).sort(byTypeAndName), viaProgram.map(shape).sort(byTypeAndName));
                for (const registration of component) {
                    assert.ok(registration.urn.split("::")[2].startsWith(`${platformStackType}$`), `${registration.urn} is not under the PlatformStack`);
                }
                const programOutputs = run.outputs.get(run.registrations.find((r) => r.type === rootStackType)!.urn)!;
                const outputs = inputs.stack === "platform" ? ["environment", "platform", "teamCredentials"] : ["environment", "developers", "connect"];
                assert.deepStrictEqual(Object.keys(programOutputs).sort(), [...outputs].sort());
                for (const key of outputs) {
                    assert.deepStrictEqual(constructed.state[key], programOutputs[key], `output ${key}`);
                }
            });
        }

        it("Construct of PlatformStack refuses arguments the stack config refuses, naming the argument path (and a renamed key's new name)", async () => {
            const inputs = platformArgumentsFromStackFile("dev");
            inputs.vault = { ...inputs.vault, certTtl: "48h", certMaxTtl: "24h" };
            inputs.clusterName = "dev";
            inputs.network = { ...inputs.network, accessFrom: { ...inputs.network?.accessFrom, namespaceLabels: { app: "boundary" } } };
            await assert.rejects(plugin.construct({
                project, stack: "dev", config: engineConfig("dev"), dryRun: true, monitorEndpoint: engine.address,
                type: platformStackType, name: "bad", parent: `urn:pulumi:dev::${project}::${rootStackType}::${project}-dev`, inputs,
            }), (error: Error) => {
                assert.match(error.message, /PlatformStack bad: invalid arguments/);
                assert.match(error.message, /vault\.certTtl: .*longer than vault\.certMaxTtl/);
                assert.match(error.message, /clusterName: unknown key; accepted keys: /);
                // A renamed key (components/config/renames.ts) names its replacement, as in a stack file.
                assert.match(error.message, /network\.accessFrom\.namespaceLabels: was renamed to network\.accessFrom\.namespace/);
                return true;
            });
        });

        it("Construct of TeamStack with a secret boundaryToken argument registers what the program registers with the stack secret boundaryToken, never in plain text", async () => {
            const canary = "canary-boundary-token-27";
            /** sdk/nodejs/runtime/rpc.ts: a secret as the engine sends it (specialSigKey, specialSecretSig). */
            const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: canary };
            const stackEngine = await serveFakeEngine({ stack: teamStack, project, dryRun: true, stackOutputs: platformOutputs(teamStack) });
            try {
                await plugin.construct({
                    project, stack: teamStack, config: engineConfig(teamStack), dryRun: true, monitorEndpoint: stackEngine.address,
                    type: teamStackType, name: "alpha", parent: stackUrn, inputs: { ...schemaForm(argumentsFromStackFile(teamStack)), boundaryToken: secret },
                });
            } finally {
                await stackEngine.shutdown();
            }
            const key = `${project}:boundaryToken`;
            const run = await runLikeLanguageHost({ root: repoRoot, stack: teamStack, config: { ...engineConfig(teamStack), [key]: canary }, secretKeys: [key], dryRun: true, stackOutputs: platformOutputs(teamStack) });
            assert.strictEqual(run.code, 0, run.stderr.slice(-3000));
            const component = stackEngine.registrations.filter((r) => r.type !== teamStackType && r.type !== stackReferenceType);
            const viaProgram = run.registrations.filter((r) => r.type !== rootStackType && r.type !== stackReferenceType);
            assert.deepStrictEqual(component.map(shape).sort(byTypeAndName), viaProgram.map(shape).sort(byTypeAndName));
            assert.ok(JSON.stringify(component.map((r) => r.inputs)).includes(canary), "the token reached no resource");
            assert.deepStrictEqual(component.flatMap((r) => plaintextOccurrences(r.inputs, canary, r.urn)), []);
        });

        it("Construct refuses arguments the stack config refuses, naming the argument path and the accepted values", async () => {
            const args = argumentsFromStackFile(teamStack);
            args.teams[0].developers = ["alice", { name: "Bob_1" }];
            args.teams[0].allocation = "shared";
            await assert.rejects(plugin.construct({
                project, stack: teamStack, config: engineConfig(teamStack), dryRun: true, monitorEndpoint: engine.address,
                type: teamStackType, name: "bad", parent: stackUrn, inputs: args,
            }), (error: Error) => {
                assert.match(error.message, /TeamStack bad: invalid arguments/);
                assert.match(error.message, /teams\[0\]\.developers\[1\]\.name: /);
                assert.match(error.message, /teams\[0\]\.allocation: .*dedicated.*pool.*ephemeral/);
                return true;
            });
        });
    });
});
