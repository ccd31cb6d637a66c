// Opt-in tests against real services. Each is reported as pending (skipped) unless
// its environment is given; none can pass without the real peer.
//   BOUNDARY_ADDR + BOUNDARY_TOKEN (or BOUNDARY_AUTH_METHOD_ID, BOUNDARY_LOGIN_NAME, BOUNDARY_PASSWORD) + VAULT_ADDR
//   KUBECONFIG + the pulumi CLI on PATH (pulumi up of the dev stack through the Automation API)

import * as assert from "assert";
import { spawnSync } from "child_process";
import { BoundaryClient } from "../components/access/boundary/client";
import { boundaryProvider } from "../components/access/boundary/provider";

describe("integration: Boundary provider against a real controller", function () {
    const address = process.env.BOUNDARY_ADDR;
    before(function () {
        if (!address || !process.env.VAULT_ADDR) {
            this.skip();
        }
    });

    it("creates, updates and deletes an org scope through the provider", async () => {
        const connection = {
            address: address!, token: process.env.BOUNDARY_TOKEN, authMethodId: process.env.BOUNDARY_AUTH_METHOD_ID,
            loginName: process.env.BOUNDARY_LOGIN_NAME, password: process.env.BOUNDARY_PASSWORD,
        };
        const inputs = {
            boundaryKind: "scope", collection: "scopes", connection, actions: {}, meta: {},
            fields: { scope_id: "global", name: `sandbox-platform-it-${Date.now()}`, description: "integration test" },
        };
        const created = await boundaryProvider.create(inputs);
        try {
            await boundaryProvider.update!(created.id, inputs, { ...inputs, fields: { ...inputs.fields, description: "updated" } });
            const item = await new BoundaryClient(connection).read("scopes", created.id);
            assert.strictEqual(item?.description, "updated");
        } finally {
            await boundaryProvider.delete!(created.id, inputs);
        }
    });
});

describe("integration: pulumi up on a real cluster", function () {
    before(function () {
        if (!process.env.KUBECONFIG || spawnSync("pulumi", ["version"]).status !== 0) {
            this.skip();
        }
    });

    it("deploys the dev stack with the policy pack and destroys it", async function () {
        this.timeout(30 * 60 * 1000);
        const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
        const stack = await LocalWorkspace.createOrSelectStack({ stackName: process.env.SANDBOX_IT_STACK ?? "dev", workDir: `${__dirname}/..` });
        try {
            const up = await stack.up({ policyPacks: ["policy"], onOutput: () => undefined });
            assert.strictEqual(up.summary.result, "succeeded");
        } finally {
            await stack.destroy({ onOutput: () => undefined });
        }
    });
});
