// Upstream conformance: every shipped stack and configs that enable everything (every
// runtime, GPUs, devices, pools, both Boundary editions) are checked against models of
// the upstream projects (test/upstream/*), not against the builders' own tables.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CapturedResource } from "../tools/program-runner";
import { RenderResult, renderStack, repoRoot } from "../tools/render-stack";
import { isKubernetesObject, kubernetesManifest } from "../tools/render-files";
import { renderedStack } from "./helpers/stacks";
import { podListeners } from "./helpers/listeners";
import { defaultMountTargets, parseCoderMounts, privateMountPoints } from "./upstream/envbox";

const fixtureDir = path.join(repoRoot, "test/fixtures/conformance");
const configs: { name: string; render: () => Promise<RenderResult> }[] = [
    ...fs.readdirSync(path.join(repoRoot, "stacks")).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((s): s is string => !!s)
        .map((stack) => ({ name: `stack ${stack}`, render: () => renderedStack(stack) })),
    ...fs.readdirSync(fixtureDir).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((s): s is string => !!s)
        .map((stack) => ({ name: `config ${stack}`, render: () => renderStack(stack, path.join(fixtureDir, `Pulumi.${stack}.yaml`)) })),
];

function manifests(result: RenderResult): Record<string, any>[] {
    return result.run.resources.filter(isKubernetesObject).map((r: CapturedResource) => kubernetesManifest(r));
}

const podControllers = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];

function podTemplates(objects: Record<string, any>[]): { owner: Record<string, any>; labels: Record<string, string>; spec: any }[] {
    return objects.filter((o) => podControllers.includes(o.kind)).map((o) => ({ owner: o, labels: o.spec.template.metadata?.labels ?? {}, spec: o.spec.template.spec }));
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
