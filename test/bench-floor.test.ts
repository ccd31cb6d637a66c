// The bench's same-requests floor (bench/floor.ts sameRequestsProgram) against the render it
// stands beside: for every resource the render registers, the floor must send the engine the
// same registration (type, name, parent, options, dependencies, which inputs depend on what,
// which inputs are secret, the inputs' values), read what the render reads, and register outputs
// for the same components, as the SDK's mock monitor receives both. Otherwise its CPU would be
// the floor of other resources than the render's. Each difference the floor is allowed is one
// plan.json cannot carry and one that makes the floor's request smaller (never larger), named below.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { FloorResource, sameRequestsProgram } from "../bench/floor";
import { agentSandboxReplaceOptions } from "../components/sandboxes/agent-sandbox";
import { redacted } from "../tools/mock-outputs";
import { runProgram } from "../tools/program-runner";
import { planJson } from "../tools/render-files";
import { renderStack } from "../tools/render-stack";
import { repoRoot } from "../tools/repo-root";

/* eslint-disable @typescript-eslint/no-var-requires */
type Handler = (req: unknown, callback: unknown) => Promise<void>;
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: Record<"registerResource" | "readResource" | "registerResourceOutputs", Handler> } };
/* eslint-enable @typescript-eslint/no-var-requires */

/** @pulumi/pulumi runtime/rpc.js specialSigKey and specialSecretSig: how a secret value is sent. */
const secretKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

interface Struct { toJavaScript(): Record<string, unknown> }
interface Request { getName(): string; getType(): string; getObject(): Struct; toObject(): Record<string, unknown> }
interface ReadRequest { getName(): string; getType(): string; getProperties(): Struct; toObject(): Record<string, unknown> }
interface OutputsRequest { getUrn(): string; getOutputs(): Struct | undefined }

/** A value with every secret's content replaced by plan.json's "[secret]": what the plan lets the floor know of it. */
function redactedSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(redactedSecrets);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[secretKey] === secretSignature) {
            return { [secretKey]: secretSignature, value: redacted };
        }
        return Object.fromEntries(Object.entries(record).map(([key, entry]) => [key, redactedSecrets(entry)]));
    }
    return value;
}

interface Requests {
    /** RegisterResourceRequests by type and name (fields as the request's toObject has them, inputs as `object`). */
    registered: Map<string, Record<string, unknown>>;
    /** ReadResourceRequests by type and name. */
    read: Map<string, Record<string, unknown>>;
    /** RegisterResourceOutputsRequests: the outputs each URN registered. */
    outputs: Map<string, Record<string, unknown>>;
}

/** Every request the mock monitor receives while `run` runs. */
async function requestsOf(run: () => Promise<unknown>): Promise<Requests> {
    const requests: Requests = { registered: new Map(), read: new Map(), outputs: new Map() };
    // The monitor's own methods (a class's methods: not enumerable, so each by name).
    const { registerResource, readResource, registerResourceOutputs } = MockMonitor.prototype;
    const original = { registerResource, readResource, registerResourceOutputs };
    MockMonitor.prototype.registerResource = function (this: unknown, req: unknown, callback: unknown) {
        const request = req as Request;
        const { name: _name, sourceposition: _position, stacktrace: _trace, object: _object, ...fields } = request.toObject();
        const inputs = request.getObject().toJavaScript();
        // Inputs sent as secrets: the SDK wraps each in an object with the secret signature (runtime/rpc.js specialSigKey).
        const secretInputs = Object.keys(inputs).filter((key) => JSON.stringify(inputs[key]).includes(secretSignature)).sort();
        requests.registered.set(`${request.getType()}::${request.getName()}`, { ...fields, inputKeys: Object.keys(inputs).sort(), secretInputs, object: inputs });
        return original.registerResource.call(this, req, callback);
    };
    MockMonitor.prototype.readResource = function (this: unknown, req: unknown, callback: unknown) {
        const request = req as ReadRequest;
        const { name: _name, sourceposition: _position, stacktrace: _trace, properties: _properties, ...fields } = request.toObject();
        requests.read.set(`${request.getType()}::${request.getName()}`, { ...fields, properties: request.getProperties().toJavaScript() });
        return original.readResource.call(this, req, callback);
    };
    MockMonitor.prototype.registerResourceOutputs = function (this: unknown, req: unknown, callback: unknown) {
        const request = req as OutputsRequest;
        requests.outputs.set(request.getUrn(), request.getOutputs()?.toJavaScript() ?? {});
        return original.registerResourceOutputs.call(this, req, callback);
    };
    try {
        await run();
    } finally {
        Object.assign(MockMonitor.prototype, original);
    }
    return requests;
}

/* eslint-disable @typescript-eslint/no-var-requires */
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: (promise: unknown, context: unknown) => unknown };
/* eslint-enable @typescript-eslint/no-var-requires */

/**
 * The SDK's work while `run` runs, counted where it costs: each promise the SDK makes through
 * debuggablePromise (runtime/debuggable.js: a captured stack trace each; the SDK calls it through
 * the module's exports, so replacing the export counts every call), by what it is for (its
 * context up to the first parenthesis or colon: transferProperty, resolveID, serializeProperty.await,
 * monitor.registerResource, ...), and each Output `apply`.
 */
async function sdkWorkOf(run: () => Promise<unknown>): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
    const original = debuggable.debuggablePromise;
    const outputPrototype = Object.getPrototypeOf(pulumi.output(0)) as { apply: (...args: unknown[]) => unknown };
    const apply = outputPrototype.apply;
    debuggable.debuggablePromise = function (this: unknown, promise: unknown, context: unknown) {
        count(String(context).split(/[(:]/)[0].replace(/-final$/, "(final)"));
        return original.call(this, promise, context);
    };
    outputPrototype.apply = function (this: unknown, ...args: unknown[]) {
        count("Output.apply");
        return apply.apply(this, args);
    };
    try {
        await run();
    } finally {
        debuggable.debuggablePromise = original;
        outputPrototype.apply = apply;
    }
    return counts;
}

/** The render's requests and SDK work for a stack, and the floor's for the plan.json that render writes. */
async function renderAndFloor(stack: string, configFile?: string): Promise<{ render: Requests; floor: Requests; resources: FloorResource[]; renderWork: Map<string, number>; floorWork: Map<string, number> }> {
    let resources: FloorResource[] = [];
    let render: Requests | undefined;
    const renderWork = await sdkWorkOf(async () => {
        render = await requestsOf(async () => {
            const result = await renderStack(stack, configFile);
            // What the bench gives the floor: the plan.json the render writes.
            resources = (JSON.parse(JSON.stringify(planJson(result))) as { resources: FloorResource[] }).resources;
        });
    });
    let floor: Requests | undefined;
    const floorWork = await sdkWorkOf(async () => {
        floor = await requestsOf(() => runProgram({ stack, config: {}, program: () => sameRequestsProgram(resources) }));
    });
    return { render: render!, floor: floor!, resources, renderWork, floorWork };
}

/** Each kind of SDK work the floor does more of than the render (none, for a floor that is no dearer than the render for the same requests). */
function moreWork(renderWork: Map<string, number>, floorWork: Map<string, number>): string[] {
    return [...floorWork].filter(([key, count]) => count > (renderWork.get(key) ?? 0)).map(([key, count]) => `${key}: floor ${count}, render ${renderWork.get(key) ?? 0}`);
}

/** Types whose provider class adds secret outputs of its own (Vault's token and SSH CA, a Kubernetes Secret, a random password). */
const classSecretOutputs = ["vault:index/token:Token", "vault:ssh/secretBackendCa:SecretBackendCa", "kubernetes:core/v1:Secret", "random:index/randomPassword:RandomPassword"];

/** Component types whose render registration carries an alias of the program's own (a team stack's Team, moved out of the Platform component). */
const componentsWithAliases = ["sandbox-platform:sandboxes:Team"];
/** The request fields of the two options a Sandbox adds (the "defined" flag goes with deleteBeforeReplace), and their defaults. */
const sandboxReplaceFields: Record<string, unknown> = {
    replaceonchangesList: agentSandboxReplaceOptions().replaceOnChanges, deletebeforereplace: agentSandboxReplaceOptions().deleteBeforeReplace, deletebeforereplacedefined: true,
};
const sandboxReplaceDefaults: Record<string, unknown> = { replaceonchangesList: [], deletebeforereplace: false, deletebeforereplacedefined: false };

/**
 * The differences between the two programs' requests that plan.json does not let the floor
 * close, each one by which the floor's request is the smaller; `differences` lists any other.
 * `missed` names the dependencies the floor lacks by the kinds of the two resources: a
 * dependency through an output other than an id (a mount's path, the CA's public key, a token,
 * the pool's assignments), which the plan shows as plain text.
 */
function compare(render: Requests, floor: Requests): { differences: string[]; missed: string[] } {
    const differences: string[] = [];
    const missed = new Set<string>();
    const sorted = (urns: unknown) => [...(urns as string[])].sort();
    const typeOf = (urn: string) => urn.split("::")[2].split("$").pop();
    assert.deepStrictEqual([...floor.registered.keys()].sort(), [...render.registered.keys()].sort(), "the same resources registered");
    assert.deepStrictEqual([...floor.read.keys()].sort(), [...render.read.keys()].sort(), "the same resources read");
    for (const [key, request] of render.read) {
        assert.deepStrictEqual(floor.read.get(key), request, `${key}: the same read`);
    }
    // Outputs: plan.json records no component's outputs, so the floor registers none (an empty map,
    // never more than the render's), for the same components and the stack.
    assert.deepStrictEqual([...floor.outputs.keys()].sort(), [...render.outputs.keys()].sort(), "the same resources register outputs");
    for (const [urn, outputs] of floor.outputs) {
        assert.deepStrictEqual(outputs, {}, `${urn}: the floor registers no outputs`);
    }
    for (const [key, request] of render.registered) {
        const other = floor.registered.get(key)!;
        const [type] = key.split("::");
        const renderDependencies = sorted(request.dependenciesList);
        const floorDependencies = sorted(other.dependenciesList);
        for (const urn of floorDependencies.filter((dependency) => !renderDependencies.includes(dependency))) {
            differences.push(`${key} depends on ${urn} in the floor only`);
        }
        for (const urn of renderDependencies.filter((dependency) => !floorDependencies.includes(dependency))) {
            missed.add(`${type} → ${typeOf(urn)}`);
        }
        const renderProperties = new Map((request.propertydependenciesMap as [string, { urnsList: string[] }][]).map(([name, { urnsList }]) => [name, sorted(urnsList)]));
        const floorProperties = new Map((other.propertydependenciesMap as [string, { urnsList: string[] }][]).map(([name, { urnsList }]) => [name, sorted(urnsList)]));
        assert.deepStrictEqual([...floorProperties.keys()].sort(), [...renderProperties.keys()].sort(), `${key}: the same inputs have property dependencies`);
        for (const [property, urns] of floorProperties) {
            const extra = urns.filter((urn) => !renderProperties.get(property)!.includes(urn));
            if (extra.length > 0) {
                differences.push(`${key} ${property} depends on ${extra.join(", ")} in the floor only`);
            }
        }
        for (const field of new Set([...Object.keys(request), ...Object.keys(other)])) {
            if (["dependenciesList", "propertydependenciesMap"].includes(field)) {
                continue;
            }
            // The inputs' values: the same, but for what a secret holds, which plan.json shows as "[secret]".
            if (field === "object") {
                if (JSON.stringify(redactedSecrets(request.object)) !== JSON.stringify(other.object)) {
                    differences.push(`${key} inputs: render ${JSON.stringify(redactedSecrets(request.object)).slice(0, 300)}, floor ${JSON.stringify(other.object).slice(0, 300)}`);
                }
                continue;
            }
            // `protect: false` given or left out: the same to the engine (a default the plan does not tell apart).
            if (field === "protect" && !request[field] && !other[field]) {
                continue;
            }
            // Secret outputs a provider class adds of its own: a list of names the plan does not record.
            if (field === "additionalsecretoutputsList" && (other[field] as string[]).length === 0 && classSecretOutputs.includes(type)) {
                continue;
            }
            // Options plan.json does not record (its options are protect, retainOnDelete and dependsOn):
            // a provider class's own aliases to its earlier API versions, a component's alias to its
            // earlier parent, and ignoreChanges.
            if (field === "aliasesList" && (other[field] as unknown[]).length === 0 && (type.startsWith("kubernetes:") || componentsWithAliases.includes(type))) {
                continue;
            }
            if (field === "ignorechangesList" && (other[field] as unknown[]).length === 0) {
                continue;
            }
            // And an agent-sandbox Sandbox's replaceOnChanges and deleteBeforeReplace (agentSandboxReplaceOptions),
            // exactly those, which the floor leaves at their defaults.
            if (type === "kubernetes:agents.x-k8s.io/v1beta1:Sandbox" && field in sandboxReplaceFields
                && JSON.stringify(request[field]) === JSON.stringify(sandboxReplaceFields[field]) && JSON.stringify(other[field]) === JSON.stringify(sandboxReplaceDefaults[field])) {
                continue;
            }
            if (JSON.stringify(request[field]) !== JSON.stringify(other[field])) {
                differences.push(`${key} ${field}: render ${JSON.stringify(request[field])}, floor ${JSON.stringify(other[field])}`);
            }
        }
    }
    return { differences, missed: [...missed].sort() };
}

function enterpriseConfig(developers: number): string {
    const names = (prefix: string) => Array.from({ length: developers }, (_, i) => `${prefix}${i}`);
    return [
        "config:",
        "  sandbox-platform:environment: floor",
        "  sandbox-platform:vault: { enabled: true, address: \"https://vault.floor.example.com:8200\" }",
        "  sandbox-platform:boundary: { enabled: true, edition: enterprise, address: \"https://boundary.floor.example.com\" }",
        "  sandbox-platform:teams:",
        `    - { name: apps, runtime: envbox, developers: ${JSON.stringify(names("a"))} }`,
        `    - { name: pool, runtime: envbox, allocation: pool, poolSize: ${developers}, developers: ${JSON.stringify(names("p"))} }`,
        "",
    ].join("\n");
}

/** The bench's mixed scenario (bench/bench.ts mixedStack): envbox, sysbox and kata teams, kata shims, devices and a warm pool. */
function mixedConfig(perTeam: number): string {
    const names = (prefix: string) => Array.from({ length: perTeam }, (_, i) => `${prefix}${i}`);
    return YAML.stringify({
        config: {
            "sandbox-platform:environment": "floor",
            "sandbox-platform:runtimes": { sysbox: { enabled: true }, kata: { enabled: true, shims: ["qemu-runtime-rs", "clh"] } },
            "sandbox-platform:devices": { fuse: true, tun: true },
            "sandbox-platform:teams": [
                { name: "apps", runtime: "envbox", developers: names("a") },
                { name: "infra", runtime: "sysbox", developers: names("i") },
                { name: "secure", runtime: "kata", developers: names("s") },
                { name: "pool", runtime: "envbox", allocation: "pool", poolSize: perTeam, developers: names("p") },
            ],
        },
    });
}

describe("bench: the same-requests floor registers the render's resources", function () {
    this.timeout(300_000);
    let dir = "";
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "floor-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const configFile = (name: string, text: string) => {
        const file = path.join(dir, `Pulumi.${name}.yaml`);
        fs.writeFileSync(file, text);
        return file;
    };

    it("sends, for every resource of an enterprise render, the render's type, parent, options, dependencies, property dependencies, inputs and secret inputs", async () => {
        const { render, floor, renderWork, floorWork } = await renderAndFloor("floor", configFile("floor", enterpriseConfig(3)));
        // No kind of SDK work (promises with their stack traces, Output applies) of which the floor does more than the render.
        assert.deepStrictEqual(moreWork(renderWork, floorWork), [], "SDK work the floor does beyond the render's");
        assert.ok((floorWork.get("serializeProperty.await") ?? 0) > 50, "the floor sends Outputs: the SDK awaits each");
        assert.ok(render.registered.size > 60, `the render registered ${render.registered.size} resources`);
        const dependencyEdges = [...render.registered.values()].reduce((sum, request) => sum + (request.dependenciesList as string[]).length, 0);
        assert.ok(dependencyEdges > 100, `the render's requests carry ${dependencyEdges} dependencies`);
        const secrets = [...render.registered.values()].reduce((sum, request) => sum + (request.secretInputs as string[]).length, 0);
        assert.ok(secrets > 20, `the render's requests carry ${secrets} secret inputs`);
        const { differences, missed } = compare(render, floor);
        assert.deepStrictEqual(differences, [], "the floor's requests differ from the render's");
        assert.deepStrictEqual(missed, [
            "kubernetes:core/v1:ConfigMap → pulumi-nodejs:dynamic:Resource", // a pool member's sshd settings: the pool assignment's members
            "kubernetes:core/v1:ConfigMap → vault:ssh/secretBackendCa:SecretBackendCa", // a namespace's CA key: the CA's public key
            "pulumi-nodejs:dynamic:Resource → vault:index/token:Token", // a team's Boundary credential store: its Vault token
            "vault:ssh/secretBackendCa:SecretBackendCa → vault:index/mount:Mount", // the CA: its mount's path
            "vault:ssh/secretBackendRole:SecretBackendRole → vault:index/mount:Mount", // each SSH role: its mount's path
        ], "dependencies only the render has: through outputs other than ids");
    });

    it("sends the render's requests for the bench's mixed scenario: sysbox and kata runtimes, devices and a warm pool", async () => {
        const { render, floor, resources, renderWork, floorWork } = await renderAndFloor("floor", configFile("mixed", mixedConfig(2)));
        assert.deepStrictEqual(moreWork(renderWork, floorWork), [], "SDK work the floor does beyond the render's");
        const types = new Set(resources.map((resource) => resource.type));
        for (const type of ["kubernetes:node.k8s.io/v1:RuntimeClass", "kubernetes:apps/v1:DaemonSet", "pulumi-nodejs:dynamic:Resource"]) {
            assert.ok(types.has(type), `the mixed render registers a ${type}`);
        }
        const { differences, missed } = compare(render, floor);
        assert.deepStrictEqual(differences, [], "the floor's requests differ from the render's");
        assert.deepStrictEqual(missed, [
            "kubernetes:core/v1:ConfigMap → pulumi-nodejs:dynamic:Resource", // a pool member's sshd settings: the pool assignment's members
        ], "dependencies only the render has: through outputs other than ids");
    });

    // The stacks in stacks/ the scenarios above do not cover: a platform stack with Boundary, Vault and a
    // generated password (dev), and the agent-sandbox stack, whose CRDs are @pulumi/kubernetes' yaml/v2
    // ConfigGroup, a remote component that other resources depend on.
    const platformStacks: Record<string, string[]> = {
        dev: [
            "kubernetes:core/v1:ConfigMap → vault:ssh/secretBackendCa:SecretBackendCa", // a namespace's CA key: the CA's public key
            "pulumi-nodejs:dynamic:Resource → random:index/randomPassword:RandomPassword", // a Boundary resource: the generated password
            "vault:ssh/secretBackendCa:SecretBackendCa → vault:index/mount:Mount", // the CA: its mount's path
        ],
        agentsandbox: [
            "kubernetes:core/v1:ConfigMap → pulumi-nodejs:dynamic:Resource", // a pool member's sshd settings: the pool assignment's members
            "kubernetes:core/v1:ConfigMap → vault:ssh/secretBackendCa:SecretBackendCa", // a namespace's CA key: the CA's public key
            "vault:ssh/secretBackendCa:SecretBackendCa → vault:index/mount:Mount", // the CA: its mount's path
            "vault:ssh/secretBackendRole:SecretBackendRole → vault:index/mount:Mount", // each SSH role: its mount's path
        ],
    };
    for (const [stack, expectedMissed] of Object.entries(platformStacks)) {
        it(`sends the render's requests for the stack ${stack}`, async () => {
            const { render, floor, renderWork, floorWork } = await renderAndFloor(stack, path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`));
            assert.deepStrictEqual(moreWork(renderWork, floorWork), [], "SDK work the floor does beyond the render's");
            const { differences, missed } = compare(render, floor);
            assert.deepStrictEqual(differences, [], "the floor's requests differ from the render's");
            assert.deepStrictEqual(missed, expectedMissed, "dependencies only the render has: through outputs other than ids");
            if (stack === "agentsandbox") {
                const group = [...render.registered].find(([key]) => key.startsWith("kubernetes:yaml/v2:ConfigGroup::"));
                assert.ok(group && group[1].remote === true, "the render registers a remote ConfigGroup");
                const dependents = [...render.registered.values()].filter((request) => (request.dependenciesList as string[]).some((urn) => urn.includes("kubernetes:yaml/v2:ConfigGroup::")));
                assert.ok(dependents.length > 0, "resources of the render depend on the ConfigGroup");
            }
        });
    }

    for (const stack of ["dev-app-team-alpha", "prod-data-pool"]) {
        it(`reads the platform stack as the render does and sends its requests for the team stack ${stack}`, async () => {
            const { render, floor, renderWork, floorWork } = await renderAndFloor(stack, path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`));
            assert.deepStrictEqual(moreWork(renderWork, floorWork), [], "SDK work the floor does beyond the render's");
            // A team stack reads its platform stack's outputs through a StackReference (a ReadResource, not a
            // RegisterResource); plan.json does not say so, the floor knows it from the type.
            assert.deepStrictEqual([...render.read.keys()], ["pulumi:pulumi:StackReference::platform"], "the render reads the platform stack");
            const { differences, missed } = compare(render, floor);
            assert.deepStrictEqual(differences, [], "the floor's requests differ from the render's");
            assert.deepStrictEqual(missed, stack === "prod-data-pool" ? ["kubernetes:core/v1:ConfigMap → pulumi-nodejs:dynamic:Resource"] : [],
                "dependencies only the render has: through outputs other than ids");
        });
    }
});
