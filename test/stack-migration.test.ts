// Moving teams out of an all-in-one stack into team stacks (docs/stacks.md "Moving an all-in-one stack"):
// `pulumi state move` of each team's sandboxes component, then `pulumi up` of the platform stack and
// of each team stack. No sandbox volume may be replaced or deleted on the way. The engine's rules
// (what state move does to URNs, how a registration finds its old state) are modelled from pulumi's
// source in test/helpers/state-move.ts.

import * as assert from "assert";
import * as path from "path";
import { renderStack, RenderResult, repoRoot } from "../tools/render-stack";
import { renderedStack } from "./helpers/stacks";
import { CapturedResource } from "../tools/program-runner";
import { matchRegistrations, stateMove, MovedResource } from "./helpers/state-move";
import { platformName, platformType } from "../components/platform";

const pvcType = "kubernetes:core/v1:PersistentVolumeClaim";
const environments: Record<string, string[]> = {
    dev: ["dev-app-team-alpha"],
    prod: ["prod-app-team-alpha", "prod-platform-infra", "prod-security", "prod-data-pool"],
};

function teamsOf(result: RenderResult): string[] {
    return result.config.teams.map((team) => team.name);
}

/** What a team stack takes over from the all-in-one stack `env`: its teams' sandboxes components, moved. */
function moveTeams(allInOne: RenderResult, env: string, teamStack: RenderResult): MovedResource[] {
    const urns = teamsOf(teamStack).map((team) => `urn:pulumi:${env}::sandbox-platform::${platformType}$sandbox-platform:sandboxes:Team::${team}`);
    for (const urn of urns) {
        assert.ok(allInOne.run.resources.some((resource) => resource.urn === urn), `the all-in-one stack has ${urn}`);
    }
    return stateMove(allInOne.run.resources, urns, teamStack.stack);
}

function takeover(moved: MovedResource[], teamResources: CapturedResource[]) {
    const olds = new Set(moved.map((entry) => entry.to));
    const matches = matchRegistrations(teamResources, olds);
    const byOld = new Map(matches.filter((match) => match.old).map((match) => [match.old!, match.resource]));
    return { matches, byOld };
}

describe("moving teams from an all-in-one stack to team stacks (pulumi state move)", function () {
    const allInOne: Record<string, Promise<RenderResult>> = {};
    before(function () {
        for (const env of Object.keys(environments)) {
            // The environment as it was shipped before the split, rendered under the same stack name.
            allInOne[env] = renderStack(env, path.join(repoRoot, "test/fixtures/all-in-one", `Pulumi.${env}.yaml`));
        }
    });

    for (const [env, teamStacks] of Object.entries(environments)) {
        it(`${env}: the team stacks together run exactly the all-in-one stack's teams`, async function () {
            const whole = await allInOne[env];
            const split = await Promise.all(teamStacks.map((stack) => renderedStack(stack)));
            assert.deepStrictEqual(split.flatMap(teamsOf).sort(), teamsOf(whole).sort());
        });

        for (const stack of teamStacks) {
            it(`${stack}: takes over every moved sandbox volume with the same inputs, and creates no volume (state move renames only the stack, the team stack's alias finds the rest)`, async function () {
                const whole = await allInOne[env];
                const team = await renderedStack(stack);
                const moved = moveTeams(whole, env, team);
                const movedVolumes = moved.filter((entry) => entry.resource.type === pvcType);
                assert.ok(movedVolumes.length > 0, "the move carries the team's volumes");
                const { matches, byOld } = takeover(moved, team.run.resources);
                for (const entry of movedVolumes) {
                    const successor = byOld.get(entry.to);
                    assert.ok(successor, `${entry.from} (moved to ${entry.to}) is taken over by no registration of ${stack}: the engine would delete it`);
                    assert.deepStrictEqual(successor.inputs, entry.resource.inputs, `${successor.urn} has other inputs than the volume it takes over`);
                    assert.strictEqual(successor.options.retainOnDelete, true, `${successor.urn} is not retainOnDelete`);
                }
                const created = matches.filter((match) => match.old === undefined && match.resource.type === pvcType);
                assert.deepStrictEqual(created.map((match) => match.resource.urn), [], "volumes the team stack would create instead of taking over");
                // Nothing else of the moved tree is left behind for the engine to delete.
                const orphans = moved.filter((entry) => !byOld.has(entry.to)).map((entry) => entry.from);
                assert.deepStrictEqual(orphans, [], "moved resources no registration takes over (they would be deleted)");
                // Workloads keep their names and selectors (a new selector would replace a Deployment).
                for (const entry of moved.filter((item) => item.resource.type === "kubernetes:apps/v1:Deployment")) {
                    const successor = byOld.get(entry.to)!;
                    assert.deepStrictEqual(successor.inputs.metadata, entry.resource.inputs.metadata);
                    assert.deepStrictEqual(successor.inputs.spec.selector, entry.resource.inputs.spec.selector);
                }
            });
        }

        it(`${env}: the platform stack keeps every namespace of the all-in-one stack under the same URN (a replaced namespace would delete its volumes)`, async function () {
            const whole = await allInOne[env];
            const platform = await renderedStack(env);
            const namespaces = whole.run.resources.filter((resource) => resource.type === "kubernetes:core/v1:Namespace");
            assert.ok(namespaces.length > 0);
            const kept = new Map(platform.run.resources.map((resource) => [resource.urn, resource]));
            for (const namespace of namespaces) {
                const successor = kept.get(namespace.urn);
                assert.ok(successor, `${namespace.urn} is not in platform stack ${env}: it would be deleted with every volume in it`);
                assert.strictEqual(successor.inputs.metadata.name, namespace.inputs.metadata.name);
            }
            // After the moves, no sandbox volume is left in the platform stack's state to delete.
            const movedUrns = new Set((await Promise.all(teamStacks.map(async (stack) => moveTeams(whole, env, await renderedStack(stack)))))
                .flat().map((entry) => entry.from));
            const left = whole.run.resources.filter((resource) => resource.type === pvcType && !movedUrns.has(resource.urn));
            assert.deepStrictEqual(left.map((resource) => resource.urn), []);
            assert.ok(!platform.run.resources.some((resource) => resource.type === pvcType), "a platform stack runs no sandbox volumes");
        });
    }

    it("without the team stack's alias, the engine would create every moved volume anew (the check above fails on that mutation)", async function () {
        const whole = await allInOne.dev;
        const team = await renderedStack("dev-app-team-alpha");
        const moved = moveTeams(whole, "dev", team);
        const unaliased = team.run.resources.map((resource) => ({ ...resource, options: { ...resource.options, aliases: [] } }));
        const { matches } = takeover(moved, unaliased);
        const created = matches.filter((match) => match.old === undefined && match.resource.type === pvcType);
        assert.strictEqual(created.length, moved.filter((entry) => entry.resource.type === pvcType).length);
    });

    it("the alias names the all-in-one Platform component as the engine forms its URN", async function () {
        const team = await renderedStack("dev-app-team-alpha");
        const teams = team.run.resources.filter((resource) => resource.type === "sandbox-platform:sandboxes:Team");
        assert.deepStrictEqual(teams.map((resource) => resource.options.aliases),
            [[{ parent: `urn:pulumi:dev-app-team-alpha::sandbox-platform::${platformType}::${platformName}` }]]);
        assert.strictEqual(teams[0].parent, undefined, "a team stack's sandboxes component sits at the root of its stack");
    });
});
