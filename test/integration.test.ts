// Opt-in tests against real services. Each is reported as pending (skipped) unless
// its environment is given; none can pass without the real peer.
//   BOUNDARY_ADDR + BOUNDARY_TOKEN (or BOUNDARY_AUTH_METHOD_ID, BOUNDARY_LOGIN_NAME, BOUNDARY_PASSWORD), e.g. `boundary dev`
//   KUBECONFIG + the pulumi CLI on PATH (pulumi up of the dev stack through the Automation API)

import * as assert from "assert";
import { spawnSync } from "child_process";
import { BoundaryClient } from "../components/access/boundary/client";
import { boundaryProvider } from "../components/access/boundary/provider";

describe("integration: Boundary provider against a real controller (boundary dev)", function () {
    // `boundary dev` listens on http://127.0.0.1:9200 with auth method ampw_1234567890, login admin, password "password".
    const address = process.env.BOUNDARY_ADDR;
    this.timeout(120_000);
    before(function () {
        if (!address) {
            console.log("      (skipped: set BOUNDARY_ADDR and BOUNDARY_TOKEN, or BOUNDARY_AUTH_METHOD_ID, BOUNDARY_LOGIN_NAME and BOUNDARY_PASSWORD, to run against a real controller)");
            this.skip();
        }
    });
    const connection = () => ({
        address: address!, token: process.env.BOUNDARY_TOKEN, authMethodId: process.env.BOUNDARY_AUTH_METHOD_ID,
        loginName: process.env.BOUNDARY_LOGIN_NAME, password: process.env.BOUNDARY_PASSWORD,
    });
    const inputs = (kind: string, collection: string, fields: Record<string, unknown>, actions = {}) =>
        ({ boundaryKind: kind, collection, connection: connection(), actions, meta: {}, fields });

    it("creates, refreshes, updates and deletes an org, a project and a tcp target; answers ssh per edition", async () => {
        const suffix = Date.now();
        const org = inputs("scope", "scopes", { scope_id: "global", name: `sandbox-platform-it-${suffix}`, description: "integration test" });
        const createdOrg = await boundaryProvider.create(org);
        try {
            const changed = { ...org, fields: { ...org.fields, description: "updated" } };
            await boundaryProvider.update!(createdOrg.id, org, changed);
            const item = await new BoundaryClient(connection()).read("scopes", createdOrg.id);
            assert.strictEqual(item?.description, "updated");
            assert.strictEqual((await boundaryProvider.read!(createdOrg.id, changed)).id, createdOrg.id);
            const project = await boundaryProvider.create(inputs("scope", "scopes", { scope_id: createdOrg.id, name: "alpha" }));
            const target = await boundaryProvider.create(inputs("target", "targets", { scope_id: project.id, name: "alpha-alice", type: "tcp", attributes: { default_port: 22 } }));
            assert.match(target.id, /^ttcp_/);
            try {
                const ssh = await boundaryProvider.create(inputs("target", "targets", { scope_id: project.id, name: "alpha-ssh", type: "ssh", attributes: { default_port: 22 } }));
                console.log(`      (this controller registers ssh targets: ${ssh.id}; an enterprise or HCP build)`);
            } catch (error) {
                assert.match((error as Error).message, /Unknown type provided/, "a community build refuses ssh targets");
            }
        } finally {
            await boundaryProvider.delete!(createdOrg.id, org);
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
