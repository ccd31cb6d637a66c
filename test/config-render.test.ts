import * as assert from "assert";
import { evaluatePolicies, mandatory } from "../policy/evaluate";
import { policySubjects } from "../tools/render-stack";
import { runPlatform } from "./helpers/platform";

describe("configs the schema accepts render cleanly", () => {
    it("renders a team with developers: [] with zero mandatory violations and no Vault role for it (an empty allowed_users signs for nobody, or for anyone on Vault before the empty-principals fix)", async () => {
        const run = await runPlatform({
            environment: "empty", vault: { enabled: true },
            teams: [{ name: "alpha", developers: ["alice"] }, { name: "empty", developers: [] }],
        });
        const roles = run.resources.filter((resource) => resource.type === "vault:ssh/secretBackendRole:SecretBackendRole").map((resource) => resource.inputs.name);
        assert.deepStrictEqual(roles, ["alpha.alice"], "one role per developer (issue 16), none for the empty team");
        assert.ok(run.resources.some((resource) => resource.inputs.kind === "Namespace" && resource.inputs.metadata.name === "sbx-empty"));
        assert.deepStrictEqual(mandatory(await evaluatePolicies(policySubjects(run.resources))), []);
    });

    it("renders Boundary and Vault enabled with no credentials at all (deploy-time inputs)", async () => {
        const run = await runPlatform({
            environment: "nocreds", vault: { enabled: true }, boundary: { enabled: true, edition: "enterprise", address: "https://boundary.example.com" },
            teams: [{ name: "alpha", developers: ["alice"] }],
        });
        assert.ok(run.resources.length > 10);
        assert.deepStrictEqual(mandatory(await evaluatePolicies(policySubjects(run.resources))), []);
    });
});
