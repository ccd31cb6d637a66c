import * as assert from "assert";
import { forwarderTotals } from "../components/sandboxes/envbox-network";
import { parsePlatformConfig } from "../components/config/load";
import { buildTeamNamespace } from "../components/cluster/namespaces";
import { buildTeamLimitRange, buildTeamQuota } from "../components/cluster/quotas";
import { buildTeamNetworkPolicies } from "../components/cluster/network-policies";
import { baseConfig, ofKind, runPlatform } from "./helpers/platform";

const config = parsePlatformConfig(baseConfig({
    runtimes: { sysbox: { enabled: true }, kata: { enabled: true, shims: ["qemu-runtime-rs"] } },
    gpu: { enabled: true },
    cluster: { maxNodes: 2 },
    teams: [
        { name: "alpha", resources: { cpu: "2", memory: "4Gi", disk: "10Gi", dockerCache: "20Gi" }, developers: ["alice", { name: "bob", gpu: 1, resources: { cpu: "4", memory: "8Gi" } }] },
        { name: "infra", runtime: "sysbox", developers: ["dave"] },
        { name: "sec", runtime: "kata", resources: { cpu: "1", memory: "1Gi" }, developers: ["frank", "grace"] },
    ],
}));

describe("cluster base", () => {
    it("enforces Pod Security privileged only where envbox sandboxes run, baseline elsewhere, restricted warnings everywhere", () => {
        const labels = config.teams.map((team) => buildTeamNamespace(team).metadata!.labels!);
        assert.deepStrictEqual(labels.map((l) => l["pod-security.kubernetes.io/enforce"]), ["privileged", "baseline", "baseline"]);
        for (const l of labels) {
            assert.strictEqual(l["pod-security.kubernetes.io/warn"], "restricted");
            assert.match(l["pod-security.kubernetes.io/enforce-version"], /^v1\.\d+$/);
        }
        assert.strictEqual(buildTeamNamespace(config.teams[0]).metadata!.name, "sbx-alpha");
    });

    it("derives each team's quota from its roster, including pre-pull headroom and GPUs", () => {
        const hard = buildTeamQuota(config.teams[0], config).spec!.hard as Record<string, string>;
        // alice 2 + bob 4 cores, plus each envbox pod's forwarders; pre-pull: 2 nodes x (2 images) x 10m = 40m.
        const forwarders = forwarderTotals({ servicePorts: true });
        assert.ok(forwarders.cpu > 0 && forwarders.memory > 0);
        assert.strictEqual(hard["requests.cpu"], `${6040 + 2 * forwarders.cpu * 1000}m`);
        // 4Gi + 8Gi + 2 x forwarders + 2 x 2 x 32Mi.
        assert.strictEqual(hard["limits.memory"], `${12 * 1024 + 2 * forwarders.memory / 2 ** 20 + 128}Mi`);
        assert.strictEqual(hard["requests.storage"], "60Gi");
        assert.strictEqual(hard["persistentvolumeclaims"], "4");
        assert.strictEqual(hard["pods"], "4");
        assert.strictEqual(hard["requests.nvidia.com/gpu"], "1");
        assert.strictEqual(hard["services.loadbalancers"], "0");
        assert.strictEqual(hard["services.nodeports"], "0");
    });

    it("charges the kata RuntimeClass pod overhead to the quota", () => {
        const hard = buildTeamQuota(config.teams[2], config).spec!.hard as Record<string, string>;
        // 2 x (1 core + 250m overhead) + 2 nodes x 2 images x 10m.
        assert.strictEqual(hard["requests.cpu"], "2540m");
        // 2 x (1Gi + 320Mi) + 2 x 2 x 32Mi.
        assert.strictEqual(hard["requests.memory"], `${2 * (1024 + 320) + 128}Mi`);
    });

    it("caps containers at the largest sandbox of the team with a LimitRange", () => {
        const limits = buildTeamLimitRange(config.teams[0]).spec!.limits;
        assert.deepStrictEqual(limits[0].max, { cpu: "4", memory: "8Gi" });
        assert.deepStrictEqual(limits[0].default, { cpu: "2", memory: "4Gi" });
    });

    it("starts every sandbox namespace from default-deny and opens DNS, access-path ingress and internet egress only", () => {
        const policies = buildTeamNetworkPolicies(config.teams[0], config);
        const byName = Object.fromEntries(policies.map((p) => [p.metadata!.name!, p.spec!]));
        assert.deepStrictEqual(byName["default-deny"], { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        assert.deepStrictEqual(byName["allow-access-ingress"].ingress![0].ports!.map((p) => p.port), [2222, 13337]);
        assert.deepStrictEqual(byName["allow-access-ingress"].ingress![0].from![0].namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "boundary" } });
        // Post-DNAT on K3s, "the internet" must exclude every private and node range, not only pod and Service CIDRs
        // (the reachability suite in test/isolation.test.ts proves the whole matrix).
        const [v4, v6] = byName["allow-internet-egress"].egress![0].to!.map((peer) => peer.ipBlock!);
        assert.strictEqual(v4.cidr, "0.0.0.0/0");
        for (const range of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "168.63.129.16/32"]) {
            assert.ok(v4.except!.includes(range), `${range} excepted`);
        }
        assert.strictEqual(v6.cidr, "2000::/3", "IPv6: global unicast only, so ULA (fd00:ec2::254) and link-local are never allowed");
        const closed = parsePlatformConfig(baseConfig({ network: { egressInternet: false } }));
        assert.ok(!buildTeamNetworkPolicies(closed.teams[0], closed).some((p) => p.metadata!.name === "allow-internet-egress"));
    });

    it("creates each team's quota, limits and policies after its namespace", async () => {
        const run = await runPlatform(baseConfig());
        const namespace = ofKind(run.resources, "Namespace").find((n) => n.inputs.metadata.name === "sbx-alpha")!;
        for (const kind of ["ResourceQuota", "LimitRange", "NetworkPolicy"]) {
            const teams = ofKind(run.resources, kind).filter((r) => r.inputs.metadata.namespace === "sbx-alpha");
            assert.ok(teams.length > 0, kind);
            for (const resource of teams) {
                assert.ok(resource.options.dependsOn.includes(namespace.urn), `${kind} ${resource.name}`);
            }
        }
        // The access namespace's policies wait for it the same way.
        const access = ofKind(run.resources, "Namespace").find((n) => n.inputs.metadata.name === "boundary")!;
        const accessPolicies = ofKind(run.resources, "NetworkPolicy").filter((r) => r.inputs.metadata.namespace === "boundary");
        assert.ok(accessPolicies.length > 0);
        for (const resource of accessPolicies) {
            assert.ok(resource.options.dependsOn.includes(access.urn), resource.name);
        }
    });
});
