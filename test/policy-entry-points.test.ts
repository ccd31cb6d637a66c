// Every policy fixture through all three entry points: the rule objects in-process (as
// CrossGuard runs them), the offline render's evaluation of resources registered with
// the Pulumi SDK, and the policy:check command line. All three must judge alike.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { evaluatePolicies, mandatory, Violation } from "../policy/evaluate";
import { manifestSubject, pulumiTypeOf, readManifests } from "../policy/manifests";
import { policyConfigDefaults } from "../policy/config";
import { allowanceFor } from "../policy/installers";
import { containerLists } from "../policy/rules/workloads";
import { buildSysboxInstaller } from "../components/runtimes/sysbox";
import { buildSmarterDeviceManager } from "../components/runtimes/installers";
import { buildPreflightDaemonSet } from "../components/runtimes/preflight-daemonset";
import { PlatformConfig } from "../components/config/schema";
import { policySubjects, repoRoot } from "../tools/render-stack";
import { runProgram } from "../tools/program-runner";
import { renderFiles } from "../tools/render-cli";
import { manifestName, writeRender } from "../tools/render-output";
import { renderedStack } from "./helpers/stacks";

const fixtures = path.join(__dirname, "fixtures/policy");
const allFixtures = ["pass", "fail"].flatMap((kind) => fs.readdirSync(path.join(fixtures, kind)).sort().map((file) => path.join(fixtures, kind, file)));
/** A resource of any type token, registered as the Kubernetes provider's resources are. */
class AnyResource extends pulumi.CustomResource {
    constructor(type: string, name: string, props: Record<string, any>) {
        // The platform sets retainOnDelete together with this annotation (stack-rules.ts reads either).
        super(type, name, props, { retainOnDelete: props.metadata?.annotations?.["sandbox-platform.io/retain-on-delete"] === "true" });
    }
}
const judged = (violations: Violation[]) => violations.map((v) => `${v.level} ${v.policy}: ${v.message}`).sort();

function checkCli(args: string[], input?: string) {
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "policy/check.ts"), ...args],
        { cwd: repoRoot, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, input });
}

describe("policy pack: three entry points judge every fixture alike", function () {
    this.timeout(600000);
    const inProcess = new Map<string, string[]>();
    const fromRender = new Map<string, string[]>();
    const fromCli = new Map<string, string[]>();

    before(async function () {
        const objectsOf = new Map(allFixtures.map((file) => [file, readManifests([file])]));
        for (const [file, objects] of objectsOf) {
            inProcess.set(file, judged(await evaluatePolicies(objects.map(manifestSubject))));
        }
        // One program registers every fixture's objects; each resource's name says its fixture.
        const run = await runProgram({
            stack: "entry-points", config: {},
            program: () => [...objectsOf.values()].forEach((objects, f) => objects.forEach((object, i) =>
                new AnyResource(pulumiTypeOf(object.apiVersion, object.kind), `f${f}-${i}`, object))),
        });
        [...objectsOf.keys()].forEach((file, f) => fromRender.set(file, []));
        const subjects = policySubjects(run.resources);
        for (const [f, file] of [...objectsOf.keys()].entries()) {
            const own = subjects.filter((s) => s.name.startsWith(`f${f}-`));
            fromRender.set(file, judged(await evaluatePolicies(own)));
        }
        const cli = checkCli(["--json", ...allFixtures]);
        assert.ok(cli.status === 0 || cli.status === 1, cli.stderr);
        const report = JSON.parse(cli.stdout);
        assert.deepStrictEqual(report.errors, []);
        for (const file of allFixtures) {
            fromCli.set(file, judged(report.violations.filter((v: Violation & { file: string }) => v.file === file)));
        }
    });

    it("judges each fixture the same in-process, in the render and in policy:check", () => {
        for (const file of allFixtures) {
            const name = path.relative(fixtures, file);
            assert.deepStrictEqual(fromRender.get(file), inProcess.get(file), `render vs in-process: ${name}`);
            assert.deepStrictEqual(fromCli.get(file), inProcess.get(file), `policy:check vs in-process: ${name}`);
        }
    });

    it("has a failing and a passing fixture for each of the twelve classes of issue #11", () => {
        const classes = (kind: string) => new Set(allFixtures.filter((f) => f.includes(`/${kind}/`)).map((f) => /\/c(\d\d)-/.exec(f)?.[1]).filter(Boolean).map(Number));
        const expected = Array.from({ length: 12 }, (_, i) => i + 1);
        assert.deepStrictEqual(expected.filter((c) => !classes("fail").has(c)), []);
        // Class 8 passes with the installer pods the platform builds (next block), not a copy of them.
        assert.deepStrictEqual(expected.filter((c) => !classes("pass").has(c) && c !== 8), []);
    });
});

describe("policy pack: installers are pinned by namespace, service account, image, command, args and host paths", () => {
    const builtDaemonSets = () => [
        buildSysboxInstaller().daemonSet,
        buildSmarterDeviceManager({ devices: { fuse: true, tun: true } } as PlatformConfig).daemonSet,
        buildPreflightDaemonSet("console.log('ok')").daemonSet,
    ];

    it("derives its allowlist from the platform's own installer definitions", () => {
        assert.deepStrictEqual(policyConfigDefaults.installers, builtDaemonSets().map(allowanceFor));
    });

    it("admits the installer and preflight pods exactly as the platform builds them", async () => {
        const violations = await evaluatePolicies(builtDaemonSets().map((ds) => manifestSubject(ds as Record<string, any>)));
        assert.deepStrictEqual(mandatory(violations), []);
    });

    for (const [title, mutate] of [
        ["another command", (c: any) => { c.command = ["nsenter", "-t", "1", "-m", "sh"]; }],
        ["extra args", (c: any) => { c.args = ["--evil"]; }],
        ["another image tag", (c: any) => { c.image = `${c.image.split(":")[0]}:latest`; }],
    ] as [string, (c: any) => void][]) {
        it(`refuses the sysbox installer pod with ${title}`, async () => {
            const ds = JSON.parse(JSON.stringify(buildSysboxInstaller().daemonSet));
            mutate(ds.spec.template.spec.containers[0]);
            const violations = mandatory(await evaluatePolicies([manifestSubject(ds)]));
            assert.ok(violations.some((v) => v.policy === "no-privileged-containers"), JSON.stringify(violations));
        });
    }
});

describe("policy pack: every carrier of a pod spec, every container list", () => {
    const decoy = (list: string) => {
        const pod: Record<string, any> = {
            automountServiceAccountToken: false,
            containers: [{ name: "envbox", image: "ghcr.io/coder/envbox:0.6.7", command: ["/envbox", "docker"] }],
        };
        pod[list] = [...(pod[list] ?? []), { name: "sidecar", image: "busybox:1.36.1", securityContext: { privileged: true } }];
        return pod;
    };
    const safe = () => ({ automountServiceAccountToken: false, containers: [{ name: "app", image: "busybox:1.36.1" }] });
    const metadata = { name: "carrier", namespace: "apps" };
    const carriers: [string, (pod: any) => { type: string; props: Record<string, any> }][] = [
        ["Pod", (pod) => ({ type: "kubernetes:core/v1:Pod", props: { apiVersion: "v1", kind: "Pod", metadata, spec: pod } })],
        ["PodTemplate", (pod) => ({ type: "kubernetes:core/v1:PodTemplate", props: { metadata, template: { spec: pod } } })],
        ["Deployment", (pod) => ({ type: "kubernetes:apps/v1:Deployment", props: { metadata, spec: { template: { spec: pod } } } })],
        ["StatefulSet", (pod) => ({ type: "kubernetes:apps/v1:StatefulSet", props: { metadata, spec: { template: { spec: pod } } } })],
        ["DaemonSet", (pod) => ({ type: "kubernetes:apps/v1:DaemonSet", props: { metadata, spec: { template: { spec: pod } } } })],
        ["ReplicaSet", (pod) => ({ type: "kubernetes:apps/v1:ReplicaSet", props: { metadata, spec: { template: { spec: pod } } } })],
        ["ReplicationController", (pod) => ({ type: "kubernetes:core/v1:ReplicationController", props: { metadata, spec: { template: { spec: pod } } } })],
        ["Job", (pod) => ({ type: "kubernetes:batch/v1:Job", props: { metadata, spec: { template: { spec: pod } } } })],
        ["CronJob", (pod) => ({ type: "kubernetes:batch/v1:CronJob", props: { metadata, spec: { jobTemplate: { spec: { template: { spec: pod } } } } } })],
        ["Deployment at apps/v1beta1", (pod) => ({ type: "kubernetes:apps/v1beta1:Deployment", props: { metadata, spec: { template: { spec: pod } } } })],
        ["agent-sandbox Sandbox", (pod) => ({ type: "kubernetes:agents.x-k8s.io/v1alpha1:Sandbox", props: { metadata, spec: { podTemplate: { spec: pod } } } })],
        ["any custom resource embedding a pod", (pod) => ({ type: "kubernetes:example.com/v1:Runner", props: { metadata, spec: { workers: [{ pod }] } } })],
        ["DeploymentPatch (Pulumi)", (pod) => ({ type: "kubernetes:apps/v1:DeploymentPatch", props: { metadata, spec: { template: { spec: pod } } } })],
        ["PodPatch (Pulumi)", (pod) => ({ type: "kubernetes:core/v1:PodPatch", props: { metadata, spec: pod } })],
        ["DaemonSetPatch (Pulumi)", (pod) => ({ type: "kubernetes:apps/v1:DaemonSetPatch", props: { metadata, spec: { template: { spec: pod } } } })],
        ["PodList (Pulumi)", (pod) => ({ type: "kubernetes:core/v1:PodList", props: { items: [{ apiVersion: "v1", kind: "Pod", metadata, spec: pod }] } })],
        ["DeploymentList (Pulumi)", (pod) => ({ type: "kubernetes:apps/v1:DeploymentList", props: { items: [{ metadata, spec: { template: { spec: pod } } }] } })],
    ];
    for (const [carrier, wrap] of carriers) {
        for (const list of containerLists) {
            it(`refuses a privileged sidecar beside a decoy envbox in ${list} of a ${carrier}, and passes it safe`, async () => {
                const bad = wrap(decoy(list));
                const violations = mandatory(await evaluatePolicies([{ ...bad, urn: "urn:bad", name: "bad", opts: { protect: false } }]));
                assert.ok(violations.some((v) => v.policy === "no-privileged-containers" && v.message.includes("sidecar")), JSON.stringify(violations));
                const good = wrap(safe());
                assert.deepStrictEqual(mandatory(await evaluatePolicies([{ ...good, urn: "urn:good", name: "good", opts: { protect: false } }])), []);
            });
        }
    }

    it("judges Helm values it can see and names a chart it cannot (Pulumi Release)", async () => {
        const release = (values: any, chart = "tools") => ({ type: "kubernetes:helm.sh/v3:Release", urn: "urn:r", name: "r", opts: { protect: false },
            props: { name: "tools", chart, version: "1.0.0", values } });
        const bad = await evaluatePolicies([release({ daemon: { securityContext: { privileged: true } } })]);
        assert.ok(mandatory(bad).some((v) => v.policy === "helm-releases" && /daemon\.securityContext\.privileged: true/.test(v.message)));
        const unseen = await evaluatePolicies([release({ replicas: 2 })]);
        assert.deepStrictEqual(mandatory(unseen), []);
        assert.ok(unseen.some((v) => v.policy === "unseen-helm-pods" && v.level === "advisory"));
    });
});

describe("policy:check reads input as robustly as kubectl apply -f", function () {
    this.timeout(600000);
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const goodPod = "apiVersion: v1\nkind: Pod\nmetadata: { name: ok, namespace: apps }\nspec:\n  containers: [{ name: c, image: busybox:1.36.1 }]\n";
    const badPod = "apiVersion: v1\nkind: Pod\nmetadata: { name: bad, namespace: apps }\nspec:\n  containers: [{ name: c, image: busybox:1.36.1, securityContext: { privileged: yes } }]\n";

    it("reports loops, dangling links and FIFOs as one-line errors (exit 2) and still checks the rest", () => {
        fs.writeFileSync(path.join(dir, "bad.yaml"), badPod);
        fs.mkdirSync(path.join(dir, "sub"));
        fs.symlinkSync(dir, path.join(dir, "sub", "loop"));
        fs.symlinkSync(path.join(dir, "missing.yaml"), path.join(dir, "dangling.yaml"));
        spawnSync("mkfifo", [path.join(dir, "pipe.yaml")]);
        const result = checkCli([dir]);
        assert.strictEqual(result.status, 2, result.stderr);
        const lines = result.stderr.trim().split("\n");
        assert.ok(lines.some((l) => /dangling\.yaml: dangling symbolic link/.test(l)), result.stderr);
        assert.ok(lines.some((l) => /pipe\.yaml: a FIFO, not a manifest file/.test(l)), result.stderr);
        assert.ok(lines.some((l) => /loop: directory loop/.test(l)), result.stderr);
        assert.ok(lines.every((l) => l.startsWith("error: ") && !/\n\s+at /.test(l)), result.stderr);
        assert.match(result.stdout, /no-privileged-containers Pod\/apps\/bad/);
    });

    it("reports an unreadable file as an error (skipped when running as root, who reads everything)", function () {
        if (process.getuid?.() === 0) {
            this.skip();
        }
        const file = path.join(dir, "secret.yaml");
        fs.writeFileSync(file, goodPod);
        fs.chmodSync(file, 0);
        const result = checkCli([dir]);
        assert.strictEqual(result.status, 2);
        assert.match(result.stderr, /secret\.yaml: permission denied/);
    });

    it("refuses documents that are not Kubernetes objects: apiVersion 5, a lower-case kind, a bad separator", () => {
        const cases: [string, string, RegExp][] = [
            ["api-version-number.yaml", "apiVersion: 5\nkind: Pod\nmetadata: { name: x }\n", /apiVersion 5 is not a string/],
            ["lower-case-kind.yaml", "apiVersion: v1\nkind: pod\nmetadata: { name: x }\n", /kind "pod" is not a Kubernetes kind name/],
            ["separator.yaml", `${goodPod}--- {a: 1}\n`, /invalid YAML document separator/],
            ["plain-map.yaml", "just: a map\n", /not a Kubernetes object/],
            ["nested-list.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: PodList\n  items: []\n", /inside a list/],
            ["infinity.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: { a: .inf }\n", /not representable in JSON/],
        ];
        for (const [name, text] of cases) {
            fs.writeFileSync(path.join(dir, name), text);
        }
        fs.writeFileSync(path.join(dir, "z-bad.yaml"), badPod);
        const result = checkCli([dir]);
        assert.strictEqual(result.status, 2, result.stderr);
        const lines = result.stderr.trim().split("\n");
        assert.strictEqual(lines.length, cases.length, result.stderr);
        for (const [name, , pattern] of cases) {
            assert.ok(lines.some((line) => line.includes(name) && pattern.test(line)), `${name}: ${result.stderr}`);
        }
        assert.match(result.stdout, /no-privileged-containers Pod\/apps\/bad/);
    });

    it("understands the renderer's output directory: Helm release files are judged, plan/Vault/Boundary files skipped", () => {
        fs.mkdirSync(path.join(dir, "kubernetes", "apps"), { recursive: true });
        fs.mkdirSync(path.join(dir, "helm"));
        fs.writeFileSync(path.join(dir, "kubernetes", "apps", "pod-ok.yaml"), goodPod);
        fs.writeFileSync(path.join(dir, "helm", "tools.yaml"), "release: tools\nchart: tools\nversion: 1.0.0\nnamespace: tools\nvalues:\n  agent: { hostPID: on }\nvia: pulumi-helm-release\n");
        fs.writeFileSync(path.join(dir, "vault.yaml"), "- kind: mount\n  path: ssh\n");
        fs.writeFileSync(path.join(dir, "boundary.yaml"), "- kind: scope\n  name: org\n");
        fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify({ stack: "dev", resources: [], policy: { violations: [] } }));
        fs.writeFileSync(path.join(dir, "platform.md"), "# not a manifest\n");
        const result = checkCli(["--json", dir]);
        assert.strictEqual(result.status, 1, result.stderr);
        const report = JSON.parse(result.stdout);
        assert.deepStrictEqual(report.errors, []);
        assert.deepStrictEqual(report.skipped.map((s: any) => path.basename(s.file)).sort(), ["boundary.yaml", "plan.json", "vault.yaml"]);
        assert.ok(report.violations.some((v: any) => v.policy === "helm-releases" && /agent\.hostPID: true/.test(v.message)));
    });

    it("reads standard input for `-` (helm template … | npm run policy:check -- -), through the launcher users run", () => {
        const file = path.join(dir, "also.yaml");
        fs.writeFileSync(file, goodPod.replace("name: ok", "name: from-file"));
        const result = spawnSync(process.execPath, [path.join(repoRoot, "tools/run.js"), "policy/check", "--json", "-", file],
            { cwd: repoRoot, encoding: "utf8", input: `${goodPod}---\n${badPod}` });
        assert.strictEqual(result.status, 1, result.stderr);
        const report = JSON.parse(result.stdout);
        assert.strictEqual(report.objects, 3);
        assert.deepStrictEqual(report.errors, []);
        const privileged = report.violations.filter((v: any) => v.policy === "no-privileged-containers");
        assert.deepStrictEqual(privileged.map((v: any) => [v.urn, v.file]), [["Pod/apps/bad", "standard input"]]);
        const broken = checkCli(["-"], "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
        assert.strictEqual(broken.status, 2);
        assert.match(broken.stderr, /^error: parse standard input:/m);
    });

    it("checks a real render's output directory with no input error: every file the renderer writes is judged or skipped", async () => {
        const out = path.join(dir, "rendered");
        writeRender(out, "dev", renderFiles(await renderedStack("dev")));
        const written = JSON.parse(fs.readFileSync(path.join(out, manifestName), "utf8")).files as string[];
        const result = checkCli(["--json", out]);
        assert.strictEqual(result.status, 0, `${result.stderr}\n${result.stdout.slice(0, 2000)}`);
        const report = JSON.parse(result.stdout);
        assert.deepStrictEqual(report.errors, []);
        const skipped = report.skipped.map((s: any) => path.relative(out, s.file)).sort();
        assert.deepStrictEqual(skipped, [manifestName, "boundary.yaml", "outputs.json", "plan.json", "vault.yaml"].sort());
        // Every Kubernetes manifest the render wrote was read as objects.
        const manifests = written.filter((file) => file.startsWith("kubernetes/") || file.startsWith("helm/"));
        assert.ok(report.objects >= manifests.length && manifests.length > 20, `${report.objects} objects from ${manifests.length} files`);
    });

    it("streams a large multi-document file and pipes complete JSON (> 64 KiB) to stdout", () => {
        const file = path.join(dir, "big.yaml");
        const fd = fs.openSync(file, "w");
        for (let i = 0; i < 3000; i++) {
            fs.writeSync(fd, `${(i % 2 ? goodPod : badPod).replace(/name: (ok|bad)/, `name: pod-${i}`)}---\n`);
        }
        fs.closeSync(fd);
        const result = checkCli(["--json", file]);
        assert.strictEqual(result.status, 1, result.stderr);
        assert.ok(result.stdout.length > 64 * 1024);
        const report = JSON.parse(result.stdout);
        assert.strictEqual(report.objects, 3000);
        assert.strictEqual(report.violations.filter((v: any) => v.policy === "no-privileged-containers").length, 1500);
    });
});
