// The NetworkPolicy evaluator checked against the examples of the Kubernetes documentation
// (kubernetes/website content/en/docs/concepts/services-networking/network-policies.md) and
// the field comments of kubernetes/api networking/v1/types.go, before it judges our stacks.

import * as assert from "assert";
import {
    ClusterModel, NetworkPolicyEvaluator, NetworkPolicyObject, PodModel, apiSemantics, effectivePolicyTypes, k3sSemantics,
} from "./helpers/netpol-evaluator";

function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, ports: PodModel["ports"] = []): PodModel {
    return { namespace, name, labels, ips: [ip], node: "node-a", ports };
}

function np(namespace: string, name: string, spec: NetworkPolicyObject["spec"]): NetworkPolicyObject {
    return { metadata: { name, namespace }, spec };
}

const db = pod("default", "db", { role: "db" }, "10.0.1.10", [{ name: "redis", containerPort: 6379 }]);
const frontend = pod("default", "frontend", { role: "frontend" }, "10.0.1.11");
const other = pod("default", "other", { role: "other" }, "10.0.1.12");
const projectPod = pod("myproject", "client", { role: "client" }, "10.0.2.10");
const aliceClient = pod("alice-ns", "client", { role: "client" }, "10.0.3.10");
const aliceOther = pod("alice-ns", "web", { role: "web" }, "10.0.3.11");

function cluster(policies: NetworkPolicyObject[]): ClusterModel {
    return {
        namespaces: [
            { name: "default", labels: {} },
            { name: "myproject", labels: { project: "myproject" } },
            { name: "alice-ns", labels: { user: "alice" } },
        ],
        pods: [db, frontend, other, projectPod, aliceClient, aliceOther],
        nodes: [{ name: "node-a", ips: ["192.168.0.1"] }],
        services: [],
        policies,
    };
}

/** The docs' "test-network-policy" example, verbatim in meaning. */
const docExample = np("default", "test-network-policy", {
    podSelector: { matchLabels: { role: "db" } },
    policyTypes: ["Ingress", "Egress"],
    ingress: [{
        from: [
            { ipBlock: { cidr: "172.17.0.0/16", except: ["172.17.1.0/24"] } },
            { namespaceSelector: { matchLabels: { project: "myproject" } } },
            { podSelector: { matchLabels: { role: "frontend" } } },
        ],
        ports: [{ protocol: "TCP", port: 6379 }],
    }],
    egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 5978 }] }],
});

describe("NetworkPolicy evaluator (Kubernetes semantics, checked on the documentation's examples)", () => {
    for (const semantics of [apiSemantics, k3sSemantics]) {
        describe(`${semantics === apiSemantics ? "API" : "K3s/kube-router"} semantics`, () => {
            it("test-network-policy: role=db accepts 6379 from role=frontend, namespace project=myproject and 172.17.0.0/16 minus 172.17.1.0/24", () => {
                const e = new NetworkPolicyEvaluator(cluster([docExample]), semantics);
                const to6379 = { ip: db.ips[0], port: 6379 };
                assert.ok(e.canReach(frontend, to6379).allowed);
                assert.ok(e.canReach(projectPod, to6379).allowed);
                assert.ok(e.canReach({ ip: "172.17.0.5" }, to6379).allowed);
                assert.ok(e.canReach({ ip: "172.17.2.5" }, to6379).allowed);
                assert.ok(!e.canReach({ ip: "172.17.1.5" }, to6379).allowed, "except carves 172.17.1.0/24 out");
                assert.ok(!e.canReach(other, to6379).allowed);
                assert.ok(!e.canReach(frontend, { ip: db.ips[0], port: 6380 }).allowed, "only the listed port");
                assert.ok(!e.canReach(frontend, { ip: db.ips[0], port: 6379, protocol: "UDP" }).allowed, "protocol defaults to TCP");
            });

            it("test-network-policy: role=db may connect only to 10.0.0.0/24 on TCP 5978", () => {
                const e = new NetworkPolicyEvaluator(cluster([docExample]), semantics);
                assert.ok(e.canReach(db, { ip: "10.0.0.7", port: 5978 }).allowed);
                assert.ok(!e.canReach(db, { ip: "10.0.0.7", port: 5979 }).allowed);
                assert.ok(!e.canReach(db, { ip: "8.8.8.8", port: 5978 }).allowed);
                assert.ok(!e.canReach(db, { ip: frontend.ips[0], port: 80 }).allowed);
            });

            it("leaves pods that no policy selects non-isolated in both directions", () => {
                const e = new NetworkPolicyEvaluator(cluster([docExample]), semantics);
                assert.ok(e.canReach(other, { ip: frontend.ips[0], port: 1234 }).allowed);
                assert.ok(e.canReach(frontend, { ip: "8.8.8.8", port: 53, protocol: "UDP" }).allowed);
            });

            it("needs both the source's egress and the destination's ingress to allow a connection", () => {
                const denyEgress = np("default", "default-deny-egress", { podSelector: {}, policyTypes: ["Egress"] });
                const e = new NetworkPolicyEvaluator(cluster([denyEgress]), semantics);
                assert.ok(!e.canReach(frontend, { ip: projectPod.ips[0], port: 80 }).allowed, "egress denied at the source");
                assert.ok(e.canReach(projectPod, { ip: frontend.ips[0], port: 80 }).allowed, "ingress untouched by an egress-only policy");
            });

            it("default-deny-ingress (podSelector {}, policyTypes [Ingress]) isolates every pod of the namespace for ingress only", () => {
                const e = new NetworkPolicyEvaluator(cluster([np("default", "default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] })]), semantics);
                assert.ok(!e.canReach(projectPod, { ip: other.ips[0], port: 80 }).allowed);
                assert.ok(e.canReach(other, { ip: projectPod.ips[0], port: 80 }).allowed);
            });

            it("allow-all-ingress (one empty rule) admits everything even next to a default deny", () => {
                const e = new NetworkPolicyEvaluator(cluster([
                    np("default", "default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] }),
                    np("default", "allow-all-ingress", { podSelector: {}, ingress: [{}], policyTypes: ["Ingress"] }),
                ]), semantics);
                assert.ok(e.canReach(projectPod, { ip: other.ips[0], port: 80 }).allowed);
            });

            it("distinguishes one peer with namespaceSelector AND podSelector from two peers (OR)", () => {
                const and = np("default", "and", {
                    podSelector: { matchLabels: { role: "db" } },
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: "alice" } }, podSelector: { matchLabels: { role: "client" } } }] }],
                });
                const or = np("default", "or", {
                    podSelector: { matchLabels: { role: "db" } },
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: "alice" } } }, { podSelector: { matchLabels: { role: "client" } } }] }],
                });
                const to = { ip: db.ips[0], port: 6379 };
                const eAnd = new NetworkPolicyEvaluator(cluster([and]), semantics);
                assert.ok(eAnd.canReach(aliceClient, to).allowed);
                assert.ok(!eAnd.canReach(aliceOther, to).allowed);
                const eOr = new NetworkPolicyEvaluator(cluster([or]), semantics);
                assert.ok(eOr.canReach(aliceOther, to).allowed, "any pod of a user=alice namespace");
                assert.ok(!eOr.canReach(projectPod, to).allowed, "podSelector alone means the policy's own namespace");
            });

            it("matches a port range with endPort (inclusive) and a named port against the destination pod's container ports", () => {
                const range = np("default", "range", {
                    podSelector: { matchLabels: { role: "db" } }, policyTypes: ["Egress"],
                    egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 32000, endPort: 32768 }] }],
                });
                const named = np("default", "named", {
                    podSelector: { matchLabels: { role: "db" } }, policyTypes: ["Ingress"],
                    ingress: [{ ports: [{ port: "redis" }] }],
                });
                const e = new NetworkPolicyEvaluator(cluster([range, named]), semantics);
                assert.ok(e.canReach(db, { ip: "10.0.0.1", port: 32000 }).allowed);
                assert.ok(e.canReach(db, { ip: "10.0.0.1", port: 32768 }).allowed);
                assert.ok(!e.canReach(db, { ip: "10.0.0.1", port: 32769 }).allowed);
                assert.ok(!e.canReach(db, { ip: "10.0.0.1", port: 31999 }).allowed);
                assert.ok(e.canReach(frontend, { ip: db.ips[0], port: 6379 }).allowed, "named port redis = 6379 on the db pod");
                assert.ok(!e.canReach(frontend, { ip: db.ips[0], port: 6380 }).allowed);
            });

            it("defaults policyTypes to Ingress, plus Egress when the policy has egress rules", () => {
                assert.deepStrictEqual(effectivePolicyTypes(np("d", "a", { podSelector: {} })), ["Ingress"]);
                assert.deepStrictEqual(effectivePolicyTypes(np("d", "b", { podSelector: {}, egress: [{}] })), ["Ingress", "Egress"]);
                const e = new NetworkPolicyEvaluator(cluster([np("default", "egress-only-rules", { podSelector: { matchLabels: { role: "db" } }, egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] })]), semantics);
                assert.ok(!e.canReach(frontend, { ip: db.ips[0], port: 6379 }).allowed, "implicit Ingress type with no ingress rules isolates for ingress");
            });

            it("never lets a pod block access to itself, and always admits its own node", () => {
                const e = new NetworkPolicyEvaluator(cluster([np("default", "deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] })]), semantics);
                assert.ok(e.canReach(db, { ip: db.ips[0], port: 6379 }).allowed);
                assert.ok(e.canReach({ ip: "192.168.0.1" }, { ip: db.ips[0], port: 6379 }).allowed);
            });
        });
    }

    describe("where K3s (kube-router) differs from the API's wording", () => {
        const sandbox = pod("sbx", "sandbox", { app: "sandbox" }, "10.42.0.5");
        const withPolicy = (policy: NetworkPolicyObject): ClusterModel => ({
            namespaces: [{ name: "sbx", labels: {} }],
            pods: [sandbox],
            nodes: [{ name: "node-a", ips: ["192.168.1.10"] }],
            services: [{ namespace: "default", name: "kubernetes", clusterIP: "10.43.0.1", ports: [{ port: 443, targetPort: 6443 }], endpoints: [{ ip: "192.168.1.10", port: 6443 }] }],
            policies: [policy],
        });
        // The shape this platform shipped before: internet = 0.0.0.0/0 minus pod, Service and link-local ranges.
        const oldEgress = np("sbx", "allow-internet-egress", {
            podSelector: {}, policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.42.0.0/16", "10.43.0.0/16", "169.254.0.0/16"] } }] }],
        });

        it("judges kubernetes.default after DNAT: the API server is reached as a node IP on 6443 (the hole the old egress left)", () => {
            const e = new NetworkPolicyEvaluator(withPolicy(oldEgress), k3sSemantics);
            const verdict = e.canReach(sandbox, { ip: "10.43.0.1", port: 443 });
            assert.ok(verdict.allowed, verdict.reason);
            assert.ok(e.canReach(sandbox, { ip: "192.168.1.10", port: 10250 }).allowed, "and the kubelet");
            assert.ok(e.canReach(sandbox, { ip: "100.100.100.200", port: 80 }).allowed, "and Alibaba's metadata address");
        });

        it("filters a pod's traffic to its own node (kube-router hooks INPUT), unlike the docs' node exception", () => {
            const deny = np("sbx", "deny", { podSelector: {}, policyTypes: ["Egress"] });
            assert.ok(!new NetworkPolicyEvaluator(withPolicy(deny), k3sSemantics).canReach({ ...sandbox, node: "node-a" }, { ip: "192.168.1.10", port: 10250 }).allowed);
            assert.ok(new NetworkPolicyEvaluator(withPolicy(deny), apiSemantics).canReach({ ...sandbox, node: "node-a" }, { ip: "192.168.1.10", port: 10250 }).allowed);
        });

        it("expands ::/0 to 2000::/3 + fd00::/8, so an except of fc00::/7 does not exclude fd00:ec2::254 on K3s (longest prefix decides)", () => {
            const v6 = np("sbx", "v6", {
                podSelector: {}, policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "::/0", except: ["fc00::/7"] } }] }],
            });
            const target = { ip: "fd00:ec2::254", port: 80 };
            assert.ok(new NetworkPolicyEvaluator(withPolicy(v6), k3sSemantics).canReach(sandbox, target).allowed);
            assert.ok(!new NetworkPolicyEvaluator(withPolicy(v6), apiSemantics).canReach(sandbox, target).allowed);
            assert.ok(!new NetworkPolicyEvaluator(withPolicy(v6), k3sSemantics).canReach(sandbox, { ip: "fe80::1", port: 80 }).allowed,
                "and link-local is outside both halves");
        });
    });
});
