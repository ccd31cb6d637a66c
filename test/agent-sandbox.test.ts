// The agent-sandbox backend (issue 26). Every behaviour of the controller these tests rely on
// is read from kubernetes-sigs/agent-sandbox at the pinned tag (v0.5.6) and recorded in
// docs/upstream.md ("agent-sandbox"); the CRD schemas are transcribed in helpers/agent-sandbox-crds.ts.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../components/config/errors";
import { parsePlatformConfig } from "../components/config/load";
import { CapturedResource } from "../tools/program-runner";
import { repoRoot } from "../tools/render-stack";
import { labels } from "../components/naming";
import { buildTeamNetworkPolicies } from "../components/cluster/network-policies";
import { claimLabelDomain } from "../components/sandboxes/agent-sandbox";
import { agentSandboxNamespace, buildAgentSandboxController } from "../components/agent-sandbox/controller";
import { agentSandboxCrdFiles, agentSandboxVersion, agentSandboxCommit } from "../components/versions";
import { agentSandboxKinds, agentSandboxProblems } from "./helpers/agent-sandbox-crds";
import { customPodSpecPaths, readWorkloads } from "../policy/rules/workloads";
import { baseConfig, named, ofKind, runPlatform } from "./helpers/platform";
import { renderedStack } from "./helpers/stacks";

const allRuntimes = { sysbox: { enabled: true }, kata: { enabled: true } };

function teamConfig(backend: "deployment" | "agent-sandbox", team: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return baseConfig({
        runtimes: allRuntimes,
        agentSandbox: { enabled: true },
        teams: [{ name: "alpha", backend, ...team }],
        ...extra,
    });
}

const manifestsOf = (result: { run: { resources: CapturedResource[] } }): any[] =>
    result.run.resources.filter((r) => r.custom && typeof r.inputs.kind === "string").map((r) => r.inputs);

const byName = (resources: CapturedResource[], kind: string) => new Map(ofKind(resources, kind).map((r) => [r.inputs.metadata.name as string, r]));

describe("agent-sandbox backend: config", () => {
    it("defaults every team to the deployment backend and installs no controller", async () => {
        const config = parsePlatformConfig(baseConfig());
        assert.strictEqual(config.teams[0].backend, "deployment");
        assert.strictEqual(config.agentSandbox.enabled, false);
        const run = await runPlatform(baseConfig());
        assert.strictEqual(ofKind(run.resources, "Deployment").length, 2);
        assert.deepStrictEqual(run.resources.filter((r) => r.type.includes("agents.x-k8s.io") || r.urn.includes("AgentSandboxInstall")), []);
    });

    it("refuses backend: agent-sandbox while agentSandbox.enabled is not true, naming both keys", () => {
        const raw = baseConfig({ teams: [{ name: "alpha", backend: "agent-sandbox", developers: ["alice"] }] });
        assert.throws(() => parsePlatformConfig(raw), (error: unknown) => {
            assert.ok(error instanceof ConfigError, String(error));
            assert.strictEqual(error.key, "sandbox-platform:teams[0].backend");
            assert.match(error.message, /agentSandbox\.enabled/);
            return true;
        });
    });

    it("refuses a platform namespace named like the controller's while the controller is installed", () => {
        assert.throws(() => parsePlatformConfig(baseConfig({ agentSandbox: { enabled: true }, coder: { namespace: "agent-sandbox-system" } })),
            /coder\.namespace: .*agent-sandbox controller's namespace/);
        parsePlatformConfig(baseConfig({ coder: { namespace: "agent-sandbox-system" } }));
    });

    it("takes shutdownTime only for ephemeral teams on the agent-sandbox backend, as an RFC 3339 time", () => {
        const team = { name: "alpha", backend: "agent-sandbox", allocation: "ephemeral", poolSize: 1, developers: ["alice"] };
        assert.strictEqual(parsePlatformConfig(baseConfig({ agentSandbox: { enabled: true }, teams: [{ ...team, shutdownTime: "2027-01-31T18:00:00Z" }] })).teams[0].shutdownTime, "2027-01-31T18:00:00Z");
        assert.throws(() => parsePlatformConfig(baseConfig({ agentSandbox: { enabled: true }, teams: [{ ...team, shutdownTime: "tomorrow" }] })),
            /teams\[0\]\.shutdownTime: "tomorrow" is not an RFC 3339 date-time/);
        assert.throws(() => parsePlatformConfig(baseConfig({ agentSandbox: { enabled: true }, teams: [{ ...team, allocation: "pool", shutdownTime: "2027-01-31T18:00:00Z" }] })),
            /teams\[0\]\.shutdownTime: .*allocation: ephemeral and backend: agent-sandbox; team alpha has allocation: pool/);
        assert.throws(() => parsePlatformConfig(baseConfig({ agentSandbox: { enabled: true }, teams: [{ ...team, backend: "deployment", shutdownTime: "2027-01-31T18:00:00Z" }] })),
            /teams\[0\]\.shutdownTime: .*backend: deployment/);
    });

    it("refuses an unknown backend, listing the accepted ones", () => {
        assert.throws(() => parsePlatformConfig(baseConfig({ agentSandbox: { enabled: true }, teams: [{ name: "alpha", backend: "statefulset" }] })),
            /teams\[0\]\.backend: .*deployment.*agent-sandbox/);
    });
});

describe("agent-sandbox backend: resources (kubernetes-sigs/agent-sandbox v0.5.6)", () => {
    for (const runtime of ["envbox", "sysbox", "kata"]) {
        it(`runs a ${runtime} sandbox as a Sandbox with exactly the Deployment backend's pod spec and labels`, async () => {
            const team = { runtime, developers: ["alice", { name: "bob", suspended: true }] };
            const deployment = await runPlatform(teamConfig("deployment", team));
            const agent = await runPlatform(teamConfig("agent-sandbox", team));
            assert.strictEqual(ofKind(agent.resources, "Deployment").filter((d) => d.inputs.metadata.namespace === "sbx-alpha").length, 0);
            for (const name of ["alpha-alice", "alpha-bob"]) {
                const dep = named(deployment.resources, "Deployment", name).inputs;
                const sandbox = named(agent.resources, "Sandbox", name);
                assert.strictEqual(sandbox.type, "kubernetes:agents.x-k8s.io/v1beta1:Sandbox");
                assert.deepStrictEqual(sandbox.inputs.spec.podTemplate.spec, dep.spec.template.spec);
                assert.deepStrictEqual(sandbox.inputs.spec.podTemplate.metadata.labels, dep.spec.template.metadata.labels);
                // The Service selects the platform's own label, which the controller copies from the
                // pod template to the pod (it drops only agents.x-k8s.io/ keys: isSystemLabel).
                const selector = named(agent.resources, "Service", name).inputs.spec.selector;
                for (const [key, value] of Object.entries(selector)) {
                    assert.strictEqual(sandbox.inputs.spec.podTemplate.metadata.labels[key], value);
                    assert.ok(!key.startsWith("agents.x-k8s.io/"));
                }
            }
            // suspended: true → the controller deletes the pod, keeps the Sandbox and its volumes (reconcilePod).
            assert.strictEqual(named(agent.resources, "Sandbox", "alpha-alice").inputs.spec.operatingMode, "Running");
            assert.strictEqual(named(agent.resources, "Sandbox", "alpha-bob").inputs.spec.operatingMode, "Suspended");
        });
    }

    it("asks the controller for no Service (service: false) and never for volumeClaimTemplates: the pod mounts the platform's retained PVCs", async () => {
        const run = await runPlatform(teamConfig("agent-sandbox", { developers: ["alice"] }));
        const sandbox = named(run.resources, "Sandbox", "alpha-alice").inputs;
        assert.strictEqual(sandbox.spec.service, false);
        assert.strictEqual(sandbox.spec.volumeClaimTemplates, undefined);
        const claims = sandbox.spec.podTemplate.spec.volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName).sort();
        assert.deepStrictEqual(claims, ["alpha-alice-docker", "alpha-alice-home"]);
        for (const claim of claims) {
            const pvc = named(run.resources, "PersistentVolumeClaim", claim);
            assert.strictEqual(pvc.options.retainOnDelete, true);
            // Controller-made PVCs carry a controller ownerReference to the Sandbox (reconcilePVCs);
            // the platform's carry none, so garbage collection never follows a Sandbox or claim to them.
            assert.strictEqual(pvc.inputs.metadata.ownerReferences, undefined);
            assert.ok(!(pvc.inputs.metadata.labels ?? {})["agents.x-k8s.io/adoptable"], "an adoptable label would let the controller adopt (own) the PVC");
        }
    });

    it("keeps Boundary hosts and every developer's connect instructions identical on both backends", async () => {
        const team = { allocation: "pool", poolSize: 2, developers: ["alice"] };
        const extra = { boundary: { enabled: true, address: "https://boundary.example.com" }, vault: { enabled: true } };
        const deployment = await runPlatform(teamConfig("deployment", team, extra));
        const agent = await runPlatform(teamConfig("agent-sandbox", team, extra));
        const hosts = (run: typeof agent) => run.resources.filter((r) => r.inputs.boundaryKind === "host").map((r) => [r.urn, r.inputs]);
        assert.ok(hosts(agent).length === 2);
        assert.deepStrictEqual(hosts(agent), hosts(deployment));
        assert.deepStrictEqual(agent.outputs.connect, deployment.outputs.connect);
        assert.deepStrictEqual(agent.outputs.developers, deployment.outputs.developers);
    });

    it("makes an ephemeral team a SandboxTemplate + SandboxWarmPool and one SandboxClaim per member, named like the member", async () => {
        const run = await runPlatform(teamConfig("agent-sandbox", { runtime: "kata", allocation: "ephemeral", poolSize: 2, developers: ["alice", "bob", "carol"] }));
        const template = named(run.resources, "SandboxTemplate", "alpha-pool").inputs;
        const pool = named(run.resources, "SandboxWarmPool", "alpha-pool").inputs;
        assert.deepStrictEqual(pool.spec.sandboxTemplateRef, { name: "alpha-pool" });
        // Managed would add the controller's own allow-policy (a union widens the platform's) and public DNS servers (ApplySandboxSecureDefaults).
        assert.strictEqual(template.spec.networkPolicyManagement, "Unmanaged");
        assert.strictEqual(template.spec.volumeClaimTemplatesPolicy, "Disallowed");
        assert.strictEqual(template.spec.envVarsInjectionPolicy, "Disallowed");
        assert.strictEqual(template.spec.podTemplate.spec.volumes.some((v: any) => v.persistentVolumeClaim), false, "ephemeral: no PVC");
        // The whole roster may log in to every member: one sshd ConfigMap for the template.
        assert.strictEqual(named(run.resources, "ConfigMap", "alpha-pool-sshd").inputs.data.principals, "alice\nbob\ncarol\n");
        assert.deepStrictEqual(ofKind(run.resources, "PersistentVolumeClaim"), []);
        for (const member of ["alpha-pool-0", "alpha-pool-1"]) {
            const claim = named(run.resources, "SandboxClaim", member).inputs;
            assert.deepStrictEqual(claim.spec.warmPoolRef, { name: "alpha-pool" });
            const added = claim.spec.additionalPodMetadata.labels;
            // The controller refuses a claim label outside its allowed domains and one that changes a template label (validateAdditionalPodMetadata, mergePodMetadata).
            for (const [key, value] of Object.entries(added)) {
                assert.strictEqual(key.split("/")[0], claimLabelDomain);
                const templateValue = template.spec.podTemplate.metadata.labels[key];
                assert.ok(templateValue === undefined || templateValue === value, `${key} conflicts with the template`);
            }
            assert.deepStrictEqual(named(run.resources, "Service", member).inputs.spec.selector, added);
        }
        // The controller reads its allowed domains from its ConfigMap (main.go /etc/sandbox-config/allowed-label-domains).
        assert.deepStrictEqual(buildAgentSandboxController().config.data, { "allowed-label-domains": claimLabelDomain });
    });

    it("expires ephemeral members through the claim's lifecycle with shutdownPolicy Retain (the claim stays, Pulumi keeps managing it)", async () => {
        const team = { allocation: "ephemeral", poolSize: 2, developers: ["alice"] };
        const run = await runPlatform(teamConfig("agent-sandbox", { ...team, shutdownTime: "2027-01-31T18:00:00Z" }));
        for (const member of ["alpha-pool-0", "alpha-pool-1"]) {
            const claim = named(run.resources, "SandboxClaim", member).inputs;
            assert.deepStrictEqual(claim.spec.lifecycle, { shutdownTime: "2027-01-31T18:00:00Z", shutdownPolicy: "Retain" });
            assert.deepStrictEqual(await agentSandboxProblems(claim), []);
        }
        const without = await runPlatform(teamConfig("agent-sandbox", team));
        assert.strictEqual(named(without.resources, "SandboxClaim", "alpha-pool-0").inputs.spec.lifecycle, undefined);
        assert.ok((await agentSandboxProblems({ ...named(run.resources, "SandboxClaim", "alpha-pool-0").inputs, spec: { warmPoolRef: { name: "p" }, lifecycle: { shutdownTime: "soon" } } }))
            .some((p) => /format/.test(p)), "the transcription checks date-time");
    });

    it("labels warm and claimed pods so that the team's NetworkPolicies select them", async () => {
        const config = parsePlatformConfig(teamConfig("agent-sandbox", { allocation: "ephemeral", poolSize: 1, developers: ["alice"] }));
        const run = await runPlatform(teamConfig("agent-sandbox", { allocation: "ephemeral", poolSize: 1, developers: ["alice"] }));
        const podLabels = named(run.resources, "SandboxTemplate", "alpha-pool").inputs.spec.podTemplate.metadata.labels;
        const policies = buildTeamNetworkPolicies(config.teams[0], config);
        const selecting = policies.filter((p) => (p.spec!.podSelector!.matchExpressions ?? []).some((e) => e.key === labels.sandbox && e.operator === "Exists"));
        assert.ok(selecting.length > 0);
        assert.ok(podLabels[labels.sandbox], "template pods carry sandbox-platform.io/sandbox");
    });

    it("creates no custom resource before the CRDs and controller: teams depend on the install, the controller on the CRDs", async () => {
        const run = await runPlatform(teamConfig("agent-sandbox", { developers: ["alice"] }));
        const install = run.resources.find((r) => r.type === "sandbox-platform:agent-sandbox:AgentSandboxInstall")!;
        const team = run.resources.find((r) => r.type === "sandbox-platform:sandboxes:Team")!;
        assert.ok(team.options.dependsOn.includes(install.urn));
        const crds = run.resources.find((r) => r.type === "kubernetes:yaml/v2:ConfigGroup")!;
        assert.deepStrictEqual(crds.inputs.files, agentSandboxCrdFiles);
        for (const url of agentSandboxCrdFiles) {
            assert.ok(url.includes(`/kubernetes-sigs/agent-sandbox/${agentSandboxCommit}/k8s/crds/`), url);
        }
        const controller = named(run.resources, "Deployment", "agent-sandbox-controller");
        assert.ok(controller.options.dependsOn.includes(crds.urn));
        assert.match(controller.inputs.spec.template.spec.containers[0].image, new RegExp(`:${agentSandboxVersion}$`));
    });
});

describe("agent-sandbox backend: data safety", () => {
    const volumesOf = async (raw: Record<string, unknown>) => {
        const run = await runPlatform(raw);
        return { claims: byName(run.resources, "PersistentVolumeClaim"), services: byName(run.resources, "Service") };
    };
    const sameVolumes = (before: Awaited<ReturnType<typeof volumesOf>>, after: Awaited<ReturnType<typeof volumesOf>>) => {
        assert.deepStrictEqual([...after.claims.keys()].sort(), [...before.claims.keys()].sort());
        for (const [name, claim] of after.claims) {
            const previous = before.claims.get(name)!;
            assert.strictEqual(claim.urn, previous.urn, name);
            assert.deepStrictEqual(claim.inputs, previous.inputs, name);
            assert.strictEqual(claim.options.retainOnDelete, true, name);
            assert.deepStrictEqual(claim.options.ignoreChanges, previous.options.ignoreChanges, name);
        }
    };

    for (const allocation of ["dedicated", "pool"]) {
        for (const runtime of ["envbox", "sysbox", "kata"]) {
            it(`switching a ${runtime} ${allocation} team's backend in either direction replaces no PVC and no Service`, async () => {
                const team = { runtime, allocation, ...(allocation === "pool" ? { poolSize: 2 } : {}), developers: ["alice", "bob"] };
                const deployment = await volumesOf(teamConfig("deployment", team));
                const agent = await volumesOf(teamConfig("agent-sandbox", team));
                assert.ok(deployment.claims.size === 4);
                sameVolumes(deployment, agent);
                sameVolumes(agent, deployment);
                for (const [name, service] of agent.services) {
                    if (service.inputs.metadata.namespace === "sbx-alpha") {
                        assert.strictEqual(service.urn, deployment.services.get(name)!.urn);
                        assert.deepStrictEqual(service.inputs, deployment.services.get(name)!.inputs);
                    }
                }
            });
        }
    }

    it("keeps every remaining developer's PVCs on the agent-sandbox backend when the roster and the runtime change", async () => {
        const before = await volumesOf(teamConfig("agent-sandbox", { runtime: "envbox", developers: ["alice", "bob", "carol"] }));
        const after = await volumesOf(teamConfig("agent-sandbox", { runtime: "kata", developers: ["carol", "alice"] }));
        for (const [name, claim] of after.claims) {
            assert.strictEqual(claim.urn, before.claims.get(name)!.urn, name);
            assert.deepStrictEqual(claim.inputs, before.claims.get(name)!.inputs, name);
        }
        assert.ok(after.claims.has("alpha-carol-home") && after.claims.has("alpha-alice-docker"));
    });
});

describe("agent-sandbox objects validate against the pinned CRD schemas (v0.5.6 v1beta1)", () => {
    const stacks = fs.readdirSync(path.join(repoRoot, "stacks")).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((s): s is string => !!s).sort();

    it("the agentsandbox stack renders all four kinds, for every runtime and allocation, with no mandatory violation", async () => {
        const result = await renderedStack("agentsandbox");
        const objects = manifestsOf(result);
        const kinds = new Set(objects.map((m: any) => `${m.apiVersion}/${m.kind}`).filter((k: string) => agentSandboxKinds.has(k)));
        assert.deepStrictEqual([...kinds].sort(), [...agentSandboxKinds].sort());
        const runtimesAllocations = new Set(objects.filter((m: any) => agentSandboxKinds.has(`${m.apiVersion}/${m.kind}`) && m.kind !== "SandboxWarmPool")
            .map((m: any) => `${m.metadata.labels[labels.runtime]}/${m.kind === "SandboxClaim" || m.kind === "SandboxTemplate" ? "ephemeral" : m.metadata.name.includes("-pool-") ? "pool" : "dedicated"}`));
        assert.strictEqual(runtimesAllocations.size, 9, [...runtimesAllocations].join(", "));
        assert.deepStrictEqual(result.violations.filter((v: any) => v.level === "mandatory"), []);
    });

    for (const stack of stacks) {
        it(`every agent-sandbox object of stack ${stack} validates`, async () => {
            const result = await renderedStack(stack);
            for (const manifest of manifestsOf(result).filter((m: any) => agentSandboxKinds.has(`${m.apiVersion}/${m.kind}`))) {
                assert.deepStrictEqual(await agentSandboxProblems(manifest), [], `${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name}`);
            }
        });
    }

    it("refuses what the CRDs would refuse or prune: a wrong enum, a missing required field, an unknown field, a bad pod", async () => {
        const result = await renderedStack("agentsandbox");
        const sandbox = manifestsOf(result).find((m: any) => m.kind === "Sandbox")!;
        const claim = manifestsOf(result).find((m: any) => m.kind === "SandboxClaim")!;
        const pool = manifestsOf(result).find((m: any) => m.kind === "SandboxWarmPool")!;
        const clone = (value: any) => JSON.parse(JSON.stringify(value));
        const cases: [string, any, RegExp][] = [
            ["operatingMode Stopped", { ...clone(sandbox), spec: { ...clone(sandbox.spec), operatingMode: "Stopped" } }, /allowed values/],
            ["replicas -1", { ...clone(pool), spec: { ...clone(pool.spec), replicas: -1 } }, /must be >= 0/],
            ["no warmPoolRef", { ...clone(claim), spec: { additionalPodMetadata: claim.spec.additionalPodMetadata } }, /warmPoolRef/],
            ["spec.replicas on a Sandbox", { ...clone(sandbox), spec: { ...clone(sandbox.spec), replicas: 1 } }, /additional properties/],
            ["a PodSpec field the CRD lacks", (() => { const s = clone(sandbox); s.spec.podTemplate.spec.podFailurePolicy = {}; return s; })(), /pruned/],
            ["a container without image type", (() => { const s = clone(sandbox); s.spec.podTemplate.spec.containers[0].image = 5; return s; })(), /podTemplate/],
        ];
        for (const [what, manifest, expected] of cases) {
            const problems = await agentSandboxProblems(manifest);
            assert.ok(problems.some((p) => expected.test(p)), `${what}: ${problems.join("; ")}`);
        }
    });
});

describe("agent-sandbox pods are judged by the pack", () => {
    it("reads the pod template of a Sandbox and a SandboxTemplate (any version) from the shared mapping, whatever its shape", () => {
        assert.deepStrictEqual(customPodSpecPaths["agents.x-k8s.io/Sandbox"], ["spec", "podTemplate", "spec"]);
        assert.deepStrictEqual(customPodSpecPaths["extensions.agents.x-k8s.io/SandboxTemplate"], ["spec", "podTemplate", "spec"]);
        // No regular container yet: a shape search would not see this pod; the mapping does.
        const pod = { initContainers: [{ name: "setup", image: "busybox:1.36.1", securityContext: { privileged: true } }], containers: [] };
        for (const type of ["kubernetes:agents.x-k8s.io/v1beta1:Sandbox", "kubernetes:agents.x-k8s.io/v1alpha1:Sandbox", "kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxTemplate"]) {
            const workloads = readWorkloads(type, { metadata: { name: "a", namespace: "n" }, spec: { podTemplate: { metadata: { labels: { x: "y" } }, spec: pod } } });
            assert.deepStrictEqual(workloads.map((w) => [w.specPath, w.containers.map((c) => c.path), w.podLabels]), [["spec.podTemplate.spec", ["initContainers[0]"], { x: "y" }]], type);
        }
    });
});

describe("agent-sandbox controller install (platform stack)", () => {
    it("installs into upstream's fixed namespace, restricted, with RBAC limited to the release's rules", () => {
        const objects = buildAgentSandboxController();
        assert.strictEqual(objects.namespace.metadata!.name, agentSandboxNamespace);
        assert.strictEqual(objects.namespace.metadata!.labels!["pod-security.kubernetes.io/enforce"], "restricted");
        // Only its own CRDs may be patched (caBundle of the conversion webhook); only its own certificate Secret read.
        const crdRule = objects.clusterRoles[0].rules!.find((rule) => rule.apiGroups!.includes("apiextensions.k8s.io"))!;
        assert.strictEqual(crdRule.resourceNames!.length, 4);
        const secretRules = objects.role.rules!.filter((rule) => rule.resources!.includes("secrets"));
        assert.deepStrictEqual(secretRules.map((rule) => [rule.verbs, rule.resourceNames ?? []]), [[["create"], []], [["get", "patch", "update"], ["agent-sandbox-webhook-certs"]]]);
        for (const role of objects.clusterRoles) {
            for (const rule of role.rules!) {
                assert.ok(!rule.verbs!.includes("*") && !rule.resources!.includes("*") && !rule.resources!.includes("secrets"), JSON.stringify(rule));
            }
        }
    });

    it("runs the controller unprivileged: non-root, read-only root, no capabilities, RuntimeDefault seccomp, no host namespaces", () => {
        const pod = buildAgentSandboxController().deployment.spec!.template.spec!;
        const container = pod.containers[0];
        assert.deepStrictEqual(container.securityContext, {
            allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
            capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
        });
        assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC);
        assert.ok((pod.volumes ?? []).every((volume) => !volume.hostPath));
    });
});
