// Upstream conformance: every shipped stack and configs that enable everything (every
// runtime, GPUs, devices, pools, both Boundary editions) are checked against models of
// the upstream projects (test/upstream/*), not against the builders' own tables.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CapturedResource } from "../tools/program-runner";
import { RenderResult, renderStack, repoRoot } from "../tools/render-stack";
import { isKubernetesObject, kubernetesManifest } from "../tools/render-files";
import { renderedEnvironment, shippedEnvironments } from "./helpers/stacks";
import { podListeners } from "./helpers/listeners";
import { defaultMountTargets, parseCoderMounts, privateMountPoints } from "./upstream/envbox";
import * as sysboxUpstream from "./upstream/sysbox";
import * as kataUpstream from "./upstream/kata";
import { helmReleases } from "../tools/render-files";
import * as YAML from "yaml";
import { spawnSync } from "child_process";
import * as os from "os";
import { stringifyYaml } from "../components/yaml";

/** kubectl reads manifests as the API server's clients do (sigs.k8s.io/yaml → go-yaml, YAML 1.1), with no cluster. */
function kubectlParse(yamlText: string): Record<string, any>[] | undefined {
    if (spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status !== 0) {
        return undefined;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubectl-parse-"));
    const file = path.join(dir, "all.yaml");
    fs.writeFileSync(file, yamlText);
    const run = spawnSync("kubectl", ["annotate", "--local", "-f", file, "parsed=1", "-o", "json"], {
        encoding: "utf8", env: { ...process.env, KUBECONFIG: "/dev/null" }, maxBuffer: 256 * 1024 * 1024,
    });
    fs.rmSync(dir, { recursive: true, force: true });
    if (run.status !== 0) {
        throw new Error(`kubectl could not read the rendered YAML: ${run.stderr}`);
    }
    // One pretty-printed JSON object per document.
    const parsed = JSON.parse(`[${run.stdout.trim().replace(/\n}\n{/g, "\n},\n{")}]`);
    return parsed.flatMap((item: any) => item.kind === "List" ? item.items : [item]);
}

/** JSON's view of a value: what a manifest means once read (undefined fields dropped). */
function plain(value: unknown): unknown {
    return JSON.parse(JSON.stringify(value));
}

const fixtureDir = path.join(repoRoot, "test/fixtures/conformance");
const configs: { name: string; render: () => Promise<RenderResult> }[] = [
    // Each shipped environment as the cluster sees it: an all-in-one stack, or a platform stack with its team stacks.
    ...shippedEnvironments().map((stack) => ({ name: `stack ${stack}`, render: () => renderedEnvironment(stack) })),
    ...fs.readdirSync(fixtureDir).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((s): s is string => !!s)
        .map((stack) => ({ name: `config ${stack}`, render: () => renderStack(stack, path.join(fixtureDir, `Pulumi.${stack}.yaml`)) })),
];

function manifests(result: RenderResult): Record<string, any>[] {
    return result.run.resources.filter(isKubernetesObject).map((r: CapturedResource) => kubernetesManifest(r));
}

const podControllers = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];

function podTemplates(objects: Record<string, any>[]): { owner: Record<string, any>; labels: Record<string, string>; spec: any }[] {
    const controlled = objects.filter((o) => podControllers.includes(o.kind)).map((o) => ({ owner: o, labels: o.spec.template.metadata?.labels ?? {}, spec: o.spec.template.spec }));
    // agent-sandbox v0.5.6: a Sandbox's pod and a warm pool's pods are their podTemplate (controllers/sandbox_controller.go
    // reconcilePod); a SandboxClaim's pod is its warm pool's template pod plus the claim's additionalPodMetadata labels
    // (extensions/controllers/sandboxclaim_controller.go completeAdoption, createSandbox).
    const carriers = objects.filter((o) => o.kind === "Sandbox" || o.kind === "SandboxTemplate")
        .map((o) => ({ owner: o, labels: o.spec.podTemplate.metadata?.labels ?? {}, spec: o.spec.podTemplate.spec }));
    const claimed = objects.filter((o) => o.kind === "SandboxClaim").flatMap((claim) => {
        const pool = objects.find((o) => o.kind === "SandboxWarmPool" && o.metadata.namespace === claim.metadata.namespace && o.metadata.name === claim.spec.warmPoolRef.name);
        const template = objects.find((o) => o.kind === "SandboxTemplate" && o.metadata.namespace === claim.metadata.namespace && o.metadata.name === pool?.spec.sandboxTemplateRef.name);
        return template ? [{ owner: claim, labels: { ...template.spec.podTemplate.metadata?.labels, ...claim.spec.additionalPodMetadata?.labels }, spec: template.spec.podTemplate.spec }] : [];
    });
    return [...controlled, ...carriers, ...claimed];
}

function env(container: any, name: string): string | undefined {
    return (container.env ?? []).find((e: any) => e.name === name)?.value;
}

function isEnvbox(container: any): boolean {
    return (container.command ?? []).join(" ") === "/envbox docker";
}

/** Files the containers of a pod see from ConfigMaps, by path; envbox's inner container sees them through CODER_MOUNTS. */
function configFiles(spec: any, namespace: string, objects: Record<string, any>[]): Map<string, string> {
    const files = new Map<string, string>();
    const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap" && o.metadata.namespace === namespace).map((o) => [o.metadata.name, o.data ?? {}]));
    for (const container of spec.containers ?? []) {
        for (const mount of container.volumeMounts ?? []) {
            const volume = (spec.volumes ?? []).find((v: any) => v.name === mount.name);
            const data = volume?.configMap && configMaps.get(volume.configMap.name);
            for (const [key, value] of Object.entries(data ?? {})) {
                files.set(`${mount.mountPath}/${key}`, String(value));
            }
        }
        if (isEnvbox(container)) {
            for (const m of parseCoderMounts(env(container, "CODER_MOUNTS") ?? "")) {
                for (const [file, content] of [...files]) {
                    if (file.startsWith(`${m.source}/`)) {
                        files.set(`${m.target}${file.slice(m.source.length)}`, content);
                    }
                }
            }
        }
    }
    return files;
}

describe("upstream conformance of every shipped stack and of configs that enable everything", () => {
    for (const config of configs) {
        describe(config.name, () => {
            let objects: Record<string, any>[];
            let result: RenderResult;
            before(async () => { result = await config.render(); objects = manifests(result); });

            it("never re-mounts envbox's default or private mount points through CODER_MOUNTS (coder/envbox 0.6.7 cli/docker.go defaultMounts, envboxPrivateMounts, parseMounts)", () => {
                const envboxPods = podTemplates(objects).filter((t) => t.spec.containers.some(isEnvbox));
                assert.ok(envboxPods.length > 0 || !result.config.teams.some((t) => t.runtime === "envbox"));
                for (const { owner, spec } of envboxPods) {
                    const outer = spec.containers.find(isEnvbox);
                    const targets = [...defaultMountTargets, ...parseCoderMounts(env(outer, "CODER_MOUNTS") ?? "").map((m) => m.target)];
                    assert.strictEqual(new Set(targets).size, targets.length, `${owner.metadata.name}: duplicate mount point among ${targets.join(", ")}`);
                    for (const target of targets.slice(defaultMountTargets.length)) {
                        assert.ok(!privateMountPoints.some((p) => target === p || target.startsWith(`${p}/`)), `${owner.metadata.name}: CODER_MOUNTS targets envbox-private ${target}`);
                    }
                }
            });

            it("has something listening in the pod's network namespace on every port each Service targets", () => {
                const services = objects.filter((o) => o.kind === "Service" && o.spec?.selector);
                const templates = podTemplates(objects);
                let checked = 0;
                for (const service of services) {
                    const pods = templates.filter((t) => t.owner.metadata.namespace === service.metadata.namespace
                        && Object.entries(service.spec.selector).every(([k, v]) => t.labels[k] === v));
                    // Services of charts (Coder, Postgres) are rendered by Helm, not here: only ours have pods in this render.
                    for (const pod of pods) {
                        const listeners = podListeners(pod.spec, configFiles(pod.spec, service.metadata.namespace, objects));
                        for (const port of service.spec.ports) {
                            const target = typeof port.targetPort === "string"
                                ? pod.spec.containers.flatMap((c: any) => c.ports ?? []).find((p: any) => p.name === port.targetPort)?.containerPort
                                : port.targetPort ?? port.port;
                            assert.ok(listeners.some((l) => l.port === target),
                                `Service ${service.metadata.namespace}/${service.metadata.name} port ${port.name} → ${target}: nothing listens (listeners: ${JSON.stringify(listeners)})`);
                            checked++;
                        }
                    }
                }
                assert.ok(checked > 0 || result.config.teams.length === 0);
            });

            it("restarts an envbox sandbox whose inner container died: a liveness probe on the envbox container answered by a forwarder in the pod (coder/envbox issue 161)", () => {
                for (const { owner, spec } of podTemplates(objects).filter((t) => t.spec.containers.some(isEnvbox))) {
                    const outer = spec.containers.find(isEnvbox);
                    const probe = outer.livenessProbe;
                    assert.ok(probe?.httpGet, `${owner.metadata.name}: no HTTP liveness probe on the envbox container`);
                    assert.strictEqual(probe.exec, undefined, "no command may run inside the privileged container");
                    const listeners = podListeners(spec, new Map());
                    assert.ok(listeners.some((l) => l.port === probe.httpGet.port && l.container !== outer.name), `${owner.metadata.name}: nothing answers the probe`);
                    assert.ok(outer.startupProbe, "the first start pulls the inner image: a startup probe must hold the liveness probe back");
                }
            });

            it("installs sysbox exactly as upstream's sysbox-install.yaml does (nestybox/sysbox v0.7.0 sysbox-k8s-manifests/sysbox-install.yaml, nestybox/sysbox-pkgr k8s/scripts/sysbox-deploy-k8s.sh)", function () {
                if (!result.config.runtimes.sysbox.enabled) {
                    return this.skip();
                }
                const oracle = sysboxUpstream.installer;
                const ds = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === oracle.name);
                assert.ok(ds, "no sysbox-deploy-k8s DaemonSet");
                assert.strictEqual(ds.metadata.namespace, oracle.namespace);
                const pod = ds.spec.template.spec;
                const [container] = pod.containers;
                assert.strictEqual(pod.containers.length, 1);
                assert.strictEqual(container.image, oracle.image);
                assert.strictEqual(container.imagePullPolicy, oracle.imagePullPolicy);
                assert.deepStrictEqual(container.command, oracle.command);
                assert.strictEqual(container.securityContext?.privileged, true);
                assert.strictEqual(pod.serviceAccountName, oracle.serviceAccountName);
                assert.deepStrictEqual(pod.nodeSelector, oracle.nodeSelector);
                assert.deepStrictEqual(pod.tolerations, oracle.tolerations);
                assert.deepStrictEqual(ds.spec.updateStrategy, oracle.updateStrategy);
                assert.deepStrictEqual(Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom])), oracle.env);
                const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => {
                    const volume = pod.volumes.find((v: any) => v.name === m.name);
                    return [m.name, { mountPath: m.mountPath, hostPath: volume?.hostPath?.path }];
                }));
                assert.deepStrictEqual(mounts, sysboxUpstream.installerMounts);
                assert.strictEqual(pod.volumes.length, Object.keys(sysboxUpstream.installerMounts).length);
                const role = objects.find((o) => o.kind === "ClusterRole" && o.metadata.name === "sysbox-node-labeler");
                assert.deepStrictEqual(role?.rules, sysboxUpstream.clusterRoleRules);
                const binding = objects.find((o) => o.kind === "ClusterRoleBinding" && o.metadata.name === "sysbox-label-node-rb");
                assert.deepStrictEqual(binding?.subjects, [{ kind: "ServiceAccount", name: oracle.serviceAccountName, namespace: oracle.namespace }]);
                const runtimeClass = objects.find((o) => o.kind === "RuntimeClass" && o.metadata.name === sysboxUpstream.runtimeClass.name);
                assert.strictEqual(runtimeClass?.handler, sysboxUpstream.runtimeClass.handler);
                assert.deepStrictEqual(runtimeClass?.scheduling?.nodeSelector, sysboxUpstream.runtimeClass.nodeSelector);
            });

            it("installs only the kata shims its RuntimeClasses use, for the cluster's distribution, within the chart's own rollout budget (kata-containers 4.1.0 kata-deploy values.yaml, runtimeclasses.yaml)", function () {
                if (!result.config.runtimes.kata.enabled) {
                    return this.skip();
                }
                const release = helmReleases(result.run.resources).find((r) => r.release === "kata-deploy");
                assert.ok(release, "no kata-deploy release");
                const values: any = release.values.valuesContent ? YAML.parse(String(release.values.valuesContent)) : release.values;
                const runtimeClasses = objects.filter((o) => o.kind === "RuntimeClass" && String(o.metadata.name).startsWith("kata-"));
                const used = runtimeClasses.map((rc) => String(rc.handler).replace(/^kata-/, "")).sort();
                const installed = kataUpstream.chartShims.filter((shim) => kataUpstream.shimInstalled(values, shim)).sort();
                assert.deepStrictEqual(installed, used);
                for (const shim of Object.keys(values.shims).filter((k) => k !== "disableAll")) {
                    assert.ok(kataUpstream.chartShims.includes(shim), `shim ${shim} does not exist in kata-deploy ${kataUpstream.kataSource.tag}`);
                }
                for (const rc of runtimeClasses) {
                    assert.deepStrictEqual(rc.overhead?.podFixed, kataUpstream.runtimeClassOverheads[String(rc.handler).replace(/^kata-/, "")], rc.metadata.name);
                }
                assert.strictEqual(values.k8sDistribution, result.config.cluster.distribution === "k3s" ? "k3s" : "k8s");
                assert.ok(kataUpstream.k8sDistributions.includes(values.k8sDistribution));
                const plan = result.run.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "kata-deploy");
                const chart = objects.find((o) => o.kind === "HelmChart" && o.metadata.name === "kata-deploy");
                const timeout = plan ? Number(plan.inputs.timeout) : parseInt(String(chart?.spec?.timeout), 10);
                assert.ok(timeout > kataUpstream.daemonsetTimeoutSeconds, `Helm timeout ${timeout}s must exceed the chart's ${kataUpstream.daemonsetTimeoutSeconds}s rollout budget`);
                if (plan) {
                    assert.strictEqual(plan.inputs.atomic, false, "atomic would delete the release when a slow node install outlasts the timeout");
                }
            });

            it("writes YAML that a YAML 1.1 reader (kubectl, K3s, Helm) and a YAML 1.2 reader read as the same objects (kubectl annotate --local; yaml 1.1 and 1.2 schemas)", function () {
                this.timeout(120000);
                const texts = objects.map((o) => stringifyYaml(o));
                for (const [i, text] of texts.entries()) {
                    const expected = plain(objects[i]);
                    assert.deepStrictEqual(YAML.parse(text, { version: "1.1" }), expected, `YAML 1.1 reads ${objects[i].kind}/${objects[i].metadata?.name} differently:\n${text}`);
                    assert.deepStrictEqual(YAML.parse(text, { version: "1.2" }), expected);
                }
                // Helm values embedded as text (K3s HelmChart valuesContent, ConfigMap files read by Go programs).
                for (const chart of objects.filter((o) => o.kind === "HelmChart" && o.spec?.valuesContent)) {
                    assert.deepStrictEqual(YAML.parse(chart.spec.valuesContent, { version: "1.1" }), YAML.parse(chart.spec.valuesContent, { version: "1.2" }), chart.metadata.name);
                }
                const byKubectl = kubectlParse(texts.join("---\n"));
                if (!byKubectl) {
                    return;
                }
                assert.strictEqual(byKubectl.length, objects.length);
                for (const [i, item] of byKubectl.entries()) {
                    const annotations = { ...item.metadata.annotations };
                    delete annotations.parsed;
                    item.metadata.annotations = Object.keys(annotations).length > 0 ? annotations : undefined;
                    const expected: any = plain(objects[i]);
                    if (expected.metadata.annotations && Object.keys(expected.metadata.annotations).length === 0) {
                        delete expected.metadata.annotations;
                    }
                    assert.deepStrictEqual(plain(item), expected, `kubectl reads ${objects[i].kind}/${objects[i].metadata?.name} differently`);
                }
            });

            it("runs GPU envbox pods with K3s's nvidia RuntimeClass (K3s: runc stays the default handler)", () => {
                const gpuPods = podTemplates(objects).filter((t) => t.spec.containers.some((c: any) => c.resources?.limits?.["nvidia.com/gpu"]));
                for (const { owner, spec } of gpuPods) {
                    if (result.config.cluster.distribution === "k3s") {
                        assert.strictEqual(spec.runtimeClassName, "nvidia", owner.metadata.name);
                    }
                    const outer = spec.containers.find(isEnvbox);
                    assert.strictEqual(env(outer, "CODER_ADD_GPU"), "true");
                    assert.ok(env(outer, "CODER_USR_LIB_DIR"));
                }
            });
        });
    }
});
