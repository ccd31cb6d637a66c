// Repository-driven sandboxes in every mode, as the real program renders them for
// stacks/Pulumi.repos.yaml (schema validity and the policy pack run over every stack in
// render.test.ts), and the config rules that keep the modes coherent.

import * as assert from "assert";
import { parsePlatformConfig } from "../components/config/load";
import { planTeamSandboxes } from "../components/sandboxes/plan";
import { prePullImages } from "../components/sandboxes/prepull";
import { envbuilderImage } from "../components/versions";
import { RenderResult } from "../tools/render-stack";
import { renderedStack } from "./helpers/stacks";

function objects(result: RenderResult, kind: string): Record<string, any>[] {
    return result.run.resources.filter((r) => r.custom && r.inputs.kind === kind).map((r) => r.inputs as Record<string, any>);
}

function byName(result: RenderResult, kind: string, name: string): Record<string, any> {
    const found = objects(result, kind).find((o) => o.metadata?.name === name);
    assert.ok(found, `no ${kind} ${name}`);
    return found!;
}

function env(container: any): Record<string, any> {
    return Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

function settings(result: RenderResult, sandbox: string): string {
    return byName(result, "ConfigMap", `${sandbox}-sshd`).data["sandbox.env"];
}

describe("repository-driven sandboxes (stacks/Pulumi.repos.yaml)", () => {
    let result: RenderResult;
    before(async () => { result = await renderedStack("repos"); });

    it("has zero mandatory policy violations", () => {
        assert.deepStrictEqual(result.violations.filter((v) => v.level === "mandatory"), []);
    });

    it("devcontainer mode: clones the team repo with its Secret and brings up the devcontainer (envbox passes the Secret through CODER_MOUNTS)", () => {
        assert.match(settings(result, "web-alice"), /^SANDBOX_WORKSPACE='devcontainer'$/m);
        assert.match(settings(result, "web-alice"), /^SANDBOX_DEVCONTAINER='auto'$/m);
        assert.match(settings(result, "web-alice"), /^SANDBOX_REPO_URL='git@github.com:example\/web.git'$/m);
        assert.match(settings(result, "web-alice"), /^SANDBOX_REPO_DIR='\/home\/coder\/web'$/m);
        const pod = byName(result, "Deployment", "web-alice").spec.template.spec;
        const outer = pod.containers.find((c: any) => c.name === "envbox");
        assert.match(env(outer).CODER_MOUNTS, /(^|,)\/etc\/sandbox\/repo-credentials:\/etc\/sandbox\/repo-credentials:ro(,|$)/);
        assert.deepStrictEqual(pod.volumes.find((v: any) => v.name === "repo-credentials").secret, { secretName: "web-deploy-key", defaultMode: 0o444 });
    });

    it("a developer's own repo and workspace override the team's", () => {
        assert.match(settings(result, "web-bob"), /^SANDBOX_REPO_URL='https:\/\/github.com\/example\/web-docs.git'$/m);
        assert.match(settings(result, "web-bob"), /^SANDBOX_REPO_REF='v2'$/m);
        assert.match(settings(result, "web-bob"), /^SANDBOX_DEVCONTAINER='off'$/m);
        const pod = byName(result, "Deployment", "web-bob").spec.template.spec;
        assert.ok(!pod.volumes.some((v: any) => v.name === "repo-credentials"), "bob's repo has no Secret");
    });

    it("envbuilder mode: the pod runs the pinned envbuilder image with the repo, the init script, the layer cache on the cache volume and the registry cache (coder/envbuilder v1.3.0 options)", () => {
        const pod = byName(result, "Deployment", "api-carol").spec.template.spec;
        assert.strictEqual(pod.runtimeClassName, "sysbox-runc");
        const container = pod.containers[0];
        assert.strictEqual(container.image, envbuilderImage);
        assert.strictEqual(container.command, undefined, "envbuilder's entrypoint runs");
        const vars = env(container);
        assert.strictEqual(vars.ENVBUILDER_GIT_URL, "https://github.com/example/api.git#refs/heads/main");
        assert.strictEqual(vars.ENVBUILDER_WORKSPACE_FOLDER, "/workspaces/api");
        assert.match(vars.ENVBUILDER_INIT_SCRIPT, /exec \/bin\/sh \/etc\/sandbox\/start\/sandbox-start\.sh/);
        assert.strictEqual(vars.ENVBUILDER_LAYER_CACHE_DIR, "/var/cache/envbuilder");
        assert.strictEqual(vars.ENVBUILDER_CACHE_REPO, "registry.example.com/cache/envbuilder");
        assert.strictEqual(vars.ENVBUILDER_FALLBACK_IMAGE, "ghcr.io/sandbox-platform/sandbox:0.1.0");
        assert.deepStrictEqual(vars.ENVBUILDER_GIT_PASSWORD, { secretKeyRef: { name: "api-token", key: "password", optional: true } });
        const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m]));
        assert.strictEqual(mounts["/workspaces"].name, "home");
        assert.strictEqual(mounts["/var/cache/envbuilder"].name, "docker-cache");
        assert.match(settings(result, "api-carol"), /^SANDBOX_REPO_DIR='\/workspaces\/api'$/m);
        assert.doesNotMatch(settings(result, "api-carol"), /SANDBOX_REPO_URL/, "envbuilder clones; the script must not clone again");
    });

    it("ephemeral allocation: pool members with emptyDir home and cache, no PVC at all, every developer's principal, recycled after idleTtl", () => {
        assert.deepStrictEqual(objects(result, "PersistentVolumeClaim").filter((c) => c.metadata.namespace === "sbx-ci"), []);
        for (const member of ["ci-pool-0", "ci-pool-1"]) {
            const pod = byName(result, "Deployment", member).spec.template.spec;
            for (const name of ["home", "docker-cache"]) {
                const volume = pod.volumes.find((v: any) => v.name === name);
                assert.ok(volume.emptyDir && !volume.persistentVolumeClaim, `${member} ${name}`);
            }
            assert.strictEqual(byName(result, "ConfigMap", `${member}-sshd`).data.principals, "dave\nerin\nfrank\n");
            assert.match(settings(result, member), /^SANDBOX_EPHEMERAL='true'$/m);
            assert.match(settings(result, member), /^SANDBOX_IDLE_SECONDS='900'$/m);
            assert.match(settings(result, member), /^SANDBOX_RECYCLE='exit'$/m);
        }
    });

    it("persistent sandboxes keep their retained claims (dedicated and warm pool)", () => {
        const claims = objects(result, "PersistentVolumeClaim").map((c) => c.metadata.name).sort();
        for (const name of ["web-alice-home", "web-bob-home", "api-carol-home", "warm-pool-0-home", "warm-pool-1-home"]) {
            assert.ok(claims.includes(name), name);
        }
        for (const resource of result.run.resources.filter((r) => r.custom && r.inputs.kind === "PersistentVolumeClaim")) {
            assert.strictEqual(resource.options.retainOnDelete, true, resource.name);
        }
    });

    it("works with no repository at all: the default team has nothing to clone and opens the home directory", () => {
        assert.doesNotMatch(settings(result, "warm-pool-0"), /SANDBOX_REPO_URL/);
        assert.match(settings(result, "warm-pool-0"), /^SANDBOX_REPO_DIR='\/home\/coder'$/m);
    });

    it("connect outputs open the repository folder in VS Code and code-server through the SSH tunnel; ephemeral ones say state lives in git and pin no host", () => {
        const connect = result.run.outputs.connect as Record<string, any>;
        assert.strictEqual(connect["web/alice"].vscodeUri, "vscode://vscode-remote/ssh-remote+sbx-web-alice/home/coder/web");
        assert.strictEqual(connect["web/alice"].codeServerUrl, "http://127.0.0.1:13337/?folder=%2Fhome%2Fcoder%2Fweb");
        assert.match(connect["web/alice"].codeServerTunnel, /^ssh -N -L 13337:127\.0\.0\.1:13337 sbx-web-alice$/);
        assert.strictEqual(connect["api/carol"].vscodeUri, "vscode://vscode-remote/ssh-remote+sbx-api-carol/workspaces/api");
        assert.ok(connect["ci/dave"].notes.some((note: string) => /nothing outside git survives/.test(note)));
        assert.ok(!connect["ci/dave"].steps.some((step: string) => /-host-id/.test(step)));
    });

    it("pre-pulls the devcontainer base images a team lists and the envbuilder image", () => {
        const teams = parsePlatformConfig({
            environment: "t", runtimes: { sysbox: { enabled: true } },
            teams: [
                { name: "web", devcontainerImages: ["mcr.microsoft.com/devcontainers/base:1-bookworm"], developers: ["a"] },
                { name: "api", runtime: "sysbox", workspace: "envbuilder", repo: { url: "https://example.com/api.git" }, developers: ["b"] },
            ],
        }).teams;
        assert.ok(prePullImages(teams[0]).includes("mcr.microsoft.com/devcontainers/base:1-bookworm"));
        assert.ok(prePullImages(teams[1]).includes(envbuilderImage));
    });
});

describe("repository config rules", () => {
    const team = (extra: Record<string, unknown>) => ({ environment: "t", runtimes: { sysbox: { enabled: true } }, teams: [{ name: "alpha", developers: ["alice"], ...extra }] });

    it("defaults to workspace image, no repo, dedicated", () => {
        const [parsed] = parsePlatformConfig(team({})).teams;
        assert.strictEqual(parsed.workspace, "image");
        assert.strictEqual(parsed.repo, undefined);
        assert.strictEqual(planTeamSandboxes(parsed)[0].ephemeral, undefined);
    });

    it("refuses devcontainer or envbuilder without a repository, naming the key", () => {
        assert.throws(() => parsePlatformConfig(team({ workspace: "devcontainer" })), /teams\[0\]\.workspace: .*set repo/);
    });

    it("refuses envbuilder on envbox (envbox needs sleep and getent in the inner image; envbuilder's is FROM scratch)", () => {
        assert.throws(() => parsePlatformConfig(team({ workspace: "envbuilder", repo: { url: "https://example.com/x.git" } })), /teams\[0\]\.workspace: envbuilder runs as a sysbox or kata pod/);
    });

    it("refuses a malformed clone URL and ephemeral without members", () => {
        assert.throws(() => parsePlatformConfig(team({ repo: { url: "not a url" } })), /teams\[0\]\.repo\.url/);
        assert.throws(() => parsePlatformConfig(team({ allocation: "ephemeral" })), /teams\[0\]\.poolSize: allocation: ephemeral needs poolSize of at least 1/);
    });

    it("accepts scp-like, ssh, https and file URLs", () => {
        for (const url of ["git@github.com:acme/x.git", "ssh://git@host:2222/x.git", "https://host/x.git", "file:///srv/git/x.git"]) {
            assert.doesNotThrow(() => parsePlatformConfig(team({ repo: { url } })), url);
        }
    });
});
