import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { evaluatePolicies, mandatory } from "../policy/evaluate";
import { manifestSubject, readManifests } from "../policy/manifests";
import { isKubernetesObject, kubernetesManifest, manifestPath } from "../tools/render-files";
import { RenderResult, repoRoot } from "../tools/render-stack";
import { renderedStack } from "./helpers/stacks";
import { readStackConfig } from "../tools/stack-config";
import { validateManifest } from "./helpers/schema";
import { shippedStacks } from "./helpers/stacks";

const shipped = shippedStacks();
const stacks = shipped.map((entry) => entry.stack);
const kindOf = (stack: string) => shipped.find((entry) => entry.stack === stack)!.kind;

function renderCli(args: string[]) {
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "tools/render.ts"), ...args], {
        cwd: repoRoot, encoding: "utf8", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-render-"));
}

describe("offline render of every stack in stacks/", () => {
    assert.ok(stacks.includes("dev") && stacks.includes("prod"), `stacks found: ${stacks.join(", ")}`);
    for (const stack of stacks) {
        describe(`stack ${stack}`, () => {
            let result: RenderResult;
            before(async () => { result = await renderedStack(stack); });

            it("renders Kubernetes objects that validate against the Kubernetes OpenAPI schemas", async () => {
                const objects = result.run.resources.filter(isKubernetesObject);
                // A team stack of one developer holds a handful (volumes, sshd settings, Deployment, Service, pre-pull).
                assert.ok(objects.length > (kindOf(stack) === "team" ? 4 : 10), `only ${objects.length} objects`);
                for (const resource of objects) {
                    await validateManifest(kubernetesManifest(resource));
                }
            });

            it("names every Kubernetes object explicitly and uniquely", () => {
                const paths = result.run.resources.filter(isKubernetesObject).map((resource) => {
                    assert.ok(resource.inputs.metadata?.name, `${resource.urn} has no metadata.name`);
                    return manifestPath(resource.inputs);
                });
                assert.strictEqual(new Set(paths).size, paths.length);
            });

            it("has zero mandatory policy violations", () => {
                assert.deepStrictEqual(mandatory(result.violations), []);
            });

            it("retains every PersistentVolumeClaim on delete (a platform stack has none: volumes are the team stacks')", () => {
                const claims = result.run.resources.filter((resource) => resource.inputs.kind === "PersistentVolumeClaim");
                assert.ok(kindOf(stack) === "platform" ? claims.length === 0 : claims.length > 0, `${claims.length} claims`);
                for (const claim of claims) {
                    assert.strictEqual(claim.options.retainOnDelete, true, claim.urn);
                }
            });
        });
    }
});

describe("render command line", () => {
    it("writes manifests, helm, vault, boundary and plan.json, and exits 0 for the dev platform stack and its team stack", function () {
        const platformOut = tempDir();
        const platformRun = renderCli(["dev", "--out", platformOut]);
        assert.strictEqual(platformRun.status, 0, platformRun.stderr);
        assert.match(platformRun.stdout, /policy: 0 mandatory/);
        const exported = JSON.parse(fs.readFileSync(path.join(platformOut, "outputs.json"), "utf8")).platform;
        assert.deepStrictEqual(exported.teams.map((team: any) => team.name), ["app-team-alpha"]);
        assert.ok(fs.existsSync(path.join(platformOut, "kubernetes/_cluster/namespace-sbx-app-team-alpha.yaml")));
        assert.ok(!fs.existsSync(path.join(platformOut, "kubernetes/sbx-app-team-alpha/deployment-app-team-alpha-alice.yaml")), "a platform stack runs no sandbox");
        const out = tempDir();
        // On the platform render's outputs, as a team lead would render against a deployed platform.
        const run = renderCli(["dev-app-team-alpha", "--out", out, "--platform-outputs", path.join(platformOut, "outputs.json")]);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stdout, /sandboxes \(2 developers\)/);
        assert.match(run.stdout, /policy: 0 mandatory/);
        const plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
        assert.strictEqual(plan.stack, "dev-app-team-alpha");
        assert.ok(plan.resources.every((r: any) => r.urn && r.type && r.options && "retainOnDelete" in r.options));
        assert.deepStrictEqual(plan.policy.violations, []);
        assert.ok(typeof plan.durationMs === "number");
        const deployment = YAML.parse(fs.readFileSync(path.join(out, "kubernetes/sbx-app-team-alpha/deployment-app-team-alpha-alice.yaml"), "utf8"));
        assert.strictEqual(deployment.spec.template.spec.containers[0].image, "ghcr.io/coder/envbox:0.6.7");
        for (const file of ["vault.yaml", "boundary.yaml"]) {
            assert.ok(fs.existsSync(path.join(out, file)), file);
        }
        const diagram = fs.readFileSync(path.join(out, "platform.md"), "utf8");
        assert.match(run.stdout, /diagram: .*platform\.md/);
        const mermaid = /```mermaid\n([\s\S]*?)```/.exec(diagram)?.[1] ?? "";
        assert.match(mermaid, /^flowchart LR\n/);
        for (const expected of ["sbx-app-team-alpha: team app-team-alpha, envbox", "Service app-team-alpha-alice:22", "envbox sandbox app-team-alpha-bob (bob)", "Boundary community", "Vault SSH CA: ssh-client-signer", "Coder 2.33.6 in coder"]) {
            assert.ok(mermaid.includes(expected), `platform.md lacks ${expected}:\n${mermaid}`);
        }
        const subgraphs = (mermaid.match(/^\s*subgraph /gm) ?? []).length;
        assert.strictEqual((mermaid.match(/^\s*end$/gm) ?? []).length, subgraphs, "every subgraph is closed");
    });

    it("writes manifests that the policy checker reads back with the same (zero) violations", async function () {
        this.timeout(600000);
        const out = tempDir();
        const run = renderCli(["prod", "--out", path.join(out, "prod")]);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stdout, /warnings:\n  runtimes\.sysbox: K3s nodes are not an official Sysbox target/);
        // The environment's sandboxes are in its team stacks.
        const team = renderCli(["prod-app-team-alpha", "--out", path.join(out, "team")]);
        assert.strictEqual(team.status, 0, team.stderr);
        const objects = readManifests([path.join(out, "prod", "kubernetes"), path.join(out, "team", "kubernetes")]);
        assert.ok(objects.length > 80, `${objects.length} objects`);
        assert.deepStrictEqual(await evaluatePolicies(objects.map(manifestSubject)), []);
    });

    for (const [text, mutate, key] of [
        ["a typo in a key", (text: string) => text.replace("sandbox-platform:teams:", "sandbox-platform:team:"), "sandbox-platform:team"],
        ["an uppercase developer name", (text: string) => text.replace("- alice", "- Alice"), "sandbox-platform:teams[0].developers[0]"],
    ] as const) {
        it(`refuses ${text} with exit 2, the key path on stderr and nothing written`, () => {
            const dir = tempDir();
            const file = path.join(dir, "Pulumi.bad.yaml");
            // Rosters are in team stacks; the rest of the config in the platform stack.
            const source = text === "a typo in a key" ? "stacks/Pulumi.dev.yaml" : "stacks/Pulumi.dev-app-team-alpha.yaml";
            fs.writeFileSync(file, mutate(fs.readFileSync(path.join(repoRoot, source), "utf8")));
            const out = path.join(dir, "out");
            const run = renderCli(["bad", "--config", file, "--out", out]);
            assert.strictEqual(run.status, 2, run.stdout + run.stderr);
            assert.ok(run.stderr.includes(`${key}:`), run.stderr);
            assert.strictEqual(fs.existsSync(out), false, "nothing may be written for invalid config");
        });
    }

    it("never decrypts secure: values; they become [secret] and are marked secret", () => {
        const dir = tempDir();
        const file = path.join(dir, "Pulumi.s.yaml");
        fs.writeFileSync(file, "config:\n  sandbox-platform:environment: s\n  sandbox-platform:boundaryToken:\n    secure: v1:AAAAencrypted\n");
        const stack = readStackConfig(file);
        assert.strictEqual(stack.config["sandbox-platform:boundaryToken"], "[secret]");
        assert.deepStrictEqual(stack.secretKeys, ["sandbox-platform:boundaryToken"]);
        assert.ok(!JSON.stringify(stack).includes("AAAAencrypted"));
    });
});
