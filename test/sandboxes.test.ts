import * as assert from "assert";
import fc from "fast-check";
import { parsePlatformConfig } from "../components/config/load";
import { planTeamSandboxes } from "../components/sandboxes/plan";
import { buildEnvboxPodSpec, coderMounts, innerMounts } from "../components/sandboxes/envbox";
import { buildIsolatedPodSpec } from "../components/sandboxes/isolated";
import { buildSandboxDeployment, buildSandboxPodSpec, buildSandboxService } from "../components/sandboxes/workload";
import { assignPoolMembers } from "../components/sandboxes/pool-assignment";
import { buildPrePullDaemonSet } from "../components/sandboxes/prepull";
import { envboxImage } from "../components/versions";
import { bootstrapServesCodeServer, sandboxServedPorts } from "../components/sandboxes/ports";
import { baseConfig, named, ofKind, runPlatform } from "./helpers/platform";

const platform = (overrides: Record<string, unknown> = {}) => parsePlatformConfig(baseConfig(overrides));

function envboxSpec(overrides: Record<string, unknown> = {}, developer = 0) {
    const config = platform(overrides);
    const plan = planTeamSandboxes(config.teams[0])[developer];
    return { config, plan, spec: buildEnvboxPodSpec(plan, config.devices) };
}

function envOf(container: any): Record<string, any> {
    return Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe("envbox sandboxes", () => {
    it("runs the pinned envbox image as the only privileged container, with command /envbox docker", () => {
        const { spec } = envboxSpec();
        // envbox and its unprivileged socat forwarders (ssh, code-server, inner-container health).
        assert.deepStrictEqual(spec.containers.map((c) => c.name),
            ["envbox", ...sandboxServedPorts().map((p) => `forward-${p.name}`), "forward-inner-health"]);
        assert.deepStrictEqual(spec.containers.filter((c) => c.securityContext?.privileged === true).map((c) => c.name), ["envbox"]);
        const [outer] = spec.containers;
        assert.strictEqual(outer.image, envboxImage);
        assert.match(envboxImage, /^ghcr\.io\/coder\/envbox:\d+\.\d+\.\d+$/);
        assert.deepStrictEqual(outer.command, ["/envbox", "docker"]);
        assert.strictEqual(outer.securityContext?.privileged, true);
        assert.strictEqual(spec.initContainers, undefined);
    });

    it("gives the pod no service-account token and no host namespaces", () => {
        const { spec } = envboxSpec();
        assert.strictEqual(spec.automountServiceAccountToken, false);
        assert.strictEqual(spec.hostNetwork, false);
        assert.strictEqual(spec.hostPID, false);
        assert.strictEqual(spec.hostIPC, false);
        assert.notStrictEqual(spec.shareProcessNamespace, true);
    });

    it("mounts only /usr/src and /lib/modules from the host, read-only", () => {
        const { spec } = envboxSpec();
        const hostVolumes = spec.volumes!.filter((v) => v.hostPath);
        assert.deepStrictEqual(hostVolumes.map((v) => v.hostPath!.path).sort(), ["/lib/modules", "/usr/src"]);
        for (const volume of hostVolumes) {
            const mounts = spec.containers[0].volumeMounts!.filter((m) => m.name === volume.name);
            assert.ok(mounts.length > 0 && mounts.every((m) => m.readOnly === true), volume.name);
        }
    });

    it("follows Coder's kubernetes-envbox volume layout on a home PVC and a docker-cache PVC", () => {
        const { spec } = envboxSpec();
        const mounts = Object.fromEntries(spec.containers[0].volumeMounts!.map((m) => [m.mountPath, `${m.name}:${m.subPath ?? ""}`]));
        assert.strictEqual(mounts["/home/coder"], "home:home");
        assert.strictEqual(mounts["/var/lib/coder/docker"], "docker-cache:cache/docker");
        assert.strictEqual(mounts["/var/lib/coder/containers"], "docker-cache:cache/containers");
        assert.strictEqual(mounts["/var/lib/docker"], "docker-cache:envbox/docker");
        assert.strictEqual(mounts["/var/lib/containers"], "docker-cache:envbox/containers");
        assert.strictEqual(mounts["/var/lib/sysbox"], "sysbox:");
        assert.deepStrictEqual(spec.volumes!.find((v) => v.name === "sysbox"), { name: "sysbox", emptyDir: {} });
        assert.strictEqual(spec.volumes!.find((v) => v.name === "home")!.persistentVolumeClaim!.claimName, "alpha-alice-home");
        assert.strictEqual(spec.volumes!.find((v) => v.name === "docker-cache")!.persistentVolumeClaim!.claimName, "alpha-alice-docker");
    });

    it("never lets a CODER_MOUNTS entry pass a path that is not backed by a PVC, emptyDir or ConfigMap mount", () => {
        const { spec } = envboxSpec();
        const outer = spec.containers[0];
        const volumeByName = new Map(spec.volumes!.map((v) => [v.name, v]));
        const sources = envOf(outer).CODER_MOUNTS.split(",").map((entry: string) => entry.split(":")[0]);
        assert.strictEqual(envOf(outer).CODER_MOUNTS, coderMounts());
        assert.strictEqual(sources.length, innerMounts.length);
        for (const source of sources) {
            const mount = outer.volumeMounts!.find((m) => m.mountPath === source);
            assert.ok(mount, `${source} is not a mount of the outer container`);
            const volume = volumeByName.get(mount.name)!;
            assert.ok(volume.persistentVolumeClaim || volume.emptyDir || volume.configMap, `${source} is backed by ${JSON.stringify(volume)}`);
        }
    });

    it("sets the inner image, user, hostname and CPU/memory from the container's limits", () => {
        const { spec } = envboxSpec({ teams: [{ name: "alpha", image: "example.com/ws:1.2", developers: ["alice"] }] });
        const env = envOf(spec.containers[0]);
        assert.strictEqual(env.CODER_INNER_IMAGE, "example.com/ws:1.2");
        assert.strictEqual(env.CODER_INNER_USERNAME, "coder");
        assert.strictEqual(env.CODER_INNER_HOSTNAME, "alpha-alice");
        assert.deepStrictEqual(env.CODER_CPUS, { resourceFieldRef: { containerName: "envbox", resource: "limits.cpu" } });
        assert.deepStrictEqual(env.CODER_MEMORY, { resourceFieldRef: { containerName: "envbox", resource: "limits.memory" } });
        // The bootstrap runs the start-up script from the sandbox ConfigMap the inner container mounts.
        assert.match(env.CODER_BOOTSTRAP_SCRIPT, /exec \/bin\/sh \/etc\/sandbox\/start\/sandbox-start\.sh/);
    });

    it("passes FUSE, TUN and a referenced image pull secret only when configured", () => {
        assert.strictEqual(envOf(envboxSpec().spec.containers[0]).CODER_ADD_FUSE, undefined);
        const { spec } = envboxSpec({
            devices: { fuse: true, tun: true },
            teams: [{ name: "alpha", imagePullSecret: "registry-creds", developers: ["alice"] }],
        });
        const env = envOf(spec.containers[0]);
        assert.strictEqual(env.CODER_ADD_FUSE, "true");
        assert.strictEqual(env.CODER_ADD_TUN, "true");
        assert.deepStrictEqual(env.CODER_IMAGE_PULL_SECRET, { secretKeyRef: { name: "registry-creds", key: ".dockerconfigjson" } });
    });

    it("passes GPUs with the host library directory read-only and an nvidia.com/gpu limit", () => {
        const { spec } = envboxSpec({ gpu: { enabled: true }, teams: [{ name: "alpha", developers: [{ name: "alice", gpu: 2 }] }] });
        const outer = spec.containers[0];
        const env = envOf(outer);
        assert.strictEqual(env.CODER_ADD_GPU, "true");
        assert.strictEqual(env.CODER_USR_LIB_DIR, "/var/coder/usr/lib");
        assert.strictEqual(outer.resources!.limits!["nvidia.com/gpu"], "2");
        const gpuVolume = spec.volumes!.find((v) => v.name === "gpu-libraries")!;
        assert.strictEqual(gpuVolume.hostPath!.path, "/usr/lib/x86_64-linux-gnu");
        assert.strictEqual(outer.volumeMounts!.find((m) => m.name === "gpu-libraries")!.readOnly, true);
    });
});

describe("sysbox and kata sandboxes", () => {
    const runtimes = { sysbox: { enabled: true }, kata: { enabled: true, shims: ["clh", "qemu"] } };

    it("runs sysbox sandboxes with runtimeClassName sysbox-runc, hostUsers false and nothing privileged", () => {
        const config = platform({ runtimes, teams: [{ name: "infra", runtime: "sysbox", developers: ["dave"] }] });
        const spec = buildIsolatedPodSpec(planTeamSandboxes(config.teams[0])[0], config);
        assert.strictEqual(spec.runtimeClassName, "sysbox-runc");
        assert.strictEqual(spec.hostUsers, false);
        assert.ok(spec.containers.every((c) => c.securityContext?.privileged !== true));
        assert.strictEqual(spec.automountServiceAccountToken, false);
        assert.ok(!spec.volumes!.some((v) => v.hostPath));
    });

    it("runs kata sandboxes on the first configured shim's RuntimeClass, nothing privileged", () => {
        const config = platform({ runtimes, teams: [{ name: "sec", runtime: "kata", developers: ["frank"] }] });
        const spec = buildSandboxPodSpec(planTeamSandboxes(config.teams[0])[0], config);
        assert.strictEqual(spec.runtimeClassName, "kata-clh");
        assert.strictEqual(spec.hostUsers, undefined);
        assert.ok(spec.containers.every((c) => c.securityContext?.privileged !== true));
    });

    it("requests smarter-devices FUSE and TUN for sysbox and kata when devices are on", () => {
        const config = platform({ runtimes, devices: { fuse: true, tun: true }, teams: [{ name: "infra", runtime: "sysbox", developers: ["dave"] }] });
        const limits = buildIsolatedPodSpec(planTeamSandboxes(config.teams[0])[0], config).containers[0].resources!.limits!;
        assert.strictEqual(limits["smarter-devices/fuse"], "1");
        assert.strictEqual(limits["smarter-devices/net_tun"], "1");
    });
});

describe("sandbox controller and Service", () => {
    it("uses a one-replica Deployment with Recreate, scaled to zero while suspended", () => {
        const config = platform({ teams: [{ name: "alpha", developers: ["alice", { name: "bob", suspended: true }] }] });
        const [alice, bob] = planTeamSandboxes(config.teams[0]);
        const running = buildSandboxDeployment(alice, buildSandboxPodSpec(alice, config));
        assert.strictEqual(running.spec!.replicas, 1);
        assert.strictEqual(running.spec!.strategy!.type, "Recreate");
        assert.strictEqual(buildSandboxDeployment(bob, buildSandboxPodSpec(bob, config)).spec!.replicas, 0);
    });

    it("exposes SSH on 22, and code-server on 13337 only when the start-up script starts code-server", () => {
        const config = platform();
        const service = buildSandboxService(planTeamSandboxes(config.teams[0])[0]);
        const expected: [string, number][] = [["ssh", 22], ...(bootstrapServesCodeServer() ? [["code-server", 13337] as [string, number]] : [])];
        assert.deepStrictEqual(service.spec!.ports!.map((p) => [p.name, p.port]), expected);
        assert.strictEqual(bootstrapServesCodeServer("#!/bin/sh\nsshd -f /etc/sandbox/sshd/sshd_config\n"), false);
        assert.strictEqual(bootstrapServesCodeServer("code-server --bind-addr 0.0.0.0:13337 &\n"), true);
        assert.strictEqual(service.spec!.type, "ClusterIP");
    });

    it("pre-pulls the team's images and the envbox image with an unprivileged DaemonSet", () => {
        const config = platform({ teams: [{ name: "alpha", image: "example.com/ws:1", developers: ["alice", { name: "bob", image: "example.com/ws:2" }] }] });
        const daemonSet = buildPrePullDaemonSet(config.teams[0]);
        const pod = daemonSet.spec!.template.spec!;
        assert.deepStrictEqual(pod.initContainers!.map((c) => c.image), [envboxImage, "example.com/ws:1", "example.com/ws:2"].sort());
        for (const container of [...pod.initContainers!, ...pod.containers]) {
            assert.strictEqual(container.securityContext?.privileged, undefined);
            assert.strictEqual(container.securityContext?.allowPrivilegeEscalation, false);
            assert.strictEqual(container.securityContext?.runAsNonRoot, true);
        }
    });
});

describe("warm-pool assignment", () => {
    const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), { maxLength: 12 });

    it("never moves a developer who stays when others are added or removed", () => {
        fc.assert(fc.property(names, names, fc.integer({ min: 0, max: 12 }), (before, after, extra) => {
            const poolSize = Math.max(before.length, after.length) + extra;
            const first = assignPoolMembers({}, before, poolSize);
            const second = assignPoolMembers(first, after, poolSize);
            for (const developer of after) {
                if (first[developer] !== undefined) {
                    assert.strictEqual(second[developer], first[developer], developer);
                }
            }
            const members = Object.values(second);
            assert.strictEqual(new Set(members).size, members.length, "no member is shared");
            assert.ok(members.every((m) => m >= 0 && m < poolSize));
            assert.deepStrictEqual(Object.keys(second).sort(), [...after].sort());
        }));
    });

    it("is independent of roster order for developers already assigned", () => {
        fc.assert(fc.property(names, (roster) => {
            const first = assignPoolMembers({}, roster, roster.length);
            assert.deepStrictEqual(assignPoolMembers(first, [...roster].reverse(), roster.length), first);
        }));
    });

    it("refuses more developers than pool members with a clear error", () => {
        assert.throws(() => assignPoolMembers({}, ["a", "b", "c"], 2), /3 developers do not fit 2 pool members; raise poolSize/);
    });

    it("renders pool members <team>-pool-<i> whose sshd accepts only the assigned developer", async () => {
        const run = await runPlatform(baseConfig({ teams: [{ name: "pool", allocation: "pool", poolSize: 3, developers: ["alice", "bob"] }] }));
        assert.deepStrictEqual(ofKind(run.resources, "Deployment").map((d) => d.inputs.metadata.name).sort(), ["pool-pool-0", "pool-pool-1", "pool-pool-2"]);
        assert.strictEqual(named(run.resources, "ConfigMap", "pool-pool-0-sshd").inputs.data.principals, "alice\n");
        assert.strictEqual(named(run.resources, "ConfigMap", "pool-pool-1-sshd").inputs.data.principals, "bob\n");
        assert.strictEqual(named(run.resources, "ConfigMap", "pool-pool-2-sshd").inputs.data.principals, "");
        const developers = run.outputs.developers as any[];
        assert.deepStrictEqual(developers.map((d) => [d.developer, d.sandbox, d.poolMember]), [["alice", "pool-pool-0", 0], ["bob", "pool-pool-1", 1]]);
    });
});

describe("volumes survive everything", () => {
    const claimsOf = async (config: Record<string, unknown>) => {
        const run = await runPlatform(config);
        return new Map(ofKind(run.resources, "PersistentVolumeClaim").map((claim) => [claim.inputs.metadata.name as string, claim]));
    };
    const roster = (developers: string[], runtime = "envbox") => baseConfig({
        runtimes: { kata: { enabled: true } },
        teams: [{ name: "alpha", runtime, developers }],
    });

    it("names PVCs from team and developer only and retains them on delete, never replacing them on config changes", async () => {
        const claims = await claimsOf(roster(["alice"]));
        assert.deepStrictEqual([...claims.keys()].sort(), ["alpha-alice-docker", "alpha-alice-home"]);
        for (const claim of claims.values()) {
            assert.strictEqual(claim.options.retainOnDelete, true);
            assert.ok(claim.options.ignoreChanges.includes("spec.storageClassName"));
            assert.strictEqual(claim.inputs.metadata.annotations["sandbox-platform.io/retain-on-delete"], "true");
        }
    });

    it("keeps every remaining developer's PVC names and URNs when a developer is removed, added or the roster reordered", async () => {
        const before = await claimsOf(roster(["alice", "bob", "carol"]));
        for (const next of [["alice", "carol"], ["alice", "bob", "carol", "dave"], ["carol", "bob", "alice"]]) {
            const after = await claimsOf(roster(next));
            for (const [name, claim] of after) {
                const previous = before.get(name);
                if (previous) {
                    assert.strictEqual(claim.urn, previous.urn, name);
                    assert.deepStrictEqual(claim.inputs.spec, previous.inputs.spec, name);
                }
            }
            for (const developer of next.filter((d) => d !== "dave")) {
                assert.ok(after.has(`alpha-${developer}-home`));
            }
        }
    });

    it("keeps PVC names and URNs when a team switches from envbox to kata", async () => {
        const envbox = await claimsOf(roster(["alice", "bob"], "envbox"));
        const kata = await claimsOf(roster(["alice", "bob"], "kata"));
        assert.deepStrictEqual([...kata.keys()].sort(), [...envbox.keys()].sort());
        for (const [name, claim] of kata) {
            assert.strictEqual(claim.urn, envbox.get(name)!.urn);
        }
    });
});
