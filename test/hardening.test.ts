// Every non-sandbox pod the platform runs, in every shipped stack: resource requests and a
// memory limit, and the Pod Security `restricted` settings (plus a read-only root), unless an
// exception below says why not. Pods the program renders are read from the render; pods of
// Helm charts are derived from the charts' own templates at the pinned versions
// (test/upstream/chart-knobs.ts: which values key reaches which container, and the chart's
// default), merged with the values the platform passes, as Helm merges them. The exception
// list is docs/isolation.md's "Hardening exceptions" table, row for row.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { repoRoot } from "../tools/render-stack";
import { helmReleases, isKubernetesObject } from "../tools/render-files";
import { renderedEnvironment, shippedEnvironments } from "./helpers/stacks";
import { chartKnobs, cnpgInstancePod, valueAt } from "./upstream/chart-knobs";
import { buildPreflightDaemonSet } from "../components/runtimes/preflight-daemonset";
import { cnpgChart, coderChart, kataDeployChart, nvidiaDevicePluginChart } from "../components/versions";

// Each shipped environment as the cluster sees it: an all-in-one stack, or a platform stack with its team stacks.
const stacks = shippedEnvironments();

/** The checks, named as the README table names them. */
const checks = ["requests", "memoryLimit", "runAsNonRoot", "allowPrivilegeEscalation", "capabilities", "seccomp", "readOnlyRootFilesystem", "privileged", "hostPath", "hostNetwork"] as const;
type Check = typeof checks[number];

interface PodUnderTest {
    /** `<namespace>/<Kind>/<name>` as rendered (for charts: as the chart names it). */
    workload: string;
    pod: Record<string, any>;
    containers: Record<string, any>[];
    /** Whether volumes were seen (charts: not modelled, so hostPath is not judged). */
    volumesKnown: boolean;
}

function deepMerge(base: any, over: any): any {
    if (over === undefined || over === null) {
        return base;
    }
    if (typeof base !== "object" || base === null || Array.isArray(base) || typeof over !== "object" || Array.isArray(over)) {
        return over;
    }
    const out: Record<string, any> = { ...base };
    for (const [key, value] of Object.entries(over)) {
        out[key] = deepMerge(base[key], value);
    }
    return out;
}

/** The checks a container fails (pod Security Standards `restricted`, pod-security-admission policy/check_*.go). */
function failedChecks(subject: PodUnderTest, container: Record<string, any>): Check[] {
    const pod = subject.pod;
    const sc = container.securityContext ?? {};
    const psc = pod.securityContext ?? {};
    const failed: Check[] = [];
    const resources = container.resources ?? {};
    if (!resources.requests?.cpu || !resources.requests?.memory) {
        failed.push("requests");
    }
    if (!resources.limits?.memory) {
        failed.push("memoryLimit");
    }
    // check_runAsNonRoot.go: the container's value wins; else the pod's must be true.
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) {
        failed.push("runAsNonRoot");
    }
    if (sc.allowPrivilegeEscalation !== false) {
        failed.push("allowPrivilegeEscalation");
    }
    // check_capabilities_restricted.go: drop ALL, add at most NET_BIND_SERVICE.
    const drop: string[] = sc.capabilities?.drop ?? [];
    const add: string[] = sc.capabilities?.add ?? [];
    if (!drop.includes("ALL") || add.some((cap) => cap !== "NET_BIND_SERVICE")) {
        failed.push("capabilities");
    }
    // check_seccompProfile_restricted.go: RuntimeDefault or Localhost, container or pod.
    const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
        failed.push("seccomp");
    }
    if (sc.readOnlyRootFilesystem !== true) {
        failed.push("readOnlyRootFilesystem");
    }
    if (sc.privileged === true) {
        failed.push("privileged");
    }
    if (subject.volumesKnown && (pod.volumes ?? []).some((v: any) => v.hostPath)) {
        failed.push("hostPath");
    }
    if (pod.hostNetwork === true || pod.hostPID === true || pod.hostIPC === true) {
        failed.push("hostNetwork");
    }
    return failed;
}

/** docs/isolation.md "Hardening exceptions": `workload` | `container` | waived checks | why. */
function readmeExceptions(): Map<string, Set<string>> {
    const readme = fs.readFileSync(path.join(repoRoot, "docs", "isolation.md"), "utf8");
    const start = readme.indexOf("### Hardening exceptions");
    assert.ok(start >= 0, "docs/isolation.md has no \"### Hardening exceptions\" section");
    const section = readme.slice(start).split(/\n#{2,3} /)[0];
    const rows = new Map<string, Set<string>>();
    for (const line of section.split("\n")) {
        const cells = line.split("|").map((c) => c.trim());
        const workload = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
        const container = /^`([^`]+)`$/.exec(cells[2] ?? "")?.[1];
        if (!workload || !container) {
            continue;
        }
        const waived = [...(cells[3] ?? "").matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]);
        rows.set(`${workload} ${container}`, new Set(waived));
    }
    return rows;
}

/** Rendered pod templates outside the sandboxes. */
function renderedPods(resources: any[]): PodUnderTest[] {
    return resources.filter(isKubernetesObject).map((r) => r.inputs as Record<string, any>)
        .filter((o) => ["Deployment", "DaemonSet", "StatefulSet", "Job", "ReplicaSet", "Pod", "CronJob"].includes(o.kind))
        .map((o) => {
            const template = o.kind === "Pod" ? o : o.kind === "CronJob" ? o.spec.jobTemplate.spec.template : o.spec.template;
            return { o, template };
        })
        .filter(({ template }) => template.metadata?.labels?.["sandbox-platform.io/sandbox"] === undefined)
        .map(({ o, template }) => ({
            workload: `${o.metadata.namespace}/${o.kind}/${o.metadata.name}`,
            pod: template.spec,
            containers: [...(template.spec.initContainers ?? []), ...template.spec.containers],
            volumesKnown: true,
        }));
}

/** Pods operators create from the platform's custom resources (CloudNativePG instances). */
function operatorPods(resources: any[]): PodUnderTest[] {
    return resources.filter(isKubernetesObject).map((r) => r.inputs as Record<string, any>)
        .filter((o) => o.kind === "Cluster" && String(o.apiVersion).startsWith("postgresql.cnpg.io/"))
        .map((o) => ({ workload: `${o.metadata.namespace}/Cluster/${o.metadata.name}`, ...cnpgInstancePod(o), volumesKnown: false }));
}

/** Pods of the Helm releases, as their charts render them with the platform's values. */
function chartPods(resources: any[]): PodUnderTest[] {
    const pods: PodUnderTest[] = [];
    for (const release of helmReleases(resources)) {
        const knobs = chartKnobs.find((k) => release.chart.endsWith(k.chart) || release.chart === k.chart);
        assert.ok(knobs, `no chart oracle for ${release.chart}: derive its pods' keys from its source first`);
        assert.strictEqual(release.version, knobs.version, `${knobs.chart}: the oracle was read at ${knobs.version}; re-read the chart at ${release.version}`);
        const values: any = release.values.valuesContent ? YAML.parse(String(release.values.valuesContent)) : release.values;
        const byWorkload = new Map<string, PodUnderTest>();
        for (const c of knobs.containers) {
            if (c.container.includes("-init") || c.container.includes("-sidecar")) {
                // Rendered only with a config map (nvidia: config.map); otherwise the pod has no config manager.
                if (!values?.config?.map) {
                    continue;
                }
            }
            if (c.workload.includes("gpu-feature-discovery") && values?.gfd?.enabled !== true) {
                continue;
            }
            if (c.workload.includes("node-feature-discovery") && values?.nfd?.enabled !== true) {
                continue;
            }
            const workload = `${release.namespace}/${c.workload}`;
            const podSecurityContext = deepMerge(c.defaultPodSecurityContext ?? {}, c.podSecurityContextKey ? valueAt(values, c.podSecurityContextKey) : undefined);
            const hostNetwork = c.hostNetworkKey && valueAt(values, c.hostNetworkKey) !== undefined ? valueAt(values, c.hostNetworkKey) === true : c.hostNetwork;
            const subject = byWorkload.get(workload) ?? { workload, pod: { securityContext: podSecurityContext, hostNetwork }, containers: [], volumesKnown: false };
            byWorkload.set(workload, subject);
            subject.containers.push({
                name: c.container,
                resources: c.resourcesKey ? deepMerge(c.defaultResources ?? {}, valueAt(values, c.resourcesKey)) : {},
                securityContext: c.securityContextKey ? deepMerge(c.defaultSecurityContext, valueAt(values, c.securityContextKey)) : c.defaultSecurityContext,
            });
        }
        pods.push(...byWorkload.values());
    }
    return pods;
}

describe("hardening: requests, memory limits and Pod Security `restricted` for every non-sandbox pod (docs/isolation.md \"Hardening exceptions\")", () => {
    let exceptions = new Map<string, Set<string>>();
    before(() => { exceptions = readmeExceptions(); });
    const used = new Map<string, Set<string>>();
    const judge = (subjects: PodUnderTest[]): string[] => {
        const wrong: string[] = [];
        for (const subject of subjects) {
            for (const container of subject.containers) {
                const key = `${subject.workload} ${container.name}`;
                const waived = exceptions.get(key) ?? new Set<string>();
                for (const check of failedChecks(subject, container)) {
                    if (waived.has(check)) {
                        (used.get(key) ?? used.set(key, new Set()).get(key)!).add(check);
                    } else {
                        wrong.push(`${key}: ${check}`);
                    }
                }
            }
        }
        return wrong;
    };

    it("the README table names only known checks", () => {
        assert.ok(exceptions.size > 0);
        for (const [key, waived] of exceptions) {
            for (const check of waived) {
                assert.ok((checks as readonly string[]).includes(check), `${key}: unknown check ${check}`);
            }
        }
    });

    it("the chart oracle is read at the versions the platform pins", () => {
        const pinned: Record<string, string> = { "kata-deploy": kataDeployChart.version, "nvidia-device-plugin": nvidiaDevicePluginChart.version, "cloudnative-pg": cnpgChart.version, "coder": coderChart.version };
        for (const knobs of chartKnobs) {
            assert.strictEqual(knobs.version, pinned[knobs.chart], knobs.chart);
        }
    });

    for (const stack of stacks) {
        it(`${stack}: every rendered workload and every chart pod passes or is a listed exception`, async () => {
            const result = await renderedEnvironment(stack);
            const rendered = renderedPods(result.run.resources);
            const charts = chartPods(result.run.resources);
            const operated = operatorPods(result.run.resources);
            assert.ok(rendered.length + charts.length > 0);
            assert.strictEqual(operated.length > 0, result.config.coder.enabled && result.config.coder.postgres.mode === "cloudnative-pg");
            assert.deepStrictEqual(judge([...rendered, ...charts, ...operated]), []);
        });

        it(`${stack}: sets resources through every chart key that exists, and no key the chart lacks`, async () => {
            const result = await renderedEnvironment(stack);
            for (const release of helmReleases(result.run.resources)) {
                const knobs = chartKnobs.find((k) => release.chart.endsWith(k.chart));
                if (!knobs) {
                    continue;
                }
                const values: any = release.values.valuesContent ? YAML.parse(String(release.values.valuesContent)) : release.values;
                for (const key of new Set(knobs.containers.map((c) => c.resourcesKey).filter((k): k is string => !!k))) {
                    const own = valueAt(values, key);
                    const fallback = knobs.containers.find((c) => c.resourcesKey === key)!.defaultResources ?? {};
                    assert.ok(own?.limits?.memory || fallback.limits?.memory, `${knobs.chart} ${key}: no memory limit from us or the chart`);
                }
                // Top-level keys the platform passes must exist in the chart (no silently ignored hardening).
                if (knobs.chart === "kata-deploy") {
                    assert.ok(values.resources && values.podLabels, "kata-deploy: resources and podLabels are chart keys at 4.1.0");
                    assert.ok(!("securityContext" in values), "kata-deploy 4.1.0 has no securityContext key: setting one would be ignored");
                }
            }
        });
    }

    it("the preflight DaemonSet (npm run preflight -- --daemonset) passes or is a listed exception", () => {
        const { daemonSet } = buildPreflightDaemonSet("");
        assert.deepStrictEqual(judge(renderedPods([{ custom: true, type: "kubernetes:apps/v1:DaemonSet", inputs: daemonSet }])), []);
    });

    it("every README exception is needed by some pod (no stale waiver)", async () => {
        for (const stack of stacks) {
            const result = await renderedEnvironment(stack);
            judge([...renderedPods(result.run.resources), ...chartPods(result.run.resources), ...operatorPods(result.run.resources)]);
        }
        judge(renderedPods([{ custom: true, type: "kubernetes:apps/v1:DaemonSet", inputs: buildPreflightDaemonSet("").daemonSet }]));
        const stale: string[] = [];
        for (const [key, waived] of exceptions) {
            for (const check of waived) {
                if (!used.get(key)?.has(check)) {
                    stale.push(`${key}: ${check}`);
                }
            }
        }
        assert.deepStrictEqual(stale, []);
    });
});
