// Collision-free by construction: the stacks of one environment (platform + every team stack, in any
// order) never create the same Kubernetes object, Helm release, Vault path or Boundary name.

import * as assert from "assert";
import * as path from "path";
import { createdObject, findCollisions } from "../tools/collisions";
import { environmentStacks, main } from "../tools/collisions-cli";
import { RenderResult, renderStack, repoRoot } from "../tools/render-stack";
import { renderedStack } from "./helpers/stacks";

function permutations<T>(items: T[]): T[][] {
    // Every rotation and its reverse: each stack comes first and last at least once.
    return items.flatMap((_, i) => {
        const rotated = [...items.slice(i), ...items.slice(0, i)];
        return [rotated, [...rotated].reverse()];
    });
}

describe("no two stacks of an environment create the same object", function () {
    for (const environment of ["dev", "prod"]) {
        it(`${environment}: the platform stack and every team stack, in any order, create nothing twice`, async function () {
            const stacks = environmentStacks(environment);
            assert.ok(stacks.includes(environment) && stacks.length >= 2, `stacks of ${environment}: ${stacks.join(", ")}`);
            const renders: RenderResult[] = [];
            for (const stack of stacks) {
                renders.push(await renderedStack(stack));
            }
            for (const order of permutations(renders)) {
                assert.deepStrictEqual(findCollisions(order), [], `order ${order.map((render) => render.stack).join(", ")}`);
            }
            // Each kind of thing is counted: the check is not vacuous.
            const objects = renders.flatMap((render) => render.run.resources.map(createdObject)).filter((object): object is string => !!object);
            for (const kind of ["kubernetes ", "helm release ", "vault sys/mounts/", "vault sys/policies/acl/", "boundary "]) {
                assert.ok(objects.some((object) => object.startsWith(kind)), `${environment} creates some ${kind.trim()}`);
            }
            assert.ok(objects.some((object) => object.startsWith("vault ") && object.includes("/roles/")), "Vault roles are counted");
        });
    }

    it("finds the team's every object when a second team stack runs the same team (a mutation of the split)", async function () {
        const team = await renderedStack("dev-app-team-alpha");
        const copy = await renderStack("dev-app-team-alpha-copy", path.join(repoRoot, "stacks", "Pulumi.dev-app-team-alpha.yaml"));
        const collisions = findCollisions([await renderedStack("dev"), team, copy]);
        const objects = collisions.map((collision) => collision.object);
        for (const expected of [
            "kubernetes core/PersistentVolumeClaim sbx-app-team-alpha/app-team-alpha-alice-home",
            "kubernetes apps/Deployment sbx-app-team-alpha/app-team-alpha-bob",
            "vault ssh-client-signer-app-team-alpha/roles/app-team-alpha.alice",
            "boundary target <id:boundary-app-team-alpha-project>/app-team-alpha-alice",
            "boundary user <id:boundary-org>/alice",
        ]) {
            assert.ok(objects.includes(expected), `${expected} is reported (reported: ${objects.slice(0, 8).join("; ")} ...)`);
        }
        assert.ok(collisions.every((collision) => collision.creators.map((creator) => creator.stack).sort().join() === "dev-app-team-alpha,dev-app-team-alpha-copy"));
    });

    it("finds the platform's objects when an all-in-one stack of the environment runs beside its platform stack", async function () {
        const allInOne = await renderStack("dev", path.join(repoRoot, "test/fixtures/all-in-one/Pulumi.dev.yaml"));
        const objects = findCollisions([{ ...allInOne, stack: "dev-all-in-one" }, await renderedStack("dev")]).map((collision) => collision.object);
        for (const expected of ["kubernetes core/Namespace (cluster)/sbx-app-team-alpha", "helm release coder/coder", "vault sys/mounts/ssh-client-signer-app-team-alpha"]) {
            if (expected.startsWith("vault")) {
                // The all-in-one stack has one shared mount, the platform stack one per team: different paths, no collision.
                assert.ok(!objects.includes(expected));
                continue;
            }
            assert.ok(objects.includes(expected), `${expected} is reported (reported: ${objects.slice(0, 8).join("; ")} ...)`);
        }
    });

    it("npm run collisions exits 0 for a shipped environment and 2, saying why, for an unknown one", async function () {
        const out: string[] = [];
        const err: string[] = [];
        const sink = (into: string[]) => ({ write: (text: string) => { into.push(text); return true; } }) as unknown as NodeJS.WritableStream;
        assert.strictEqual(await main(["dev"], sink(out), sink(err)), 0);
        assert.match(out.join(""), /^dev: 2 stacks \(dev, dev-app-team-alpha\), 0 collision\(s\)$/m);
        assert.strictEqual(await main(["nowhere"], sink(out), sink(err)), 2);
        assert.match(err.join(""), /no stack file in stacks\/ has sandbox-platform:environment: nowhere/);
    });
});
