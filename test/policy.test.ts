import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as k8s from "@pulumi/kubernetes";
import * as path from "path";
import { Violation, evaluatePolicies, mandatory } from "../policy/evaluate";
import { manifestSubject, readManifests } from "../policy/manifests";
import { resourcePolicies, stackPolicies } from "../policy/rules";
import { containerLists, podTemplatePaths } from "../policy/rules/workloads";
import { policySubjects, repoRoot } from "../tools/render-stack";
import { runProgram } from "../tools/program-runner";

const fixtures = path.join(__dirname, "fixtures/policy");
const fixtureFiles = (kind: "pass" | "fail") => fs.readdirSync(path.join(fixtures, kind)).sort().map((file) => path.join(fixtures, kind, file));

/** A fixture's expectation: `# expect:`/`# message:` headers, or annotations in a JSON fixture. */
function fixtureExpectation(file: string): { expected: string; message?: string; fixtureClass?: string } {
    const text = fs.readFileSync(file, "utf8");
    if (file.endsWith(".json")) {
        const annotations = JSON.parse(text).metadata.annotations;
        return { expected: annotations["fixture.sandbox-platform.io/expect"], fixtureClass: annotations["fixture.sandbox-platform.io/class"] };
    }
    return { expected: /^# expect: (\S+)/m.exec(text)?.[1] ?? "", message: /^# message: (.+)$/m.exec(text)?.[1], fixtureClass: /^# class: (\d+)/m.exec(text)?.[1] };
}

async function check(objects: Record<string, any>[]): Promise<Violation[]> {
    return evaluatePolicies(objects.map(manifestSubject));
}

describe("policy pack: fixtures", () => {
    for (const file of fixtureFiles("pass")) {
        it(`passes ${path.basename(file)}`, async () => {
            assert.deepStrictEqual(await check(readManifests([file])), []);
        });
    }
    for (const file of fixtureFiles("fail")) {
        const { expected, message } = fixtureExpectation(file);
        it(`fails ${path.basename(file)} with ${expected}${message ? ` ("${message}")` : ""}`, async () => {
            const violations = (await check(readManifests([file]))).filter((v) => v.policy === expected);
            assert.ok(violations.length > 0, `no ${expected} violation`);
            if (message) {
                assert.ok(violations.some((v) => v.message.includes(message)), violations.map((v) => v.message).join("\n"));
            }
        });
    }

    it("has a failing fixture for every rule that applies to manifests", () => {
        const expected = new Set(fixtureFiles("fail").map((file) => fixtureExpectation(file).expected));
        const manifestRules = [...resourcePolicies, ...stackPolicies].map((p) => p.name).filter((name) => !name.startsWith("vault-") && !name.startsWith("boundary-"));
        assert.deepStrictEqual(manifestRules.filter((name) => !expected.has(name)), []);
    });
});

describe("policy pack: privileged containers in every controller and container list", () => {
    function workload(type: string, list: string, privileged: boolean, runtimeClassName?: string): Record<string, any> {
        const container = { name: "c", image: "busybox:1.36.1", securityContext: { privileged } };
        const pod: Record<string, any> = { containers: [{ name: "main", image: "busybox:1.36.1" }] };
        pod[list] = [container];
        if (runtimeClassName) {
            pod.runtimeClassName = runtimeClassName;
            pod.hostUsers = false;
        }
        const [, apiVersionPart, kind] = /^kubernetes:([^:]+):(.+)$/.exec(type)!;
        const apiVersion = apiVersionPart.startsWith("core/") ? apiVersionPart.slice(5) : apiVersionPart;
        const object: Record<string, any> = { apiVersion, kind, metadata: { name: `x-${list.toLowerCase()}`, namespace: "apps" } };
        let cursor = object;
        const pathToPod = podTemplatePaths[type];
        for (const key of pathToPod.slice(0, -1)) {
            cursor = cursor[key] = cursor[key] ?? {};
        }
        cursor[pathToPod[pathToPod.length - 1]] = pod;
        return object;
    }

    for (const type of Object.keys(podTemplatePaths)) {
        for (const list of containerLists) {
            it(`refuses a privileged container in ${list} of a ${type.split(":")[2]}, and accepts it unprivileged`, async () => {
                const refused = mandatory(await check([workload(type, list, true)])).filter((v) => v.policy === "no-privileged-containers");
                assert.strictEqual(refused.length, 1);
                assert.match(refused[0].message, new RegExp(`\\(${list}\\[0\\]\\) is privileged`));
                assert.deepStrictEqual(mandatory(await check([workload(type, list, false)])), []);
            });
        }
    }

    it("refuses any privileged container in a sysbox or kata pod, even the envbox image", async () => {
        const pod = workload("kubernetes:core/v1:Pod", "containers", true, "sysbox-runc");
        Object.assign(pod.spec.containers[0], { image: "ghcr.io/coder/envbox:0.6.7", command: ["/envbox", "docker"] });
        const violations = mandatory(await check([pod]));
        assert.ok(violations.some((v) => v.policy === "no-privileged-containers" && /sysbox sandboxes need no privileged container/.test(v.message)));
    });

    it("refuses a privileged envbox image in initContainers (envbox runs only as a regular container)", async () => {
        const pod = workload("kubernetes:core/v1:Pod", "initContainers", true);
        Object.assign(pod.spec.initContainers[0], { image: "ghcr.io/coder/envbox:0.6.7", command: ["/envbox", "docker"] });
        pod.spec.automountServiceAccountToken = false;
        assert.ok(mandatory(await check([pod])).some((v) => /envbox runs only as a regular container, not in initContainers\[0\]/.test(v.message)));
    });
});

describe("policy pack: Vault SSH roles", () => {
    const role = (props: Record<string, unknown>) => ({
        type: "vault:ssh/secretBackendRole:SecretBackendRole", urn: "urn:role", name: "alpha",
        props: { name: "alpha", keyType: "ca", allowUserCertificates: true, allowedUsers: "alice,bob", ttl: "28800", maxTtl: "86400", ...props },
        opts: { protect: false },
    });

    it("accepts a CA role for named users with TTLs within the bound", async () => {
        assert.deepStrictEqual(await evaluatePolicies([role({})]), []);
    });

    for (const [title, props, pattern] of [
        ["a TTL beyond the bound", { maxTtl: "172800" }, /maxTtl 172800 must be set and at most 86400/],
        ["a '*' user", { allowedUsers: "*" }, /allowedUsers must name the principals/],
        ["host certificates", { allowHostCertificates: true }, /must not sign host certificates/],
        ["the ssh-rsa (SHA-1) signer", { algorithmSigner: "ssh-rsa" }, /SHA-1/],
    ] as const) {
        it(`refuses ${title}`, async () => {
            const violations = await evaluatePolicies([role(props)]);
            assert.ok(violations.some((v) => v.policy === "vault-ssh-roles" && v.level === "mandatory" && pattern.test(v.message)), JSON.stringify(violations));
        });
    }

    it("honours the pack's configured TTL bound", async () => {
        const violations = await evaluatePolicies([role({ ttl: "3600", maxTtl: "7200" })], { "vault-ssh-roles": { maxCertTtlSeconds: 3600 } });
        assert.ok(violations.some((v) => /maxTtl 7200 must be set and at most 3600/.test(v.message)));
    });
});

describe("policy pack: render and checker agree", () => {
    it("reports the same violations for an object registered through the Kubernetes SDK and for its YAML", async () => {
        const objects = readManifests([path.join(fixtures, "fail")]).filter((o) => o.kind === "Deployment" || o.kind === "Pod");
        const run = await runProgram({
            stack: "agree", config: {},
            program: () => {
                for (const object of objects) {
                    const name = `${object.kind}-${object.metadata.name}`;
                    object.kind === "Pod" ? new k8s.core.v1.Pod(name, object) : new k8s.apps.v1.Deployment(name, object as k8s.apps.v1.DeploymentArgs);
                }
            },
        });
        const fromRender = (await evaluatePolicies(policySubjects(run.resources))).map((v) => `${v.policy}: ${v.message}`).sort();
        const fromChecker = (await check(objects)).map((v) => `${v.policy}: ${v.message}`).sort();
        assert.ok(fromRender.length >= objects.length);
        assert.deepStrictEqual(fromRender, fromChecker);
    });
});

describe("policy:check command line", function () {
    // Three ts-node start-ups: minutes when the machine is shared (not a timed test).
    this.timeout(600000);
    const checkCli = (args: string[]) => spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "policy/check.ts"), ...args], { cwd: repoRoot, encoding: "utf8" });

    it("exits 1 on mandatory violations, 0 on clean manifests, 2 on unreadable input", () => {
        const failing = checkCli([path.join(fixtures, "fail/dind-sidecar.yaml")]);
        assert.strictEqual(failing.status, 1, failing.stderr);
        assert.match(failing.stdout, /\[mandatory\] no-privileged-containers Pod\/coder-workspaces\/coder-dind: .*docker-sidecar/);
        const passing = checkCli(["--json", path.join(fixtures, "pass")]);
        assert.strictEqual(passing.status, 0, passing.stderr);
        assert.deepStrictEqual(JSON.parse(passing.stdout).violations, []);
        const missing = checkCli([path.join(fixtures, "no-such-file.yaml")]);
        assert.strictEqual(missing.status, 2);
        assert.match(missing.stderr, /no-such-file\.yaml/);
    });
});
