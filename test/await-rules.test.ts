// Issue 25, item 3: what `pulumi up` waits for, per resource, by the Kubernetes
// provider's await rules (recorded in components/await-rules.ts and docs/upstream.md).

import * as assert from "assert";
import {
    awaitBoundSeconds, defaultAwaitSeconds, helmReleaseAwaitSeconds, pvcAwaitSeconds, sandboxWorkloadAwaitBoundSeconds, skipAwaitAnnotation,
} from "../components/await-rules";
import { envboxProbes } from "../components/sandboxes/envbox-network";
import { labels, teamNamespace } from "../components/naming";
import { renderedEnvironment } from "./helpers/stacks";

describe("what `pulumi up` waits for (pulumi-kubernetes provider/pkg/await, issue 25)", function () {
    this.timeout(300_000);

    it("applies the provider's precedence: customTimeouts, then pulumi.com/timeoutSeconds, then 10 minutes; skipAwait waits for nothing (await.go, metadata/overrides.go)", () => {
        const deployment = (annotations: Record<string, string> = {}) => ({ kind: "Deployment", metadata: { annotations } });
        assert.strictEqual(awaitBoundSeconds(deployment()), defaultAwaitSeconds);
        assert.strictEqual(awaitBoundSeconds(deployment({ "pulumi.com/timeoutSeconds": "1200" })), 1200);
        assert.strictEqual(awaitBoundSeconds(deployment({ "pulumi.com/timeoutSeconds": "1200" }), 90), 90);
        assert.strictEqual(awaitBoundSeconds(deployment({ "pulumi.com/timeoutSeconds": "soon" })), defaultAwaitSeconds, "an invalid value is ignored (strconv.Atoi fails)");
        assert.strictEqual(awaitBoundSeconds(deployment({ [skipAwaitAnnotation]: "true" }), 90), 0);
        assert.strictEqual(awaitBoundSeconds(deployment({ [skipAwaitAnnotation]: "True" })), defaultAwaitSeconds, "only the exact string true (IsAnnotationTrue)");
    });

    it("waits on built-in kinds only: a PVC at most its own 5 minutes, a ConfigMap or a custom resource not at all unless pulumi.com/waitFor (awaiters.go)", () => {
        assert.strictEqual(awaitBoundSeconds({ kind: "PersistentVolumeClaim" }), pvcAwaitSeconds);
        assert.strictEqual(awaitBoundSeconds({ kind: "PersistentVolumeClaim", metadata: { annotations: { "pulumi.com/timeoutSeconds": "60" } } }), 60);
        assert.strictEqual(awaitBoundSeconds({ kind: "ConfigMap" }), 0);
        assert.strictEqual(awaitBoundSeconds({ kind: "NetworkPolicy" }), 0);
        assert.strictEqual(awaitBoundSeconds({ kind: "Cluster" }), 0);
        assert.strictEqual(awaitBoundSeconds({ kind: "Cluster", metadata: { annotations: { "pulumi.com/waitFor": "condition=Ready" } } }), defaultAwaitSeconds);
        assert.strictEqual(helmReleaseAwaitSeconds({}), 300);
        assert.strictEqual(helmReleaseAwaitSeconds({ timeout: 1500 }), 1500);
        assert.strictEqual(helmReleaseAwaitSeconds({ skipAwait: true, timeout: 1500 }), 0);
    });

    it("a cold sandbox's startup probe allows longer than the provider's default wait: why sandbox workloads are not awaited", () => {
        const { startupProbe } = envboxProbes();
        assert.ok(startupProbe.periodSeconds! * startupProbe.failureThreshold! > defaultAwaitSeconds);
    });

    for (const stack of ["dev", "prod", "repos"]) {
        describe(`stack ${stack}`, () => {
            it("no sandbox workload holds `pulumi up` past the documented bound; sandbox controllers, Services and pre-pulls are applied without waiting", async () => {
                // The environment: its platform stack and team stacks (where the sandboxes are).
                const render = await renderedEnvironment(stack);
                const teamNamespaces = new Set(render.config.teams.map((team) => teamNamespace(team.name)));
                // What the team components create (the namespace and its quota belong to the cluster base, awaited like the platform).
                const objects = render.run.resources.filter((r) => r.custom && typeof r.inputs.kind === "string" && r.urn.includes("sandbox-platform:sandboxes:Team") && teamNamespaces.has(r.inputs.metadata?.namespace));
                assert.ok(objects.length > 0);
                let workloads = 0;
                for (const object of objects) {
                    const bound = awaitBoundSeconds(object.inputs);
                    assert.ok(bound <= sandboxWorkloadAwaitBoundSeconds, `${object.urn} may hold pulumi up ${bound} s`);
                    const isSandbox = object.inputs.metadata?.labels?.[labels.sandbox] !== undefined && ["Deployment", "Service"].includes(object.inputs.kind);
                    const isPrePull = object.inputs.kind === "DaemonSet";
                    if (isSandbox || isPrePull) {
                        workloads++;
                        assert.strictEqual(bound, 0, `${object.urn} is awaited`);
                    }
                }
                assert.ok(workloads >= render.config.teams.length * 3, `only ${workloads} sandbox workloads seen`);
            });

            it("platform services stay awaited: they gate each other (Helm releases wait, platform Deployments and DaemonSets are not skipped)", async () => {
                // The environment: its platform stack and team stacks (where the sandboxes are).
                const render = await renderedEnvironment(stack);
                const teamNamespaces = new Set(render.config.teams.map((team) => teamNamespace(team.name)));
                for (const release of render.run.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")) {
                    assert.ok(helmReleaseAwaitSeconds(release.inputs) > 0, `${release.urn} is not awaited`);
                }
                const platformWorkloads = render.run.resources.filter((r) => r.custom && ["Deployment", "DaemonSet", "StatefulSet"].includes(r.inputs.kind)
                    && !teamNamespaces.has(r.inputs.metadata?.namespace));
                for (const workload of platformWorkloads) {
                    assert.ok(awaitBoundSeconds(workload.inputs) > 0, `${workload.urn} is not awaited`);
                }
            });
        });
    }
});
