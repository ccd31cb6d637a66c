// The isolation config keys (node ranges, per-team egress allowlist, the trusted access
// namespace) and the CIDR arithmetic behind them, checked against Node's own BlockList.

import * as assert from "assert";
import * as fc from "fast-check";
import { BlockList } from "net";
import { parsePlatformConfig } from "../components/config/load";
import { ConfigError } from "../components/config/errors";
import { ipInCidr, mustParseCidr, parseCidr } from "../components/cluster/cidr";
import { buildTeamNetworkPolicies, internetIpBlocks } from "../components/cluster/network-policies";
import { NetworkPolicyEvaluator, k3sSemantics, apiSemantics } from "./helpers/netpol-evaluator";
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
        assert.deepStrictEqual(config.network.accessFrom, { namespace: "boundary", create: true, podLabels: {} });
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

    it("creates the access namespace, or with create: false reads it so that a missing one fails the deployment", async () => {
        const created = await runPlatform(baseConfig());
        assert.ok(ofKind(created.resources, "Namespace").some((n) => n.inputs.metadata.name === "boundary"));
        const read = await runPlatform(baseConfig({ network: { accessFrom: { namespace: "access", create: false } } }));
        assert.ok(!ofKind(read.resources, "Namespace").some((n) => n.inputs.metadata.name === "access"));
        assert.ok(read.resources.some((r) => r.type === "kubernetes:core/v1:Namespace" && r.custom && r.name === "access" && !r.inputs.kind),
            `read resources: ${read.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => `${r.name}:${JSON.stringify(r.inputs).slice(0, 60)}`).join(" | ")}`);
        const policy = ofKind(read.resources, "NetworkPolicy").find((p) => p.inputs.metadata.name === "allow-access-ingress")!;
        assert.deepStrictEqual(policy.inputs.spec.ingress[0].from[0].namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "access" } });
    });
});
