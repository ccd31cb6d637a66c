// A NetworkPolicy evaluator written from the Kubernetes API and its documentation, used as
// an oracle for "who can reach whom". Sources (see docs/upstream.md, "Kubernetes API semantics"):
//  - kubernetes/api networking/v1/types.go: NetworkPolicySpec (podSelector, policyTypes default),
//    NetworkPolicyIngressRule/EgressRule (empty from/to = all peers, empty ports = all ports),
//    NetworkPolicyPeer (podSelector / namespaceSelector / ipBlock combinations), IPBlock (cidr, except),
//    NetworkPolicyPort (protocol default TCP, named ports, endPort range).
//  - kubernetes/website content/en/docs/concepts/services-networking/network-policies.md:
//    pods are non-isolated until a policy selects them for a direction; policies are additive;
//    a connection needs the source's egress and the destination's ingress to allow it; a pod
//    cannot block access to itself; traffic to and from the node where a pod runs is always
//    allowed; whether Service translation happens before or after policy is undefined.
//  - K3s (k3s-io/k3s pkg/agent/netpol/netpol.go) runs kube-router's controller
//    (cloudnativelabs/kube-router pkg/controllers/netpol): filter-table chains, so Services are
//    judged after kube-proxy's DNAT; ipBlocks become ipset hash:net entries with `nomatch` excepts,
//    /0 split into halves (IPv4) or 2000::/3 + fd00::/8 (IPv6), the longest prefix deciding; and a
//    pod's traffic to its own node is filtered like any other (only node-to-pod is accepted).
// Selection is by labels only; the evaluator never reads names to decide.

import { BlockList, isIPv6 } from "net";

export type Labels = Record<string, string>;

export interface LabelSelector {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface PolicyPort { protocol?: string; port?: number | string; endPort?: number }
export interface PolicyPeer { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: { cidr: string; except?: string[] } }
export interface NetworkPolicyObject {
    metadata: { name: string; namespace: string };
    spec: {
        podSelector: LabelSelector;
        policyTypes?: string[];
        ingress?: { from?: PolicyPeer[]; ports?: PolicyPort[] }[];
        egress?: { to?: PolicyPeer[]; ports?: PolicyPort[] }[];
    };
}

export interface NamespaceModel { name: string; labels: Labels }
export interface ContainerPort { name?: string; containerPort: number; protocol?: string }
export interface PodModel {
    namespace: string;
    name: string;
    labels: Labels;
    ips: string[];
    node: string;
    ports: ContainerPort[];
    hostNetwork?: boolean;
}
export interface NodeModel { name: string; ips: string[] }
export interface ServiceModel {
    namespace: string;
    name: string;
    clusterIP: string;
    ports: { port: number; targetPort: number | string; protocol?: string }[];
    /** Pods behind the Service (by selector), or explicit endpoints (e.g. the API server on nodes). */
    selector?: Labels;
    endpoints?: { ip: string; port: number }[];
}

export interface ClusterModel {
    namespaces: NamespaceModel[];
    pods: PodModel[];
    nodes: NodeModel[];
    services: ServiceModel[];
    policies: NetworkPolicyObject[];
}

export interface Semantics {
    /**
     * Judge Service traffic after translation to the endpoint (K3s/kube-router), before it (the
     * address dialled), or "either": allowed when either reading allows (the docs leave it undefined).
     */
    dnat: "post" | "pre" | "either";
    /** ipBlock matching as kube-router's ipsets do (K3s), or exactly as the API describes. */
    ipBlocks: "kube-router" | "api";
    /** The docs' node exception covers pod-to-own-node too (true), or only node-to-pod as kube-router does (false). */
    podToOwnNodeAllowed: boolean;
}

export const k3sSemantics: Semantics = { dnat: "post", ipBlocks: "kube-router", podToOwnNodeAllowed: false };
/** The API as documented, with every undefined point read in the permissive direction. */
export const apiSemantics: Semantics = { dnat: "either", ipBlocks: "api", podToOwnNodeAllowed: true };

export interface Destination { ip: string; port: number; protocol?: string }
export type Source = PodModel | { ip: string };

export interface Verdict { allowed: boolean; reason: string }

function isPod(source: Source): source is PodModel {
    return (source as PodModel).namespace !== undefined;
}

/** metav1.LabelSelector semantics: matchLabels AND every matchExpression; an empty selector selects all. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
    if (!selector) {
        return true;
    }
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[key] !== value) {
            return false;
        }
    }
    for (const expression of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, expression.key);
        const values = expression.values ?? [];
        switch (expression.operator) {
            case "In": if (!has || !values.includes(labels[expression.key])) { return false; } break;
            case "NotIn": if (has && values.includes(labels[expression.key])) { return false; } break;
            case "Exists": if (!has) { return false; } break;
            case "DoesNotExist": if (has) { return false; } break;
            default: throw new Error(`unknown selector operator ${expression.operator}`);
        }
    }
    return true;
}

/** policyTypes default (types.go): Ingress always, Egress when the policy has egress rules. */
export function effectivePolicyTypes(policy: NetworkPolicyObject): string[] {
    if (policy.spec.policyTypes && policy.spec.policyTypes.length > 0) {
        return policy.spec.policyTypes;
    }
    return ["Ingress", ...(policy.spec.egress && policy.spec.egress.length > 0 ? ["Egress"] : [])];
}

// --- ipBlock matching -------------------------------------------------------------------

function toBigInt(ip: string): { family: 4 | 6; value: bigint } {
    if (!isIPv6(ip)) {
        return { family: 4, value: ip.split(".").reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n) };
    }
    const [head, tail] = ip.split("::");
    const left = head ? head.split(":") : [];
    const right = tail !== undefined && tail !== "" ? tail.split(":") : [];
    const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
    return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function inPrefix(ip: string, cidr: string): boolean {
    const [net, prefixText] = cidr.split("/");
    const a = toBigInt(ip);
    const n = toBigInt(net);
    if (a.family !== n.family) {
        return false;
    }
    const width = a.family === 4 ? 32 : 128;
    const shift = BigInt(width - Number(prefixText));
    return (a.value >> shift) === (n.value >> shift);
}

/** IPBlock as the API describes it: in cidr and in no except (checked with Node's own BlockList). */
function ipBlockMatchesApi(ip: string, block: { cidr: string; except?: string[] }): boolean {
    const family = isIPv6(ip) ? "ipv6" : "ipv4";
    const list = (cidrs: string[]) => {
        const b = new BlockList();
        for (const cidr of cidrs) {
            const [net, prefix] = cidr.split("/");
            if ((isIPv6(net) ? "ipv6" : "ipv4") === family) {
                b.addSubnet(net, Number(prefix), family);
            }
        }
        return b;
    };
    return list([block.cidr]).check(ip, family) && !list(block.except ?? []).check(ip, family);
}

/**
 * kube-router (pkg/controllers/netpol/policy.go evalIPBlockPeer): the cidr and each except go
 * into an ipset hash:net, excepts flagged nomatch, /0 rewritten (IPv4: 0.0.0.0/1 + 128.0.0.0/1;
 * IPv6: 2000::/3 + fd00::/8). ipset tries the most specific prefix first and the first entry
 * found decides: a nomatch entry means "not in the set".
 */
function ipBlockMatchesKubeRouter(ip: string, block: { cidr: string; except?: string[] }): boolean {
    const expand = (cidr: string) => {
        if (!cidr.endsWith("/0")) {
            return [cidr];
        }
        return cidr.includes(":") ? ["2000::/3", "fd00::/8"] : ["0.0.0.0/1", "128.0.0.0/1"];
    };
    const entries = [
        ...expand(block.cidr).map((cidr) => ({ cidr, nomatch: false })),
        ...(block.except ?? []).flatMap(expand).map((cidr) => ({ cidr, nomatch: true })),
    ].filter((entry) => entry.cidr.includes(":") === isIPv6(ip) && inPrefix(ip, entry.cidr));
    if (entries.length === 0) {
        return false;
    }
    const longest = Math.max(...entries.map((entry) => Number(entry.cidr.split("/")[1])));
    // Adding the same net twice keeps one element; a nomatch add of an existing net sets the flag.
    return !entries.some((entry) => Number(entry.cidr.split("/")[1]) === longest && entry.nomatch);
}

// --- the evaluator ---------------------------------------------------------------------------

export class NetworkPolicyEvaluator {
    constructor(readonly cluster: ClusterModel, readonly semantics: Semantics) {}

    private namespaceLabels(name: string): Labels {
        const ns = this.cluster.namespaces.find((n) => n.name === name);
        // The API server sets kubernetes.io/metadata.name on every namespace (immutable).
        return { ...(ns?.labels ?? {}), "kubernetes.io/metadata.name": name };
    }

    /** Pods that receive traffic for an IP: the pod network only (hostNetwork pods are nodes). */
    podAt(ip: string): PodModel | undefined {
        return this.cluster.pods.find((pod) => !pod.hostNetwork && pod.ips.includes(ip));
    }

    private nodeOf(pod: PodModel): NodeModel | undefined {
        return this.cluster.nodes.find((node) => node.name === pod.node);
    }

    private ipBlockMatches(ip: string, block: { cidr: string; except?: string[] }): boolean {
        return this.semantics.ipBlocks === "kube-router" ? ipBlockMatchesKubeRouter(ip, block) : ipBlockMatchesApi(ip, block);
    }

    /** NetworkPolicyPeer: selectors need a pod on the other end; a peer with only ipBlock matches IPs. */
    private peerMatches(policy: NetworkPolicyObject, peer: PolicyPeer, other: { ip: string; pod?: PodModel }): boolean {
        if (peer.ipBlock) {
            return this.ipBlockMatches(other.ip, peer.ipBlock);
        }
        if (!other.pod || other.pod.hostNetwork) {
            return false;
        }
        if (peer.namespaceSelector) {
            if (!selectorMatches(peer.namespaceSelector, this.namespaceLabels(other.pod.namespace))) {
                return false;
            }
        } else if (other.pod.namespace !== policy.metadata.namespace) {
            // podSelector alone: pods in the policy's own namespace.
            return false;
        }
        return selectorMatches(peer.podSelector, other.pod.labels);
    }

    /** NetworkPolicyPort: protocol defaults to TCP; a named port resolves against the destination pod. */
    private portMatches(ports: PolicyPort[] | undefined, destination: Destination, destinationPod: PodModel | undefined): boolean {
        if (!ports || ports.length === 0) {
            return true;
        }
        const protocol = destination.protocol ?? "TCP";
        return ports.some((p) => {
            if ((p.protocol ?? "TCP") !== protocol) {
                return false;
            }
            if (p.port === undefined) {
                return true;
            }
            if (typeof p.port === "string") {
                return destinationPod?.ports.some((c) => c.name === p.port && (c.protocol ?? "TCP") === protocol && c.containerPort === destination.port) ?? false;
            }
            return p.endPort !== undefined ? destination.port >= p.port && destination.port <= p.endPort : destination.port === p.port;
        });
    }

    private selecting(pod: PodModel, direction: "Ingress" | "Egress"): NetworkPolicyObject[] {
        return this.cluster.policies.filter((policy) => policy.metadata.namespace === pod.namespace
            && selectorMatches(policy.spec.podSelector, pod.labels) && effectivePolicyTypes(policy).includes(direction));
    }

    private egressAllows(source: PodModel, destination: Destination, destinationPod: PodModel | undefined): Verdict {
        const node = this.nodeOf(source);
        if (this.semantics.podToOwnNodeAllowed && node?.ips.includes(destination.ip)) {
            return { allowed: true, reason: "to its own node" };
        }
        const policies = this.selecting(source, "Egress");
        if (policies.length === 0) {
            return { allowed: true, reason: "source not isolated for egress" };
        }
        for (const policy of policies) {
            for (const rule of policy.spec.egress ?? []) {
                const peerOk = !rule.to || rule.to.length === 0 || rule.to.some((peer) => this.peerMatches(policy, peer, { ip: destination.ip, pod: destinationPod }));
                if (peerOk && this.portMatches(rule.ports, destination, destinationPod)) {
                    return { allowed: true, reason: `egress allowed by ${policy.metadata.namespace}/${policy.metadata.name}` };
                }
            }
        }
        return { allowed: false, reason: `egress denied (${policies.map((p) => p.metadata.name).join(", ")})` };
    }

    private ingressAllows(source: Source, sourceIp: string, destination: Destination, destinationPod: PodModel): Verdict {
        const node = this.nodeOf(destinationPod);
        if (node?.ips.includes(sourceIp)) {
            return { allowed: true, reason: "from its own node" };
        }
        const policies = this.selecting(destinationPod, "Ingress");
        if (policies.length === 0) {
            return { allowed: true, reason: "destination not isolated for ingress" };
        }
        const sourcePod = isPod(source) ? source : this.podAt(sourceIp);
        for (const policy of policies) {
            for (const rule of policy.spec.ingress ?? []) {
                const peerOk = !rule.from || rule.from.length === 0 || rule.from.some((peer) => this.peerMatches(policy, peer, { ip: sourceIp, pod: sourcePod }));
                if (peerOk && this.portMatches(rule.ports, destination, destinationPod)) {
                    return { allowed: true, reason: `ingress allowed by ${policy.metadata.namespace}/${policy.metadata.name}` };
                }
            }
        }
        return { allowed: false, reason: `ingress denied (${policies.map((p) => p.metadata.name).join(", ")})` };
    }

    /** Where a Service address leads: each endpoint IP and port. */
    private endpoints(destination: Destination): Destination[] | undefined {
        const service = this.cluster.services.find((s) => s.clusterIP === destination.ip);
        const port = service?.ports.find((p) => p.port === destination.port && (p.protocol ?? "TCP") === (destination.protocol ?? "TCP"));
        if (!service || !port) {
            return undefined;
        }
        if (service.endpoints) {
            return service.endpoints.map((e) => ({ ip: e.ip, port: e.port, protocol: destination.protocol }));
        }
        return this.cluster.pods.filter((pod) => pod.namespace === service.namespace && !pod.hostNetwork && selectorMatches({ matchLabels: service.selector }, pod.labels))
            .flatMap((pod) => {
                const target = typeof port.targetPort === "number" ? port.targetPort
                    : pod.ports.find((c) => c.name === port.targetPort)?.containerPort;
                return target === undefined ? [] : [{ ip: pod.ips[0], port: target, protocol: destination.protocol }];
            });
    }

    /** Can `source` open a connection to `destination`? Replies on an allowed connection are implicit. */
    canReach(source: Source, destination: Destination): Verdict {
        const sourceIp = isPod(source) ? source.ips[0] : source.ip;
        const translated = this.endpoints(destination);
        if (translated) {
            if (translated.length === 0) {
                return { allowed: false, reason: "service has no endpoints" };
            }
            const verdicts = translated.map((endpoint) => {
                const pod = this.podAt(endpoint.ip);
                // Post-DNAT the source's egress sees the endpoint; pre-DNAT it sees the Service address.
                const views = this.semantics.dnat === "post" ? [endpoint] : this.semantics.dnat === "pre" ? [destination] : [endpoint, destination];
                const egressVerdicts = isPod(source) && !source.hostNetwork
                    ? views.map((view) => this.egressAllows(source, view, pod))
                    : [{ allowed: true, reason: "not a pod" }];
                const egress = egressVerdicts.find((v) => v.allowed) ?? egressVerdicts[0];
                if (!egress.allowed) {
                    return egress;
                }
                return pod ? this.ingressAllows(source, sourceIp, endpoint, pod) : egress;
            });
            return verdicts.find((v) => v.allowed) ?? verdicts[0];
        }
        if (isPod(source) && source.ips.includes(destination.ip)) {
            return { allowed: true, reason: "a pod cannot block access to itself" };
        }
        const pod = this.podAt(destination.ip);
        const egress = isPod(source) && !source.hostNetwork ? this.egressAllows(source, destination, pod) : { allowed: true, reason: "not a pod" };
        if (!egress.allowed || !pod) {
            return egress;
        }
        return this.ingressAllows(source, sourceIp, destination, pod);
    }
}
