import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { renderCoderTemplate, buildCoderTemplate, buildCoderTemplateObjects } from "../components/platform/coder-template";
import { blockToObject } from "../components/platform/terraform-kubernetes";
import { schemaFieldNames } from "./upstream/terraform-kubernetes";
import { buildEnvboxPodSpec } from "../components/sandboxes/envbox";
import { parsePlatformConfig } from "../components/config/load";
import { planTeamSandboxes } from "../components/sandboxes/plan";
import { coderChart, cnpgChart } from "../components/versions";
import { evaluatePolicies } from "../policy/evaluate";
import { manifestSubject } from "../policy/manifests";
import { helmReleases, isKubernetesObject, kubernetesManifest } from "../tools/render-files";
import { CapturedResource } from "../tools/program-runner";
import { baseConfig, runPlatform } from "./helpers/platform";
import { validateManifest } from "./helpers/schema";

const coder = (postgres: Record<string, unknown>, cluster: Record<string, unknown> = {}) => baseConfig({
    cluster, coder: { enabled: true, accessUrl: "https://coder.example.com", wildcardAccessUrl: "*.coder.example.com", postgres },
});
const release = (resources: CapturedResource[], name: string) => resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === name)!;
const env = (values: any) => Object.fromEntries(values.coder.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe("Coder and Postgres", () => {
    it("cloudnative-pg: pinned operator, a Cluster with the configured storage, Coder reading <cluster>-app/uri after it exists", async () => {
        const run = await runPlatform(coder({ mode: "cloudnative-pg", storage: "25Gi" }));
        const operator = release(run.resources, "cnpg");
        assert.deepStrictEqual([operator.inputs.chart, operator.inputs.repositoryOpts.repo, operator.inputs.version], [cnpgChart.chart, cnpgChart.repo, cnpgChart.version]);
        const cluster = run.resources.find((r) => r.inputs.kind === "Cluster")!;
        assert.deepStrictEqual(cluster.inputs.spec.storage, { size: "25Gi", storageClass: "local-path" });
        assert.match(cluster.inputs.spec.imageName, /^ghcr\.io\/cloudnative-pg\/postgresql:\d+\.\d+$/);
        const coderRelease = release(run.resources, "coder");
        assert.deepStrictEqual(env(coderRelease.inputs.values).CODER_PG_CONNECTION_URL, { secretKeyRef: { name: "coder-db-app", key: "uri" } });
        assert.ok(coderRelease.options.dependsOn.includes(cluster.urn), "Coder waits for its database");
        assert.ok(cluster.options.dependsOn.includes(operator.urn));
    });

    it("bitnami: bitnamilegacy images, a generated password kept secret, Coder reading the URL secret after the release", async () => {
        const sentinel = "s3ntinel-password-never-printed";
        const run = await runPlatform(coder({ mode: "bitnami" }), "test", (type) =>
            type === "random:index/randomPassword:RandomPassword" ? { result: sentinel } : undefined);
        const db = release(run.resources, "coder-db");
        assert.strictEqual(db.inputs.values.image.repository, "bitnamilegacy/postgresql");
        assert.match(db.inputs.version, /^\d+\.\d+\.\d+$/);
        assert.strictEqual(db.inputs.values.auth.existingSecret, "coder-db-auth");
        const urlSecret = run.resources.find((r) => r.inputs.kind === "Secret" && r.inputs.metadata.name === "coder-db-url")!;
        const coderRelease = release(run.resources, "coder");
        assert.deepStrictEqual(env(coderRelease.inputs.values).CODER_PG_CONNECTION_URL, { secretKeyRef: { name: "coder-db-url", key: "url" } });
        assert.ok(coderRelease.options.dependsOn.includes(db.urn) && coderRelease.options.dependsOn.includes(urlSecret.urn));
        const everything = JSON.stringify(run) + JSON.stringify(run.resources.filter(isKubernetesObject).map(kubernetesManifest));
        assert.ok(!everything.includes(sentinel), "the generated password appears in the render output");
        assert.strictEqual(urlSecret.inputs.stringData, "[secret]", "secret payloads are redacted whole");
    });

    it("external: Coder reads the configured secret and no database is deployed", async () => {
        const run = await runPlatform(coder({ mode: "external", connectionUrlSecret: { name: "pg", key: "dsn" } }));
        assert.deepStrictEqual(env(release(run.resources, "coder").inputs.values).CODER_PG_CONNECTION_URL, { secretKeyRef: { name: "pg", key: "dsn" } });
        assert.ok(!run.resources.some((r) => r.inputs.kind === "Cluster" || r.inputs.name === "coder-db"));
    });

    it("Coder: pinned chart, access URLs, a ClusterIP service and an ingress on the cluster's class for the access host", async () => {
        const run = await runPlatform(coder({}));
        const coderRelease = release(run.resources, "coder");
        assert.deepStrictEqual([coderRelease.inputs.chart, coderRelease.inputs.repositoryOpts.repo, coderRelease.inputs.version], ["coder", coderChart.repo, "2.33.6"]);
        const values = coderRelease.inputs.values.coder;
        assert.strictEqual(values.service.type, "ClusterIP");
        assert.deepStrictEqual(values.ingress, { enable: true, className: "traefik", host: "coder.example.com", wildcardHost: "*.coder.example.com" });
        assert.strictEqual(env(coderRelease.inputs.values).CODER_ACCESS_URL, "https://coder.example.com");
        assert.ok(values.resources.requests.cpu);
        const binding = run.resources.find((r) => r.inputs.kind === "RoleBinding")!;
        assert.deepStrictEqual(binding.inputs.subjects, [{ kind: "ServiceAccount", name: "coder", namespace: "coder" }]);
        assert.strictEqual(binding.inputs.metadata.namespace, "coder-workspaces");
    });

    it("grants Coder's service account no more than the coder chart's own workspace Role, and only in the workspaces namespace (helm/libcoder rbac.rules.basic + deployments)", async () => {
        const run = await runPlatform(coder({}));
        const values = release(run.resources, "coder").inputs.values.coder;
        assert.strictEqual(values.serviceAccount.workspacePerms, false, "the chart's Role would let coderd create pods next to its database");
        const roles = run.resources.filter((r) => r.inputs.kind === "Role" || r.inputs.kind === "ClusterRole");
        assert.deepStrictEqual(roles.map((r) => [r.inputs.kind, r.inputs.metadata.namespace]), [["Role", "coder-workspaces"]]);
        const upstreamVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
        const upstream = new Set(["/pods", "/persistentvolumeclaims", "apps/deployments"]);
        for (const rule of roles[0].inputs.rules) {
            for (const group of rule.apiGroups) {
                for (const resource of rule.resources) {
                    assert.ok(upstream.has(`${group}/${resource}`), `${group}/${resource} is not in the chart's Role`);
                }
            }
            assert.ok(rule.verbs.every((verb: string) => upstreamVerbs.includes(verb)));
        }
        assert.deepStrictEqual(values.securityContext.capabilities, { drop: ["ALL"] });
        assert.strictEqual(values.securityContext.readOnlyRootFilesystem, true);
    });

    it("helm-controller mode renders every release as a K3s HelmChart instead, pinned", async () => {
        const run = await runPlatform(coder({}, { helm: "helm-controller" }));
        assert.strictEqual(run.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").length, 0);
        const charts = run.resources.filter((r) => r.inputs.kind === "HelmChart");
        assert.deepStrictEqual(charts.map((c) => [c.inputs.metadata.name, c.inputs.metadata.namespace, c.inputs.spec.version]).sort(), [
            ["cnpg", "kube-system", cnpgChart.version], ["coder", "kube-system", "2.33.6"]]);
        assert.deepStrictEqual(helmReleases(run.resources).map((r) => r.via), ["k3s-helm-controller", "k3s-helm-controller"]);
        assert.match(charts.find((c) => c.inputs.metadata.name === "coder")!.inputs.spec.valuesContent, /CODER_PG_CONNECTION_URL/);
    });
});

describe("Coder workspace template (templates/kubernetes-envbox)", () => {
    const sample: Record<string, string> = {
        "${local.name}": "coder-alice-dev", "${local.owner}": "alice", "${var.namespace}": "coder-workspaces",
        "${var.image}": "codercom/enterprise-base:ubuntu-20240812", "${var.cpu}": "2", "${var.memory}": "4Gi",
        "${var.home_size}": "20Gi", "${var.docker_cache_size}": "30Gi",
    };
    const substitute = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(/\$\{[^}]+\}/g, (m) => sample[m] ?? "x"));

    it("is exactly what the builders generate (npm run template)", () => {
        const committed = fs.readFileSync(path.join(__dirname, "../templates/kubernetes-envbox/main.tf.json"), "utf8");
        assert.strictEqual(committed, renderCoderTemplate());
    });

    it("uses the provider's typed resources, whose blocks convert back to exactly the builders' objects (coder/coder examples/templates/kubernetes-envbox)", () => {
        const resources = (buildCoderTemplate() as any).resource;
        assert.strictEqual(resources.kubernetes_manifest, undefined, "kubernetes_manifest needs API access at plan time");
        const objects = buildCoderTemplateObjects();
        const { apiVersion: _a, kind: _k, ...deployment } = objects.deployment as Record<string, any>;
        const { wait_for_rollout: _w, depends_on: _d, ...workspace } = resources.kubernetes_deployment.workspace;
        assert.deepStrictEqual(blockToObject(workspace, deployment), JSON.parse(JSON.stringify(deployment)));
        for (const [name, claim] of [["home", objects.home], ["docker_cache", objects.dockerCache]] as const) {
            const { apiVersion: _ca, kind: _ck, ...rest } = claim as Record<string, any>;
            const { wait_until_bound: _b, ...block } = resources.kubernetes_persistent_volume_claim[name];
            assert.deepStrictEqual(blockToObject(block, rest), JSON.parse(JSON.stringify(rest)));
        }
    });

    it("interpolates only Terraform references: no shell ${...} survives into a template string", () => {
        const interpolations = renderCoderTemplate().match(/\$\{[^}]*\}/g) ?? [];
        const stray = interpolations.filter((i) => !/^\$\{(local|var|data|coder_agent)\.|^\$\{lower\(/.test(i));
        assert.deepStrictEqual(stray, []);
    });

    it("names only fields the kubernetes provider's schema declares (hashicorp/terraform-provider-kubernetes v2.36.0 kubernetes/*.go)", () => {
        const resources = (buildCoderTemplate() as any).resource;
        const mapFields = new Set(["labels", "annotations", "requests", "limits", "match_labels", "node_selector", "data"]);
        const unknown: string[] = [];
        const walk = (value: unknown, where: string) => {
            if (Array.isArray(value)) {
                value.forEach((item, i) => walk(item, `${where}[${i}]`));
            } else if (value !== null && typeof value === "object") {
                for (const [key, inner] of Object.entries(value)) {
                    if (!schemaFieldNames.has(key) && key !== "depends_on") {
                        unknown.push(`${where}.${key}`);
                    }
                    if (!mapFields.has(key)) {
                        walk(inner, `${where}.${key}`);
                    }
                }
            }
        };
        for (const type of ["kubernetes_deployment", "kubernetes_persistent_volume_claim"]) {
            for (const [name, body] of Object.entries(resources[type])) {
                walk(body, `${type}.${name}`);
            }
        }
        assert.deepStrictEqual(unknown, []);
    });

    it("runs a pod that passes every policy rule and the Kubernetes schemas", async () => {
        const objects = buildCoderTemplateObjects();
        const deployment = substitute(objects.deployment) as Record<string, any>;
        deployment.spec.replicas = 1;
        for (const manifest of [deployment, substitute(objects.home), substitute(objects.dockerCache)] as Record<string, any>[]) {
            await validateManifest(manifest);
        }
        assert.deepStrictEqual(await evaluatePolicies([manifestSubject(deployment)]), []);
    });

    it("hardens the envbox pod exactly like a sandbox, with Coder's agent in place of sshd", () => {
        const template = (buildCoderTemplateObjects().deployment as any).spec.template.spec;
        const config = parsePlatformConfig(baseConfig());
        const sandbox = buildEnvboxPodSpec(planTeamSandboxes(config.teams[0])[0], config.devices, { sshAccess: false });
        for (const field of ["automountServiceAccountToken", "hostNetwork", "hostPID", "hostIPC"] as const) {
            assert.strictEqual(template[field], sandbox[field], field);
        }
        const [outer] = template.containers;
        assert.deepStrictEqual([outer.image, outer.command, outer.securityContext], [sandbox.containers[0].image, sandbox.containers[0].command, sandbox.containers[0].securityContext]);
        assert.deepStrictEqual(template.volumes.filter((v: any) => v.hostPath), sandbox.volumes!.filter((v) => v.hostPath));
        const names = outer.env.map((e: any) => e.name);
        assert.ok(names.includes("CODER_AGENT_TOKEN") && names.includes("CODER_AGENT_URL"));
        assert.strictEqual(outer.env.find((e: any) => e.name === "CODER_BOOTSTRAP_SCRIPT").value, "${coder_agent.main.init_script}");
    });
});
