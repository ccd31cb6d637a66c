// The isolation config keys (node ranges, per-team egress allowlist, the trusted access
// namespace) and the CIDR arithmetic behind them, checked against Node's own BlockList.

import * as assert from "assert";
import * as fc from "fast-check";
import { BlockList } from "net";
import { parsePlatformConfig } from "../components/config/load";
import { ConfigError } from "../components/config/errors";
import { ipInCidr, mustParseCidr, parseCidr } from "../components/cluster/cidr";
import { buildAccessNetworkPolicies, buildTeamNetworkPolicies, internetIpBlocks } from "../components/cluster/network-policies";
import { ClusterModel, NetworkPolicyEvaluator, PodModel, k3sSemantics, apiSemantics } from "./helpers/netpol-evaluator";
import { baseConfig, ofKind, runPlatform } from "./helpers/platform";

function refuses(raw: Record<string, unknown>, key: string, pattern: RegExp) {
    assert.throws(() => parsePlatformConfig(raw), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual((error as ConfigError).key.replace(/^sandbox-platform:/, ""), key);
        assert.match((error as Error).message, pattern);
        return true;
    });
}

describe("isolation config and CIDR arithmetic", () => {
    it("agrees with Node's BlockList on IPv4 containment", () => {
        fc.assert(fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, net, prefix) => {
            const base = BigInt.asUintN(32, net.split(".").reduce((a, p) => (a << 8n) | BigInt(Number(p)), 0n) & ~((1n << BigInt(32 - prefix)) - 1n));
            const text = `${[24n, 16n, 8n, 0n].map((s) => String((base >> s) & 255n)).join(".")}/${prefix}`;
            const list = new BlockList();
            list.addSubnet(text.split("/")[0], prefix, "ipv4");
            return ipInCidr(ip, mustParseCidr(text)) === list.check(ip, "ipv4");
        }), { numRuns: 300 });
    });

    it("agrees with Node's BlockList on IPv6 containment", () => {
        for (const [ip, cidr] of [["fd00:ec2::254", "fc00::/7"], ["fd00:ec2::254", "2000::/3"], ["2606:4700:4700::1111", "2000::/3"], ["::ffff:10.0.0.1", "::ffff:0:0/96"], ["fe80::1", "fe80::/10"], ["2001:db8::1", "2001:db8::/32"]]) {
            const list = new BlockList();
            const [net, prefix] = cidr.split("/");
            list.addSubnet(net, Number(prefix), "ipv6");
            assert.strictEqual(ipInCidr(ip, mustParseCidr(cidr)), list.check(ip, "ipv6"), `${ip} in ${cidr}`);
        }
        assert.strictEqual(parseCidr("10.0.0.1/8"), undefined, "host bits set");
        assert.strictEqual(parseCidr("fd00::/129"), undefined);
    });

    it("defaults cluster.nodeCidrs to every private range, IPv4 and IPv6, and the API server to them on 6443 (K3s)", () => {
        const config = parsePlatformConfig(baseConfig());
        assert.deepStrictEqual(config.cluster.nodeCidrs, ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]);
        assert.deepStrictEqual(config.network.apiServer, { cidrs: config.cluster.nodeCidrs, port: 6443 });
        // Boundary's defaults (listener docs): clients reach a worker's proxy listener on 9202; a worker's
        // initial_upstreams default to port 9201 (controllers' cluster listener), an upstream worker listens on 9202.
        assert.deepStrictEqual(config.network.accessFrom, {
            namespace: "boundary", create: true, podLabels: {}, proxyPort: 9202, clientCidrs: ["0.0.0.0/0", "::/0"], upstream: { ports: [9201, 9202] },
        });
        refuses(baseConfig({ cluster: { nodeCidrs: ["10.0.0.1/8"] } }), "cluster.nodeCidrs[0]", /not a CIDR/);
    });

    it("keeps public node ranges (cluster.nodeCidrs) out of sandbox egress", () => {
        const config = parsePlatformConfig(baseConfig({ cluster: { nodeCidrs: ["203.0.113.0/24", "2001:db8:1::/48"] } }));
        const [v4] = internetIpBlocks(config);
        assert.ok(v4.except.includes("203.0.113.0/24"));
        assert.ok(v4.except.includes("10.0.0.0/8"), "private ranges stay excluded whatever the node ranges are");
    });

    it("opens a team's egress allowlist (CIDRs and ports, endPort) for that team's sandboxes only", () => {
        const config = parsePlatformConfig(baseConfig({
            teams: [
                { name: "alpha", developers: ["alice"], egress: [{ cidr: "10.20.0.0/16", ports: [443, { port: 5000, endPort: 5010 }] }, { cidr: "192.168.7.7/32" }] },
                { name: "beta", developers: ["bob"] },
            ],
        }));
        const alpha = buildTeamNetworkPolicies(config.teams[0], config);
        const beta = buildTeamNetworkPolicies(config.teams[1], config);
        assert.ok(!beta.some((p) => p.metadata!.name === "allow-team-egress"));
        const sandbox = (ns: string, ip: string) => ({ namespace: ns, name: "s", labels: { "sandbox-platform.io/sandbox": "s" }, ips: [ip], node: "n", ports: [] });
        const model = { namespaces: [], pods: [], nodes: [{ name: "n", ips: ["192.168.1.10"] }], services: [], policies: [...alpha, ...beta] as any };
        for (const semantics of [k3sSemantics, apiSemantics]) {
            const e = new NetworkPolicyEvaluator(model, semantics);
            assert.ok(e.canReach(sandbox("sbx-alpha", "10.42.0.5"), { ip: "10.20.3.4", port: 443 }).allowed);
            assert.ok(e.canReach(sandbox("sbx-alpha", "10.42.0.5"), { ip: "10.20.3.4", port: 5010 }).allowed);
            assert.ok(!e.canReach(sandbox("sbx-alpha", "10.42.0.5"), { ip: "10.20.3.4", port: 22 }).allowed);
            assert.ok(e.canReach(sandbox("sbx-alpha", "10.42.0.5"), { ip: "192.168.7.7", port: 22 }).allowed, "no ports: every port");
            assert.ok(!e.canReach(sandbox("sbx-beta", "10.42.0.6"), { ip: "10.20.3.4", port: 443 }).allowed);
        }
    });

    it("refuses allowlist entries that would open a metadata address, link-local space or the pod and Service ranges", () => {
        const team = (egress: unknown) => baseConfig({ teams: [{ name: "alpha", developers: ["alice"], egress }] });
        refuses(team([{ cidr: "169.254.169.254/32" }]), "teams[0].egress[0].cidr", /metadata address 169\.254\.169\.254/);
        refuses(team([{ cidr: "100.64.0.0/10" }]), "teams[0].egress[0].cidr", /alibaba metadata address 100\.100\.100\.200/);
        refuses(team([{ cidr: "fd00::/8" }]), "teams[0].egress[0].cidr", /aws metadata address fd00:ec2::254/);
        refuses(team([{ cidr: "0.0.0.0/0" }]), "teams[0].egress[0].cidr", /overlaps/);
        refuses(team([{ cidr: "10.42.0.0/24" }]), "teams[0].egress[0].cidr", /cluster\.podCidr/);
        refuses(team([{ cidr: "10.0.0.0/33" }]), "teams[0].egress[0].cidr", /not a CIDR/);
        refuses(team([{ cidr: "10.1.0.0/16", ports: [{ port: 6000, endPort: 5000 }] }]), "teams[0].egress[0].ports[0].endPort", /./);
    });

    it("closes the platform-owned access namespace except the worker's proxy port, the sandboxes, DNS and the configured upstream", () => {
        const config = parsePlatformConfig(baseConfig({
            teams: [{ name: "alpha", developers: ["alice"] }],
            network: { accessFrom: { podLabels: { app: "boundary-worker" }, proxyPort: 9300, clientCidrs: ["198.51.100.0/24"], upstream: { cidrs: ["10.20.0.0/24"], ports: [9201] } } },
        }));
        const policies = buildAccessNetworkPolicies(config);
        const pods: PodModel[] = [
            { namespace: "boundary", name: "worker", labels: { app: "boundary-worker" }, ips: ["10.42.0.9"], node: "n1", ports: [{ name: "proxy", containerPort: 9300 }] },
            { namespace: "sbx-alpha", name: "alice", labels: { "sandbox-platform.io/sandbox": "alice" }, ips: ["10.42.0.5"], node: "n1", ports: [{ containerPort: 2222 }, { containerPort: 13337 }, { containerPort: 2375 }] },
            { namespace: "kube-system", name: "coredns", labels: { "k8s-app": "kube-dns" }, ips: ["10.42.0.2"], node: "n1", ports: [{ containerPort: 53, protocol: "UDP" }] },
        ];
        const model: ClusterModel = {
            namespaces: [{ name: "boundary", labels: { "kubernetes.io/metadata.name": "boundary" } }, { name: "sbx-alpha", labels: { "kubernetes.io/metadata.name": "sbx-alpha" } },
                { name: "kube-system", labels: { "kubernetes.io/metadata.name": "kube-system" } }],
            pods,
            nodes: [{ name: "n1", ips: ["192.168.1.10"] }], services: [], policies: policies as any,
        };
        const e = new NetworkPolicyEvaluator(model, k3sSemantics);
        const worker = model.pods[0];
        assert.ok(e.canReach({ ip: "198.51.100.7" }, { ip: "10.42.0.9", port: 9300 }).allowed, "client range on the proxy port");
        assert.ok(!e.canReach({ ip: "203.0.113.7" }, { ip: "10.42.0.9", port: 9300 }).allowed, "outside network.accessFrom.clientCidrs");
        assert.ok(!e.canReach({ ip: "198.51.100.7" }, { ip: "10.42.0.9", port: 9202 }).allowed, "only the configured proxy port");
        assert.ok(e.canReach(worker, { ip: "10.42.0.5", port: 2222 }).allowed && e.canReach(worker, { ip: "10.42.0.5", port: 13337 }).allowed);
        assert.ok(!e.canReach(worker, { ip: "10.42.0.5", port: 2375 }).allowed);
        assert.ok(e.canReach(worker, { ip: "10.42.0.2", port: 53, protocol: "UDP" }).allowed);
        assert.ok(e.canReach(worker, { ip: "10.20.0.8", port: 9201 }).allowed, "the configured (private) upstream");
        assert.ok(!e.canReach(worker, { ip: "10.20.0.8", port: 9202 }).allowed, "only the configured upstream ports");
        assert.ok(!e.canReach(worker, { ip: "1.1.1.1", port: 9201 }).allowed, "with upstream.cidrs set, nothing else");
        assert.ok(!e.canReach(worker, { ip: "169.254.169.254", port: 80 }).allowed);
    });

    it("refuses an upstream range that would open a metadata address or the pod network, naming network.accessFrom.upstream.cidrs", () => {
        refuses(baseConfig({ network: { accessFrom: { upstream: { cidrs: ["169.254.0.0/16"] } } } }), "network.accessFrom.upstream.cidrs[0]", /metadata address 169\.254\.169\.254.*upstream/);
        refuses(baseConfig({ network: { accessFrom: { upstream: { cidrs: ["10.0.0.0/8", "10.42.0.0/16"] } } } }), "network.accessFrom.upstream.cidrs[0]", /cluster\.podCidr/);
        refuses(baseConfig({ network: { accessFrom: { upstream: { cidrs: ["10.20.0.1/24"] } } } }), "network.accessFrom.upstream.cidrs[0]", /not a CIDR/);
        refuses(baseConfig({ network: { accessFrom: { upstream: { ports: [] } } } }), "network.accessFrom.upstream.ports", /./);
        refuses(baseConfig({ network: { accessFrom: { proxyPort: 70000 } } }), "network.accessFrom.proxyPort", /./);
        refuses(baseConfig({ network: { accessFrom: { clientCidrs: ["everywhere"] } } }), "network.accessFrom.clientCidrs[0]", /not a CIDR/);
    });

    it("creates the access namespace, or with create: false reads it so that a missing one fails the deployment", async () => {
        const created = await runPlatform(baseConfig());
        assert.ok(ofKind(created.resources, "Namespace").some((n) => n.inputs.metadata.name === "boundary"));
        const read = await runPlatform(baseConfig({ network: { accessFrom: { namespace: "access", create: false } } }));
        assert.ok(!ofKind(read.resources, "Namespace").some((n) => n.inputs.metadata.name === "access"));
        assert.ok(read.resources.some((r) => r.type === "kubernetes:core/v1:Namespace" && r.custom && r.name === "access" && !r.inputs.kind),
            `read resources: ${read.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => `${r.name}:${JSON.stringify(r.inputs).slice(0, 60)}`).join(" | ")}`);
        assert.ok(ofKind(created.resources, "NetworkPolicy").some((p) => p.inputs.metadata.namespace === "boundary" && p.inputs.metadata.name === "default-deny"));
        assert.ok(!ofKind(read.resources, "NetworkPolicy").some((p) => p.inputs.metadata.namespace === "access"), "no policies in a namespace the platform does not own");
        const policy = ofKind(read.resources, "NetworkPolicy").find((p) => p.inputs.metadata.name === "allow-access-ingress")!;
        assert.deepStrictEqual(policy.inputs.spec.ingress[0].from[0].namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "access" } });
    });
});
