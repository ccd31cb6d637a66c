// The cluster's ValidatingAdmissionPolicies (components/admission/policies.ts) against the
// CrossGuard pack: the CEL, evaluated by a conformant CEL implementation (@bufbuild/cel),
// must give the pack's verdict, rule by rule, on every policy fixture, every workload of
// every shipped stack and Coder's workspace as the shipped template renders it; and the
// differential must notice when any one CEL expression is weakened.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { admissionNames, buildAdmissionPolicies, policyRules, ValidatingAdmissionPolicy } from "../components/admission/policies";
import { buildCoderTemplateObjects } from "../components/platform/coder-template";
import { AdmissionRuleName, admissionRuleNames } from "../policy/admission/cel";
import { admissionRequests, admissionVerdicts, evaluatePolicy, kindResources, namespaceObjectFor } from "../policy/admission/evaluate";
import { policyConfigDefaults, PolicyPackConfig } from "../policy/config";
import { evaluateResourcePolicies } from "../policy/evaluate";
import { manifestSubject, readManifests } from "../policy/manifests";
import { parsePulumiType } from "../policy/rules/workloads";
import { policySubjects } from "../tools/render-stack";
import { validateManifest } from "./helpers/schema";
import { renderedStack } from "./helpers/stacks";
import { estimateCost, SizeBounds } from "./helpers/cel-cost";

const repoRoot = path.join(__dirname, "..");
const fixtureDir = path.join(__dirname, "fixtures/policy");
const objects = buildAdmissionPolicies({ action: "deny", kubeSystemAction: "deny", ruleConfig: policyConfigDefaults });
const podPolicy = objects.policies.find((p) => p.metadata!.name === admissionNames.podPolicy)!;

interface Case { source: string; object: Record<string, any> }

const requests = admissionRequests;
const inScope = (object: Record<string, any>) => kindResources[object?.kind] !== undefined;

function fixtureCases(): Case[] {
    const cases: Case[] = [];
    for (const kind of ["pass", "fail"]) {
        for (const file of fs.readdirSync(path.join(fixtureDir, kind)).sort()) {
            readManifests([path.join(fixtureDir, kind, file)]).flatMap(requests)
                .forEach((object, i) => cases.push({ source: `fixtures/policy/${kind}/${file}#${i}`, object }));
        }
    }
    return cases;
}

/** Coder's workspace Deployment as the shipped template renders it for one workspace (Terraform references filled in). */
function coderWorkspace(): Record<string, any> {
    const sample: Record<string, string> = {
        "${local.name}": "coder-alice-dev", "${local.owner}": "alice", "${var.namespace}": "coder-workspaces",
        "${var.image}": "codercom/enterprise-base:ubuntu-20240812", "${var.cpu}": "2", "${var.memory}": "4Gi",
        "${var.home_size}": "20Gi", "${var.docker_cache_size}": "30Gi",
    };
    const deployment = JSON.parse(JSON.stringify(buildCoderTemplateObjects().deployment).replace(/\$\{[^}]+\}/g, (m) => sample[m] ?? "x"));
    deployment.spec.replicas = 1;
    return deployment;
}

async function stackCases(): Promise<Case[]> {
    const stacks = fs.readdirSync(path.join(repoRoot, "stacks")).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
    const cases: Case[] = [];
    for (const stack of stacks) {
        for (const subject of policySubjects((await renderedStack(stack)).run.resources)) {
            const parsed = parsePulumiType(subject.type);
            if (parsed && inScope({ kind: parsed.kind })) {
                cases.push({ source: `stack ${stack}: ${subject.urn}`, object: { ...subject.props, kind: parsed.kind } });
            }
        }
    }
    return cases;
}

/** The pack's verdict: the admission rules it reports as mandatory violations. */
async function packRules(object: Record<string, any>, config: PolicyPackConfig = {}): Promise<string[]> {
    const violations = await evaluateResourcePolicies([manifestSubject(object)], config);
    return [...new Set(violations.filter((v) => v.level === "mandatory" && (admissionRuleNames as readonly string[]).includes(v.policy)).map((v) => v.policy))].sort();
}

/** The admission policy's verdict: the rules whose validations failed (or errored). */
function admissionRules(policy: ValidatingAdmissionPolicy, object: Record<string, any>, params = objects.params as Record<string, any>): string[] {
    const outcomes = evaluatePolicy(policy, { object, namespace: object.metadata?.namespace ?? "default", params });
    return [...new Set(outcomes.map((o) => o.rule))].sort();
}

interface Judged { source: string; object: Record<string, any>; pack: string[] }

async function judge(cases: Case[]): Promise<Judged[]> {
    const judged: Judged[] = [];
    for (const c of cases.filter((c) => inScope(c.object))) {
        judged.push({ ...c, pack: await packRules(c.object) });
    }
    return judged;
}

function disagreements(policy: ValidatingAdmissionPolicy, judged: Judged[], rules: readonly AdmissionRuleName[] = admissionRuleNames, params?: Record<string, any>): string[] {
    return judged.flatMap(({ source, object, pack }) => {
        const expected = pack.filter((rule) => rules.includes(rule as AdmissionRuleName));
        const got = admissionRules(policy, object, params);
        return JSON.stringify(expected) === JSON.stringify(got) ? [] : [`${source}: pack ${JSON.stringify(expected)}, admission ${JSON.stringify(got)}`];
    });
}

function withExpression(policy: ValidatingAdmissionPolicy, change: (spec: any) => void): ValidatingAdmissionPolicy {
    const copy = JSON.parse(JSON.stringify(policy));
    change(copy.spec);
    return copy;
}

describe("admission policies: the CEL gives the pack's verdict (differential)", function () {
    // Renders every shipped stack once; minutes on a shared machine (not a timed test).
    this.timeout(1200000);
    let fixtures: Judged[];
    let renders: Judged[];
    let workspace: Judged[];

    before(async () => {
        fixtures = await judge(fixtureCases());
        renders = await judge(await stackCases());
        workspace = await judge([{ source: "templates/kubernetes-envbox workspace", object: coderWorkspace() }]);
    });

    it("agrees rule by rule on every policy fixture (pass, fail and the template escapes)", () => {
        assert.ok(fixtures.length >= 95, `only ${fixtures.length} in-scope fixture objects`);
        assert.ok(fixtures.filter((j) => j.pack.length > 0).length >= 60, "too few refused fixtures to compare");
        assert.deepStrictEqual(disagreements(podPolicy, fixtures), []);
    });

    it("agrees on every rendered workload of every shipped stack, and admits them all", () => {
        assert.ok(renders.length >= 3, `only ${renders.length} rendered workloads`);
        assert.deepStrictEqual(disagreements(podPolicy, renders), []);
        assert.deepStrictEqual(renders.filter((j) => j.pack.length > 0).map((j) => j.source), []);
    });

    it("admits Coder's workspace pod as the shipped template renders it, as the pack does", () => {
        assert.deepStrictEqual(workspace[0].pack, []);
        assert.deepStrictEqual(disagreements(podPolicy, workspace), []);
        const verdict = admissionVerdicts(workspace[0].object, { namespaceObject: namespaceObjectFor("coder-workspaces") });
        assert.deepStrictEqual(verdict.bindings, [admissionNames.workspacesBinding]);
        assert.deepStrictEqual(verdict.violations, []);
    });

    it("agrees under another pack configuration too: the envbox repository changed in one place changes both verdicts", async () => {
        const mirror = "mirror.example.com/coder/envbox";
        const packConfig: PolicyPackConfig = Object.fromEntries(["no-privileged-containers", "envbox-hardening", "pod-security-baseline"].map((rule) => [rule, { envboxRepositories: [mirror] }]));
        const mirrored = buildAdmissionPolicies({ action: "deny", kubeSystemAction: "deny", ruleConfig: { ...policyConfigDefaults, envboxRepositories: [mirror] } });
        const rejudged: Judged[] = [];
        for (const j of [...fixtures, ...workspace]) {
            rejudged.push({ ...j, pack: await packRules(j.object, packConfig) });
        }
        // The shipped envbox image is now an ordinary privileged container for both engines.
        assert.ok(rejudged.filter((j, i) => j.pack.length > [...fixtures, ...workspace][i].pack.length).length >= 5);
        const policy = mirrored.policies.find((p) => p.metadata!.name === admissionNames.podPolicy)!;
        assert.deepStrictEqual(disagreements(policy, rejudged, admissionRuleNames, mirrored.params as Record<string, any>), []);
    });

    it("agrees on kube-system's policy (privileged containers only) for every object", () => {
        const policy = objects.policies.find((p) => p.metadata!.name === admissionNames.kubeSystemPolicy)!;
        assert.deepStrictEqual(disagreements(policy, [...fixtures, ...renders, ...workspace], policyRules[admissionNames.kubeSystemPolicy]), []);
    });

    it("notices when any one validation is weakened to true", () => {
        const all = [...fixtures, ...renders, ...workspace];
        const unnoticed = podPolicy.spec!.validations!.map((v: any, i: number) => ({ i, message: v.message }))
            .filter(({ i }) => disagreements(withExpression(podPolicy, (spec) => { spec.validations[i].expression = "true"; }), all).length === 0);
        assert.deepStrictEqual(unnoticed, []);
    });

    it("notices when any one envbox hardening check, or the installer allowlist, is weakened to true", () => {
        const all = [...fixtures, ...renders, ...workspace];
        const names = podPolicy.spec!.variables!.map((v: any) => v.name as string).filter((name) => name.startsWith("envbox_") || name === "installer");
        assert.ok(names.length >= 15, names.join(", "));
        const unnoticed = names.filter((name) => disagreements(withExpression(podPolicy, (spec) => {
            spec.variables.find((v: any) => v.name === name).expression = "true";
        }), all).length === 0);
        assert.deepStrictEqual(unnoticed, []);
    });
});

describe("admission policies: scope and actions", () => {
    const escape = readManifests([path.join(fixtureDir, "fail/escape-template-privileged-host-root.yaml")])[0];
    const lookalike = readManifests([path.join(fixtureDir, "fail/escape-template-envbox-lookalike-host-mount.yaml")])[0];

    it("refuses a malicious template's privileged pod with the host's root mounted in coder-workspaces, naming container and field", () => {
        for (const object of [escape, lookalike]) {
            const verdict = admissionVerdicts(object, { namespaceObject: namespaceObjectFor("coder-workspaces") });
            assert.strictEqual(verdict.refused, true, JSON.stringify(verdict));
            assert.deepStrictEqual(verdict.bindings, [admissionNames.workspacesBinding]);
        }
        const messages = admissionVerdicts(escape, { namespaceObject: namespaceObjectFor("coder-workspaces") }).violations.map((v) => v.message);
        assert.ok(messages.some((m) => /^no-privileged-containers: Deployment coder-workspaces\/coder-mallory-dev: container\(s\) dev set securityContext\.privileged/.test(m)), messages.join("\n"));
        assert.ok(messages.some((m) => /hostPath volume\(s\) host-root \(spec\.volumes\[\]\.hostPath\)/.test(m)), messages.join("\n"));
        assert.ok(messages.some((m) => /hostPID is not allowed/.test(m)), messages.join("\n"));
        const envbox = admissionVerdicts(lookalike, { namespaceObject: namespaceObjectFor("coder-workspaces") }).violations.map((v) => v.message);
        assert.ok(envbox.some((m) => /^envbox-hardening: .*envbox container\(s\) dev: .*CODER_MOUNTS sources/.test(m)), envbox.join("\n"));
    });

    it("warns (and audits) instead of refusing under the default action, and refuses with action deny", () => {
        const warned = admissionVerdicts(escape, { namespaceObject: namespaceObjectFor("coder-workspaces"), action: "warn" });
        assert.strictEqual(warned.refused, false);
        assert.ok(warned.violations.length > 0 && warned.violations.every((v) => v.actions.join() === "Warn,Audit"));
        const audited = admissionVerdicts(escape, { namespaceObject: namespaceObjectFor("coder-workspaces"), action: "audit" });
        assert.ok(!audited.refused && audited.violations.every((v) => v.actions.join() === "Audit"));
    });

    it("refuses a team deployer's privileged Deployment in its labelled sandbox namespace, and judges nothing in other namespaces", () => {
        const teamNamespace = namespaceObjectFor("sbx-alpha", { "sandbox-platform.io/sandboxes": "true" });
        const escapeInTeam = { ...escape, metadata: { ...escape.metadata, namespace: "sbx-alpha" } };
        const verdict = admissionVerdicts(escapeInTeam, { namespaceObject: teamNamespace });
        assert.deepStrictEqual(verdict.bindings, [admissionNames.sandboxesBinding]);
        assert.strictEqual(verdict.refused, true);
        const elsewhere = admissionVerdicts({ ...escape, metadata: { ...escape.metadata, namespace: "apps" } });
        assert.deepStrictEqual(elsewhere, { bindings: [], violations: [], refused: false });
    });

    it("judges only privileged containers in kube-system: the platform's installers pass exactly, K3s's own hostPath pods pass, others are refused", async () => {
        const kubeSystem = namespaceObjectFor("kube-system");
        const installers = (await renderedStack("prod")).run.resources.filter((r) => r.type === "kubernetes:apps/v1:DaemonSet" && r.inputs.metadata?.namespace === "kube-system");
        for (const installer of installers) {
            const verdict = admissionVerdicts({ ...installer.inputs, kind: "DaemonSet" }, { namespaceObject: kubeSystem });
            assert.deepStrictEqual(verdict.bindings, [admissionNames.kubeSystemBinding]);
            assert.deepStrictEqual(verdict.violations, [], installer.name);
        }
        // K3s's local-path-provisioner helper pod: hostPath, not privileged (the pack never sees it).
        const helper = { apiVersion: "v1", kind: "Pod", metadata: { name: "helper-pod-create-pvc-1", namespace: "kube-system" }, spec: { containers: [{ name: "helper-pod", image: "rancher/mirrored-library-busybox:1.36.1" , volumeMounts: [{ name: "data", mountPath: "/data/" }] }], volumes: [{ name: "data", hostPath: { path: "/var/lib/rancher/k3s/storage" } }] } };
        assert.deepStrictEqual(admissionVerdicts(helper, { namespaceObject: kubeSystem }).violations, []);
        // K3s's ServiceLB DaemonSet as k3s-io/k3s pkg/cloudprovider/servicelb.go newDaemonSet builds it: hostPort,
        // NET_ADMIN, an ip_forward sysctl, not privileged (beyond the baseline, so kube-system is judged for privilege only).
        const svclb = {
            apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "svclb-traefik-1a2b3c4d", namespace: "kube-system" },
            spec: {
                selector: { matchLabels: { app: "svclb-traefik-1a2b3c4d" } },
                template: {
                    metadata: { labels: { app: "svclb-traefik-1a2b3c4d" } },
                    spec: {
                        serviceAccountName: "svclb", automountServiceAccountToken: false, priorityClassName: "system-node-critical",
                        securityContext: { sysctls: [{ name: "net.ipv4.ip_forward", value: "1" }] },
                        containers: [{ name: "lb-tcp-80", image: "rancher/klipper-lb:v0.4.9", ports: [{ name: "lb-tcp-80", containerPort: 80, hostPort: 80, protocol: "TCP" }],
                            securityContext: { capabilities: { add: ["NET_ADMIN"] } } }],
                    },
                },
            },
        };
        assert.deepStrictEqual(admissionVerdicts(svclb, { namespaceObject: kubeSystem }).violations, []);
        const lookalike = readManifests([path.join(fixtureDir, "fail/c08-installer-other-tag.yaml")]).flatMap(requests).find(inScope)!;
        const refused = admissionVerdicts(lookalike, { namespaceObject: kubeSystem });
        assert.strictEqual(refused.refused, true, JSON.stringify(refused));
        assert.deepStrictEqual([...new Set(refused.violations.map((v) => v.rule))], ["no-privileged-containers"]);
    });

    it("refuses everything it matches when the params ConfigMap is missing (parameterNotFoundAction Deny)", () => {
        const verdict = admissionVerdicts({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "coder-workspaces" }, spec: { containers: [{ name: "c", image: "busybox:1.36.1" }] } },
            { namespaceObject: namespaceObjectFor("coder-workspaces"), params: null });
        assert.strictEqual(verdict.refused, true);
    });

    it("takes the envbox repository from the params ConfigMap (a registry mirror)", () => {
        const workspace = coderWorkspace();
        const mirrored = JSON.parse(JSON.stringify(workspace).replace(/ghcr\.io\/coder\/envbox/g, "mirror.example.com/coder/envbox"));
        const options = { namespaceObject: namespaceObjectFor("coder-workspaces") };
        assert.strictEqual(admissionVerdicts(mirrored, options).refused, true);
        const params = { ...objects.params, data: { envboxRepositories: "ghcr.io/coder/envbox,mirror.example.com/coder/envbox" } };
        assert.deepStrictEqual(admissionVerdicts(mirrored, { ...options, params }).violations, []);
    });
});

describe("admission policies: Kubernetes limits", () => {
    // k8s.io/apiserver pkg/apis/cel/config.go: PerCallLimit (each expression) and
    // RuntimeCELCostBudget (one policy evaluation: variables, validations and messages).
    const perCallLimit = 1000000;
    const runtimeCelCostBudget = 10000000;
    /** The largest pod the policies are sized for (Coder's shipped workspace pod: 2 containers, 8 mounts, 5 volumes, 10 env entries, 1 CODER_MOUNTS entry). */
    const supported: SizeBounds = { containers: 8, volumeMounts: 24, volumes: 24, env: 64, ports: 16, listEntries: 8, annotations: 32, sysctls: 16, capabilities: 16, projectedSources: 8, stringLength: 128 };
    const expressions = (policy: ValidatingAdmissionPolicy) => [
        ...policy.spec!.variables!.map((v: any) => ({ what: `variable ${v.name}`, expression: v.expression as string })),
        ...policy.spec!.validations!.flatMap((v: any) => [{ what: `validation ${v.message}`, expression: v.expression as string }, { what: `message of ${v.message}`, expression: v.messageExpression as string }]),
    ];

    it("keeps every expression within the per-call limit and each policy within the runtime budget, for the supported pod size", () => {
        for (const policy of objects.policies) {
            const costs = expressions(policy).map((e) => ({ ...e, cost: estimateCost(e.expression, supported) }));
            assert.deepStrictEqual(costs.filter((c) => c.cost >= perCallLimit).map((c) => `${c.what}: ${c.cost}`), []);
            const total = costs.reduce((sum, c) => sum + c.cost, 0);
            assert.ok(total < runtimeCelCostBudget, `${policy.metadata!.name}: ${total}`);
        }
    });

    it("is unbounded for the largest request the API server takes (object is dyn: no maxItems), so an oversized pod exhausts the budget and is refused (failurePolicy Fail)", () => {
        // pkg/cel/common/schemas.go estimateMaxArrayItemsFromMinSize: (3 MiB - 2) / (minSize + 1);
        // the smallest container is {"name":"a","image":"b"} (25 bytes), the smallest mount 30.
        const maxRequest = 3 * 1024 * 1024;
        const fromRequest = (minSize: number) => Math.floor((maxRequest - 2) / (minSize + 1));
        const worst: SizeBounds = { ...supported, containers: fromRequest(25), volumeMounts: fromRequest(30), volumes: fromRequest(20), env: fromRequest(12), listEntries: fromRequest(4), stringLength: maxRequest - 2 };
        const podPolicyCost = Math.max(...expressions(podPolicy).map((e) => estimateCost(e.expression, worst)));
        assert.ok(podPolicyCost > perCallLimit, String(podPolicyCost));
        assert.strictEqual(podPolicy.spec!.failurePolicy, "Fail");
        // An expression that fails at run time (as one over budget does) refuses the object under Deny.
        const failing = withExpression(podPolicy, (spec) => { spec.validations[0].expression = "object.spec.noSuchField == 1"; });
        const verdict = admissionVerdicts(coderWorkspace(), { namespaceObject: namespaceObjectFor("coder-workspaces"), objects: { ...objects, policies: [failing, ...objects.policies.slice(1)] } });
        assert.strictEqual(verdict.refused, true);
        assert.match(verdict.violations[0].message, /expression failed/);
    });

    it("renders objects that validate against the Kubernetes OpenAPI schema (admissionregistration.k8s.io/v1)", async () => {
        for (const action of ["warn", "audit", "deny"] as const) {
            const rendered = buildAdmissionPolicies({ action, kubeSystemAction: action, ruleConfig: policyConfigDefaults });
            for (const manifest of [rendered.namespace, rendered.params, ...rendered.policies, ...rendered.bindings]) {
                await validateManifest(manifest as Record<string, any>);
            }
        }
    });

    it("never combines Deny with Warn in one binding (the API refuses that)", () => {
        for (const action of ["warn", "audit", "deny"] as const) {
            for (const binding of buildAdmissionPolicies({ action, kubeSystemAction: action, ruleConfig: policyConfigDefaults }).bindings) {
                const actions = binding.spec!.validationActions as string[];
                assert.ok(!(actions.includes("Deny") && actions.includes("Warn")), JSON.stringify(actions));
            }
        }
    });
});

describe("policy:check --engine admission (through the launcher users run)", function () {
    // Builds bin/ when stale and starts Node three times: minutes on a shared machine (not a timed test).
    this.timeout(900000);
    const launch = (args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, "tools/run.js"), "policy/check", ...args], { cwd: repoRoot, encoding: "utf8" });

    it("judges manifests with the cluster's policies: exit 1 on a refused object naming rule, binding and container; 0 on Coder's workspace pod; 2 on an unknown engine", () => {
        const refused = launch(["--json", "--engine", "admission", path.join(fixtureDir, "fail/escape-template-privileged-host-root.yaml")]);
        assert.strictEqual(refused.status, 1, refused.stderr);
        const report = JSON.parse(refused.stdout);
        assert.strictEqual(report.objects, 1);
        assert.deepStrictEqual([...new Set(report.violations.map((v: any) => v.policy))].sort(), ["no-privileged-containers", "pod-security-baseline"]);
        assert.ok(report.violations.every((v: any) => v.binding === admissionNames.workspacesBinding && v.urn === "Deployment/coder-workspaces/coder-mallory-dev"), refused.stdout);
        assert.ok(report.violations.some((v: any) => /container\(s\) dev set securityContext\.privileged/.test(v.message)), refused.stdout);
        const admitted = launch(["--engine=admission", path.join(fixtureDir, "pass/coder-kubernetes-envbox-pod.yaml")]);
        assert.strictEqual(admitted.status, 0, admitted.stdout + admitted.stderr);
        assert.match(admitted.stdout, /1 objects checked: 0 mandatory/);
        const crossguard = launch(["--engine", "crossguard", path.join(fixtureDir, "fail/escape-template-privileged-host-root.yaml")]);
        assert.strictEqual(crossguard.status, 1, crossguard.stderr);
        assert.match(crossguard.stdout, /\[mandatory\] no-privileged-containers Deployment\/coder-workspaces\/coder-mallory-dev/);
        const unknown = launch(["--engine", "opa", path.join(fixtureDir, "pass")]);
        assert.strictEqual(unknown.status, 2);
        assert.match(unknown.stderr, /--engine opa: expected one of crossguard, admission/);
    });
});
