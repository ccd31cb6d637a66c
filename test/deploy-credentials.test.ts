// Credentials and addresses are deploy-time inputs (DESIGN.md contract).

import * as assert from "assert";
import {
    deployCredentialGaps, deployMode, deployPlaceholder, gapWarning, offlineRenderMarker, resolveDeployCredentials,
} from "../components/access/deploy-credentials";
import { parsePlatformConfig } from "../components/config/load";
import { boundaryItems } from "../tools/render-files";
import { baseConfig, flatConfig, runPlatform } from "./helpers/platform";
import { freshProgram, runProgram } from "../tools/program-runner";
import * as fs from "fs";
import * as path from "path";
import { renderStack } from "../tools/render-stack";

const enterprise = () => baseConfig({
    vault: { enabled: true },
    boundary: { enabled: true, edition: "enterprise" },
    teams: [{ name: "alpha", developers: ["alice"] }, { name: "pool", allocation: "pool", poolSize: 1, developers: ["bob"] }],
});

describe("deploy-time credentials (DESIGN.md contract)", () => {
    // The program reads the environment: run these as on a machine with none of the CLIs' variables.
    const variables = ["BOUNDARY_ADDR", "BOUNDARY_TOKEN", "VAULT_ADDR", "VAULT_TOKEN"];
    const saved: Record<string, string | undefined> = {};
    beforeEach(() => variables.forEach((name) => { saved[name] = process.env[name]; delete process.env[name]; }));
    afterEach(() => variables.forEach((name) => { if (saved[name] !== undefined) { process.env[name] = saved[name]; } }));

    it("lists every missing credential and address of a config that names none", () => {
        const gaps = deployCredentialGaps(parsePlatformConfig(enterprise()), { config: {}, env: {} });
        assert.deepStrictEqual(gaps.map((gap) => [gap.what, gap.envVar]), [
            ["Boundary address", "BOUNDARY_ADDR"], ["Boundary token", "BOUNDARY_TOKEN"], ["Vault address", "VAULT_ADDR"], ["Vault token", "VAULT_TOKEN"]]);
        for (const gap of gaps) {
            assert.match(gapWarning(gap), new RegExp(`${gap.what} is not set: the render uses <deploy-time: ${gap.envVar}>; before \`pulumi up\` set .*pulumi config set.* or the environment variable ${gap.envVar}`));
        }
    });

    it("takes each from the stack or from the environment variable the Boundary and Vault CLIs read", () => {
        const config = parsePlatformConfig(enterprise());
        assert.deepStrictEqual(deployCredentialGaps(config, { config: {}, env: { BOUNDARY_ADDR: "https://b", BOUNDARY_TOKEN: "at_x", VAULT_ADDR: "https://v", VAULT_TOKEN: "hvs.x" } }), []);
        assert.deepStrictEqual(deployCredentialGaps(parsePlatformConfig({ ...enterprise(), boundary: { enabled: true, edition: "enterprise", address: "https://b" } }), {
            config: { "sandbox-platform:boundaryPassword": "pw", "vault:address": "https://v", "vault:token": "hvs.x" }, env: {},
        }), []);
        const resolved = resolveDeployCredentials(config, { config: {}, env: { BOUNDARY_ADDR: "https://b", VAULT_ADDR: "https://v" } }, "render", {});
        assert.strictEqual(resolved.boundaryAddress, "https://b");
        assert.strictEqual(resolved.vaultAddress, "https://v", "the credential store falls back to the Vault provider's address");
    });

    it("stops pulumi up before anything is created, naming both ways for each missing value", () => {
        const config = parsePlatformConfig(enterprise());
        assert.throws(() => resolveDeployCredentials(config, { config: {}, env: { VAULT_ADDR: "https://v", VAULT_TOKEN: "t" } }, "up", {}), (error: Error) => {
            assert.strictEqual(error.message, [
                "sandbox-platform: pulumi up needs credentials and addresses it cannot find:",
                "  - Boundary address: set `pulumi config set --path sandbox-platform:boundary.address https://boundary.example.com`, or the environment variable BOUNDARY_ADDR",
                "  - Boundary token: set `pulumi config set --secret sandbox-platform:boundaryToken <token>` (or the secret boundaryPassword with boundary.authMethodId and boundary.loginName), or the environment variable BOUNDARY_TOKEN",
            ].join("\n"));
            return true;
        });
        assert.doesNotThrow(() => resolveDeployCredentials(config, { config: {}, env: {} }, "preview", {}));
    });

    it("tells the offline render from preview and up by the renderer's marker and pulumi.runtime.isDryRun", () => {
        const markers = globalThis as Record<symbol, unknown>;
        assert.strictEqual(markers[offlineRenderMarker], undefined);
        markers[offlineRenderMarker] = true;
        try {
            assert.strictEqual(deployMode(), "render");
        } finally {
            delete markers[offlineRenderMarker];
        }
        assert.notStrictEqual(deployMode(), "render");
    });

    it("renders a config with no credentials and no addresses at all: placeholders in the Boundary layout, a warning for each", async () => {
        const run = await runPlatform(enterprise());
        const store = boundaryItems(run.resources).find((item) => item.kind === "credential-store") as Record<string, any>;
        assert.strictEqual(store.attributes.address, deployPlaceholder("VAULT_ADDR"));
        const connections = run.resources.filter((resource) => resource.inputs.boundaryKind).map((resource) => resource.inputs.connection);
        assert.ok(connections.every((connection) => connection === "[secret]"), "the connection stays a secret even with placeholders");
    });

    it("every shipped stack carries no secure: value and renders, warning about the credentials it leaves to deploy time", async () => {
        for (const stack of ["dev", "prod"]) {
            const text = fs.readFileSync(path.join(__dirname, "..", "stacks", `Pulumi.${stack}.yaml`), "utf8");
            assert.doesNotMatch(text, /secure:/, `stacks/Pulumi.${stack}.yaml`);
            const result = await renderStack(stack);
            assert.ok(result.run.resources.length > 0);
            assert.ok(result.deployWarnings.some((warning) => /Boundary token is not set/.test(warning)), `${stack}: ${result.deployWarnings}`);
            assert.ok(result.deployWarnings.some((warning) => /Vault token is not set/.test(warning)), `${stack}: ${result.deployWarnings}`);
        }
    });

    it("the program run as under pulumi up (no render marker, not a dry run) fails early with that message", async () => {
        await assert.rejects(runProgram({
            stack: "test", config: flatConfig(enterprise()), offline: false,
            program: freshProgram(path.resolve(__dirname, "../index.ts")),
        }), /pulumi up needs credentials and addresses it cannot find:\n {2}- Boundary address: .*BOUNDARY_ADDR\n {2}- Boundary token: .*BOUNDARY_TOKEN\n {2}- Vault address: .*VAULT_ADDR\n {2}- Vault token: .*VAULT_TOKEN/);
    });
});
