// The bench's same-requests floor (bench/floor.ts sameRequestsProgram) against the render it
// stands beside: for every resource the render registers, the floor must send the engine the
// same registration (type, name, parent, options, dependencies, which inputs depend on what,
// which inputs are secret), as the SDK's mock monitor receives both. Otherwise its CPU would be
// the floor of other resources than the render's.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FloorResource, sameRequestsProgram } from "../bench/floor";
import { runProgram } from "../tools/program-runner";
import { planJson } from "../tools/render-files";
import { renderStack } from "../tools/render-stack";

/* eslint-disable @typescript-eslint/no-var-requires */
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: { registerResource(req: unknown, callback: unknown): Promise<void> } } };
/* eslint-enable @typescript-eslint/no-var-requires */

/** @pulumi/pulumi runtime/rpc.js specialSecretSig. */
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

interface Request { getName(): string; getType(): string; getObject(): { toJavaScript(): Record<string, unknown> }; toObject(): Record<string, unknown> }

/** Every RegisterResourceRequest the mock monitor receives while `run` runs, by type and name. */
async function requestsOf(run: () => Promise<unknown>): Promise<Map<string, Record<string, unknown>>> {
    const requests = new Map<string, Record<string, unknown>>();
    const original = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (this: unknown, req: Request, callback: unknown) {
        const { name: _name, sourceposition: _position, stacktrace: _trace, object: _object, ...fields } = req.toObject();
        const inputs = req.getObject().toJavaScript();
        // Inputs sent as secrets: the SDK wraps each in an object with the secret signature (runtime/rpc.js specialSigKey).
        const secretInputs = Object.keys(inputs).filter((key) => JSON.stringify(inputs[key]).includes(secretSignature)).sort();
        requests.set(`${req.getType()}::${req.getName()}`, { ...fields, inputKeys: Object.keys(inputs).sort(), secretInputs });
        return original.call(this, req, callback);
    };
    try {
        await run();
    } finally {
        MockMonitor.prototype.registerResource = original;
    }
    return requests;
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

describe("bench: the same-requests floor registers the render's resources", function () {
    this.timeout(300_000);

    it("sends, for every resource of an enterprise render, the render's type, parent, options, dependencies, property dependencies, input keys and secret inputs", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "floor-"));
        const file = path.join(dir, "Pulumi.floor.yaml");
        fs.writeFileSync(file, enterpriseConfig(3));
        let resources: FloorResource[] = [];
        const render = await requestsOf(async () => {
            const result = await renderStack("floor", file);
            // What the bench gives the floor: the plan.json the render writes.
            resources = (JSON.parse(JSON.stringify(planJson(result))) as { resources: FloorResource[] }).resources;
        });
        const floor = await requestsOf(() => runProgram({ stack: "floor", config: {}, program: () => sameRequestsProgram(resources) }));
        fs.rmSync(dir, { recursive: true, force: true });

        assert.ok(render.size > 60, `the render registered ${render.size} resources`);
        assert.deepStrictEqual([...floor.keys()].sort(), [...render.keys()].sort(), "the same resources");
        const dependencyEdges = [...render.values()].reduce((sum, request) => sum + (request.dependenciesList as string[]).length, 0);
        assert.ok(dependencyEdges > 100, `the render's requests carry ${dependencyEdges} dependencies`);
        const secrets = [...render.values()].reduce((sum, request) => sum + (request.secretInputs as string[]).length, 0);
        assert.ok(secrets > 20, `the render's requests carry ${secrets} secret inputs`);
        // Dependency lists are compared as sets: the SDK lists them in the order of the inputs
        // (runtime/resource.js, property by property), and plan.json has the inputs in key order.
        // The floor may miss one kind of edge only: a dependency through an output other than an id
        // (a mount's path, the CA's public key, a token, the pool's assignments), which the plan
        // shows as plain text; each one it misses is named below, so the floor is at most cheaper.
        const sorted = (urns: unknown) => [...(urns as string[])].sort();
        const typeOf = (urn: string) => urn.split("::")[2].split("$").pop();
        const missed = new Set<string>();
        const differences: string[] = [];
        for (const [key, request] of render) {
            const other = floor.get(key)!;
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
                // `protect: false` given or left out: the same to the engine (a default the plan does not tell apart).
                if (field === "protect" && !request[field] && !other[field]) {
                    continue;
                }
                // Secret outputs a provider class adds of its own: a list of names the plan does not record.
                if (field === "additionalsecretoutputsList" && (other[field] as string[]).length === 0 && ["vault:index/token:Token", "vault:ssh/secretBackendCa:SecretBackendCa"].includes(type)) {
                    continue;
                }
                // Options plan.json does not record (its options are protect, retainOnDelete and dependsOn):
                // a provider class's own aliases to its earlier API versions, and ignoreChanges.
                if (field === "aliasesList" && (other[field] as unknown[]).length === 0 && type.startsWith("kubernetes:")) {
                    continue;
                }
                if (field === "ignorechangesList" && (other[field] as unknown[]).length === 0) {
                    continue;
                }
                if (JSON.stringify(request[field]) !== JSON.stringify(other[field])) {
                    differences.push(`${key} ${field}: render ${JSON.stringify(request[field])}, floor ${JSON.stringify(other[field])}`);
                }
            }
        }
        assert.deepStrictEqual(differences, [], "the floor's requests differ from the render's");
        assert.deepStrictEqual([...missed].sort(), [
            "kubernetes:core/v1:ConfigMap → pulumi-nodejs:dynamic:Resource", // a pool member's sshd settings: the pool assignment's members
            "kubernetes:core/v1:ConfigMap → vault:ssh/secretBackendCa:SecretBackendCa", // a namespace's CA key: the CA's public key
            "pulumi-nodejs:dynamic:Resource → vault:index/token:Token", // a team's Boundary credential store: its Vault token
            "vault:ssh/secretBackendCa:SecretBackendCa → vault:index/mount:Mount", // the CA: its mount's path
            "vault:ssh/secretBackendRole:SecretBackendRole → vault:index/mount:Mount", // each SSH role: its mount's path
        ], "dependencies only the render has: through outputs other than ids");
    });
});
