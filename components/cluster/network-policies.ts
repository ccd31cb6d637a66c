// Network isolation. Every namespace the platform owns starts from deny-all in both
// directions; each allow below is one explicit hole, named for what it lets through.
//
// K3s enforces NetworkPolicy with kube-router, whose rules sit in the filter table and so
// see packets after kube-proxy has translated a Service address to its endpoint
// (docs/upstream.md, "K3s (kube-router)"): egress to `kubernetes.default` is judged as
// egress to a node IP on 6443. Internet egress therefore excludes every private, shared,
// link-local and node range, not only the pod and Service CIDRs, and every allow to a
// platform service names the endpoint pods or IPs, never the Service address alone.

import { EgressAllowRule, PlatformConfig, TeamConfig } from "../config/schema";
import { NetworkPolicy } from "../manifest";
import { commonLabels, labels, partOf, teamNamespace } from "../naming";
import { sshdPort } from "../access/sshd";
import { Cidr, cidrContains, cidrsOverlap, ipv4At, mustParseCidr, parseCidr } from "./cidr";

/** What every policy builder reads: the cluster's address ranges and the network section. */
export type PolicyContext = Pick<PlatformConfig, "cluster" | "network">;

/** Ports a sandbox serves: sshd and code-server. */
export const sandboxPorts = { ssh: 22, codeServer: 13337 } as const;

/** RFC 1918 private ranges and RFC 6598 shared (CGNAT) space. */
export const privateIpv4Ranges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
export const sharedAddressSpace = "100.64.0.0/10";
/** IPv6 unique local addresses (RFC 4193). */
export const uniqueLocalIpv6 = "fc00::/7";
/** Default `cluster.nodeCidrs`: every private range, IPv4 and IPv6. */
export const defaultNodeCidrs = [...privateIpv4Ranges, sharedAddressSpace, uniqueLocalIpv6];

/**
 * Instance-metadata and platform-agent addresses of the clouds a K3s node may run on.
 * Each must be unreachable from a sandbox; the ranges below already cover most of them,
 * the rest are excepted one by one.
 */
export const metadataAddresses: Record<string, string[]> = {
    "aws": ["169.254.169.254", "fd00:ec2::254"],
    "gcp": ["169.254.169.254"],
    "azure": ["169.254.169.254", "168.63.129.16"],
    "alibaba": ["100.100.100.200"],
    "oracle": ["169.254.169.254", "192.0.0.192"],
    "openstack/digitalocean/hetzner": ["169.254.169.254"],
    "tencent": ["169.254.0.23"],
};

/**
 * IPv4 space a sandbox never reaches besides the node network: "this network", loopback,
 * link-local (metadata), IETF protocol assignments, benchmarking, multicast and reserved.
 */
const specialIpv4 = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"];
/**
 * Sandboxes get global unicast IPv6 (2000::/3) only, so ULA (metadata fd00:ec2::254),
 * link-local, loopback, NAT64 and IPv4-mapped space are outside the allow by construction.
 * Within it: Teredo and 6to4 (which tunnel to IPv4, private ranges included) and documentation.
 */
export const globalUnicastIpv6 = "2000::/3";
const specialIpv6 = ["2001::/32", "2001:db8::/32", "2002::/16"];

function policy(namespace: string, name: string, component: string, spec: NetworkPolicy["spec"]): NetworkPolicy {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace, labels: commonLabels(component) },
        spec,
    };
}

/** Drops CIDRs already inside another entry of the list (keeps the policy short and exact). */
function minimalCover(cidrs: string[]): string[] {
    const parsed = [...new Set(cidrs)].map(mustParseCidr);
    return parsed.filter((c, i) => !parsed.some((o, j) => j !== i && cidrContains(o, c) && (o.prefix < c.prefix || j < i)))
        .map((c) => c.text);
}

function hostCidr(ip: string): string {
    return ip.includes(":") ? `${ip}/128` : `${ip}/32`;
}

/** The two ipBlocks that are "the internet" for a sandbox: everything public, nothing private or of the cluster. */
export function internetIpBlocks(config: PolicyContext): { cidr: string; except: string[] }[] {
    const v4All = mustParseCidr("0.0.0.0/0");
    const v6All = mustParseCidr(globalUnicastIpv6);
    const excluded = [
        ...privateIpv4Ranges, sharedAddressSpace, ...specialIpv4, ...specialIpv6,
        config.cluster.podCidr, config.cluster.serviceCidr, ...config.cluster.nodeCidrs, ...config.network.apiServer.cidrs,
        ...Object.values(metadataAddresses).flat().map(hostCidr),
    ];
    // Kubernetes validation: an except must be a strict subset of its cidr.
    const within = (outer: Cidr) => minimalCover(excluded.filter((text) => {
        const cidr = mustParseCidr(text);
        return cidrContains(outer, cidr) && cidr.prefix > outer.prefix;
    }));
    return [
        { cidr: v4All.text, except: within(v4All) },
        { cidr: v6All.text, except: within(v6All) },
    ];
}

/**
 * An ipBlock for addresses outside the pod network: the pod and Service CIDRs are excepted
 * when they fall inside it (the default node ranges, 10.0.0.0/8, contain K3s' 10.42/10.43).
 */
export function outsidePodNetwork(cidrText: string, config: Pick<PlatformConfig, "cluster">): { cidr: string; except?: string[] } {
    const cidr = mustParseCidr(cidrText);
    const except = [config.cluster.podCidr, config.cluster.serviceCidr].filter((inner) => {
        const parsed = mustParseCidr(inner);
        return cidrContains(cidr, parsed) && parsed.prefix > cidr.prefix;
    });
    return except.length > 0 ? { cidr: cidrText, except } : { cidr: cidrText };
}

/** The Kubernetes API as a pod's egress sees it: endpoints after translation, and the Service IP before. */
function apiServerPeers(config: PolicyContext) {
    const serviceIp = ipv4At(mustParseCidr(config.cluster.serviceCidr), 1);
    return [
        { to: config.network.apiServer.cidrs.map((cidr) => ({ ipBlock: outsidePodNetwork(cidr, config) })), ports: [{ protocol: "TCP", port: config.network.apiServer.port }] },
        { to: [{ ipBlock: { cidr: `${serviceIp}/32` } }], ports: [{ protocol: "TCP", port: 443 }] },
    ];
}

const dnsPeer = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};
const dnsPorts = [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }];

function namespacePeer(namespace: string) {
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
}

function baseline(namespace: string, component: string): NetworkPolicy[] {
    return [
        policy(namespace, "default-deny", component, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy(namespace, "allow-dns", component, { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [dnsPeer], ports: dnsPorts }] }),
    ];
}

export function buildTeamNetworkPolicies(team: Pick<TeamConfig, "name" | "egress" | "egressInternet">, config: PolicyContext): NetworkPolicy[] {
    return buildSandboxNetworkPolicies(teamNamespace(team.name), config, {
        accessIngress: true, egressAllow: team.egress, egressInternet: team.egressInternet ?? config.network.egressInternet,
    });
}

export interface SandboxPolicyOptions {
    /** Open sshd and code-server to the access namespace (team sandboxes; Coder workspaces use Coder's agent). */
    accessIngress: boolean;
    /** Reach coderd on its HTTP port in this namespace (Coder workspaces' agents). */
    coderNamespace?: string;
    /** A team's extra egress allowlist (its own entries and its presets'). */
    egressAllow?: EgressAllowRule[];
    /** Whether these sandboxes reach the internet; default network.egressInternet (a team may turn it off). */
    egressInternet?: boolean;
}

/** Policies of any namespace that runs sandboxes. */
export function buildSandboxNetworkPolicies(namespace: string, config: PolicyContext, options: SandboxPolicyOptions): NetworkPolicy[] {
    const sandboxPods = { matchExpressions: [{ key: labels.sandbox, operator: "Exists" }] };
    const policies = baseline(namespace, "sandboxes");
    if (options.accessIngress) {
        policies.push(policy(namespace, "allow-access-ingress", "sandboxes", {
            podSelector: sandboxPods,
            policyTypes: ["Ingress"],
            ingress: [{
                from: [{ ...namespacePeer(config.network.accessFrom.namespace), podSelector: { matchLabels: config.network.accessFrom.podLabels } }],
                // NetworkPolicy ports are the pod's ports: sshd listens on sshdPort behind Service port 22.
                ports: [{ protocol: "TCP", port: sshdPort }, { protocol: "TCP", port: sandboxPorts.codeServer }],
            }],
        }));
    }
    if (options.coderNamespace) {
        policies.push(policy(namespace, "allow-coder-agent-egress", "sandboxes", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ...namespacePeer(options.coderNamespace), podSelector: { matchLabels: coderdPodLabels } }], ports: [{ protocol: "TCP", port: coderdHttpPort }] }],
        }));
    }
    if (options.egressInternet ?? config.network.egressInternet) {
        policies.push(policy(namespace, "allow-internet-egress", "sandboxes", {
            podSelector: sandboxPods,
            policyTypes: ["Egress"],
            egress: [{ to: internetIpBlocks(config).map((ipBlock) => ({ ipBlock })) }],
        }));
    }
    if (options.egressAllow && options.egressAllow.length > 0) {
        policies.push(policy(namespace, "allow-team-egress", "sandboxes", {
            podSelector: sandboxPods,
            policyTypes: ["Egress"],
            egress: options.egressAllow.map((rule) => ({
                to: [{ ipBlock: { cidr: rule.cidr } }],
                ...(rule.ports.length > 0 ? { ports: rule.ports.map((p) => ({ protocol: p.protocol, port: p.port, ...(p.endPort ? { endPort: p.endPort } : {}) })) } : {}),
            })),
        }));
    }
    return policies;
}

/**
 * Checks a team's egress allowlist entry: a CIDR that opens no metadata address, no
 * link-local range and no pod or Service range (Service IPs would bypass the endpoint's
 * own policies). Returns an error sentence, or undefined when acceptable.
 */
export function egressAllowProblem(cidrText: string, config: Pick<PlatformConfig, "cluster">): string | undefined {
    const cidr = parseCidr(cidrText);
    if (!cidr) {
        return `${JSON.stringify(cidrText)} is not a CIDR with zero host bits (e.g. 203.0.113.0/24 or 2001:db8::/32)`;
    }
    const forbidden = [
        ...Object.entries(metadataAddresses).flatMap(([cloud, ips]) => ips.map((ip) => ({ what: `the ${cloud} metadata address ${ip}`, cidr: hostCidr(ip) }))),
        { what: "IPv4 link-local space", cidr: "169.254.0.0/16" },
        { what: "IPv6 link-local space", cidr: "fe80::/10" },
        { what: "cluster.podCidr", cidr: config.cluster.podCidr },
        { what: "cluster.serviceCidr", cidr: config.cluster.serviceCidr },
    ];
    const hit = forbidden.find((f) => cidrsOverlap(cidr, mustParseCidr(f.cidr)));
    return hit ? `${cidrText} overlaps ${hit.what} (${hit.cidr}); allow a narrower range that avoids it` : undefined;
}

/** Labels of coderd's pods (coder Helm chart `coder.selectorLabels`: chart name and release name). */
export const coderdPodLabels = { "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder" };
/** coderd's HTTP port (chart: CODER_HTTP_ADDRESS 0.0.0.0:8080, container port `http`). */
export const coderdHttpPort = 8080;
/** CloudNativePG instance pods: label `cnpg.io/cluster: <cluster>`; Postgres 5432, instance manager status 8000. */
export const cnpgPorts = { postgres: 5432, status: 8000 } as const;
/** CloudNativePG operator pods (chart selector labels) and its webhook port (chart `webhook.port`). */
export const cnpgOperatorPodLabels = { "app.kubernetes.io/name": "cloudnative-pg" };
export const cnpgWebhookPort = 9443;
/** Bitnami PostgreSQL primary pods of release `coder-db`. */
export const bitnamiPostgresPodLabels = { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "coder-db" };

export interface DatabaseSelector {
    /** Pods of the database in the platform namespace; undefined for an external database. */
    podLabels?: Record<string, string>;
    /** Whether it is a CloudNativePG cluster (operator and peer instances need access). */
    cnpg: boolean;
}

/** The platform namespace: coderd reachable from the ingress controller and workspaces; Postgres from coderd and its operator only. */
export function buildPlatformNetworkPolicies(config: PolicyContext & Pick<PlatformConfig, "coder">, database: DatabaseSelector, workspacesNamespace: string): NetworkPolicy[] {
    const ns = config.coder.namespace;
    const component = "control-plane";
    const coderd = { matchLabels: coderdPodLabels };
    const ingressController = { ...namespacePeer(config.network.ingressController.namespace), podSelector: { matchLabels: config.network.ingressController.podLabels } };
    const internet = internetIpBlocks(config).map((ipBlock) => ({ ipBlock }));
    const policies = baseline(ns, component);
    policies.push(policy(ns, "coderd-ingress", component, {
        podSelector: coderd,
        policyTypes: ["Ingress"],
        ingress: [{
            // Replicas relay DERP to each other over the same port (chart: CODER_DERP_SERVER_RELAY_URL).
            from: [ingressController, { ...namespacePeer(workspacesNamespace), podSelector: {} }, { podSelector: coderd }],
            ports: [{ protocol: "TCP", port: coderdHttpPort }],
        }],
    }));
    const databaseEgress = database.podLabels
        ? [{ to: [{ podSelector: { matchLabels: database.podLabels } }], ports: [{ protocol: "TCP", port: cnpgPorts.postgres }] }]
        // An external database lives wherever its URL says: Postgres' port only, on any address.
        : [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: cnpgPorts.postgres }] }];
    policies.push(policy(ns, "coderd-egress", component, {
        podSelector: coderd,
        policyTypes: ["Egress"],
        egress: [
            ...databaseEgress,
            ...apiServerPeers(config),
            { to: [{ podSelector: coderd }], ports: [{ protocol: "TCP", port: coderdHttpPort }] },
            // Terraform providers and modules, OIDC, git: the internet, never the cluster's own ranges.
            { to: internet },
        ],
    }));
    if (database.podLabels) {
        const db = { matchLabels: database.podLabels };
        const dbPorts = database.cnpg ? [{ protocol: "TCP", port: cnpgPorts.postgres }, { protocol: "TCP", port: cnpgPorts.status }] : [{ protocol: "TCP", port: cnpgPorts.postgres }];
        policies.push(policy(ns, "database-ingress", component, {
            podSelector: db,
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ podSelector: coderd }], ports: [{ protocol: "TCP", port: cnpgPorts.postgres }] },
                ...(database.cnpg ? [
                    { from: [{ ...namespacePeer(cnpgNamespaceName), podSelector: { matchLabels: cnpgOperatorPodLabels } }], ports: dbPorts },
                    { from: [{ podSelector: db }], ports: dbPorts },
                ] : []),
            ],
        }));
        if (database.cnpg) {
            policies.push(policy(ns, "database-egress", component, {
                podSelector: db,
                policyTypes: ["Egress"],
                // The instance manager reports to the API server; replicas stream from the primary.
                egress: [...apiServerPeers(config), { to: [{ podSelector: db }], ports: dbPorts }],
            }));
        }
    }
    return policies;
}

/** Namespace of the CloudNativePG operator. */
export const cnpgNamespaceName = "cnpg-system";

/** The CloudNativePG operator: to the API server and its clusters' instances; from the API server on its webhook. */
export function buildCnpgOperatorNetworkPolicies(config: PolicyContext & Pick<PlatformConfig, "coder">): NetworkPolicy[] {
    const ns = cnpgNamespaceName;
    const component = "database";
    const operator = { matchLabels: cnpgOperatorPodLabels };
    const policies = baseline(ns, component);
    policies.push(policy(ns, "operator-egress", component, {
        podSelector: operator,
        policyTypes: ["Egress"],
        egress: [
            ...apiServerPeers(config),
            {
                to: [{ ...namespacePeer(config.coder.namespace), podSelector: { matchExpressions: [{ key: "cnpg.io/cluster", operator: "Exists" }] } }],
                ports: [{ protocol: "TCP", port: cnpgPorts.postgres }, { protocol: "TCP", port: cnpgPorts.status }],
            },
        ],
    }));
    policies.push(policy(ns, "operator-webhook-ingress", component, {
        podSelector: operator,
        policyTypes: ["Ingress"],
        // The API server calls admission webhooks from the control-plane nodes.
        ingress: [{ from: config.network.apiServer.cidrs.map((cidr) => ({ ipBlock: outsidePodNetwork(cidr, config) })), ports: [{ protocol: "TCP", port: cnpgWebhookPort }] }],
    }));
    return policies;
}

/** Label of the sysbox installer's pods (runtime-classes.ts `sysboxInstallLabel`). */
const sysboxInstallLabelKey = "sysbox-install";

/** Release name of the NVIDIA device plugin; every pod of it (plugin, GFD, NFD subchart) carries `app.kubernetes.io/instance: <release>`. */
export const nvidiaReleaseName = "nvidia-device-plugin";

/**
 * kube-system holds K3s's own pods (CoreDNS, Traefik, metrics-server, local-path-provisioner,
 * ServiceLB), so it gets no namespace-wide default-deny. Instead these policies select only
 * the platform's pods there: those carrying `app.kubernetes.io/part-of: sandbox-platform`
 * (sysbox-deploy-k8s, smarter-device-manager, node-preflight; kata-deploy through its chart's
 * `podLabels`) and the NVIDIA device plugin release's pods. Ingress is closed for all of them
 * (they serve nothing to other pods; the kubelet's probes come from the node, which policy does
 * not filter towards a pod); egress is closed except the Kubernetes API and DNS for the pods
 * that call the API. None of them is hostNetwork (test/hardening.test.ts), so the policies apply.
 */
export function buildInstallerNetworkPolicies(config: PolicyContext & Pick<PlatformConfig, "runtimes" | "gpu">): NetworkPolicy[] {
    const ns = "kube-system";
    const component = "runtimes";
    const apiAndDns = [...apiServerPeers(config), { to: [dnsPeer], ports: dnsPorts }];
    const policies = [
        policy(ns, "sandbox-platform-default-deny", component, {
            podSelector: { matchLabels: { [labels.partOf]: partOf } },
            policyTypes: ["Ingress", "Egress"],
        }),
        policy(ns, "sandbox-platform-api-clients", component, {
            podSelector: { matchLabels: { [labels.partOf]: partOf, [labels.apiClient]: "true" } },
            policyTypes: ["Egress"],
            egress: apiAndDns,
        }),
    ];
    if (config.runtimes.sysbox.enabled) {
        // sysbox-deploy-k8s fetches Flatcar's dependencies from github.com when its image has none for the
        // node's release (sysbox-pkgr k8s/scripts/sysbox-deploy-k8s.sh): HTTPS to public addresses only.
        // Its GKE probe of 169.254.169.254 stays denied (it then takes the node for non-GKE).
        policies.push(policy(ns, "sandbox-platform-sysbox-fetch", component, {
            podSelector: { matchLabels: { [labels.partOf]: partOf, [sysboxInstallLabelKey]: "yes" } },
            policyTypes: ["Egress"],
            egress: [{ to: internetIpBlocks(config).map((ipBlock) => ({ ipBlock })), ports: [{ protocol: "TCP", port: 443 }] }],
        }));
    }
    if (config.gpu.enabled) {
        // The config managers read node labels, GFD and NFD publish features, NFD's gc lists nodes: all through the API.
        policies.push(policy(ns, "sandbox-platform-nvidia-device-plugin", component, {
            podSelector: { matchLabels: { "app.kubernetes.io/instance": nvidiaReleaseName } },
            policyTypes: ["Ingress", "Egress"],
            egress: apiAndDns,
        }));
    }
    return policies;
}

/**
 * The access namespace, when the platform owns it: default-deny, then the Boundary worker's
 * needs only. Clients reach its proxy listener (`network.accessFrom.proxyPort`) from
 * `network.accessFrom.clientCidrs` (pod addresses excepted: no pod dials a worker); it reaches
 * the team sandboxes' sshd and code-server, DNS, and its upstream (`network.accessFrom.upstream`:
 * Boundary controllers' cluster listener or an upstream worker), never the cluster's own ranges.
 */
export function buildAccessNetworkPolicies(config: PolicyContext & { teams: readonly Pick<TeamConfig, "name">[] }): NetworkPolicy[] {
    const access = config.network.accessFrom;
    const ns = access.namespace;
    const component = "access";
    const workers = { matchLabels: access.podLabels };
    const upstreamPeers = access.upstream.cidrs
        ? access.upstream.cidrs.map((cidr) => ({ ipBlock: outsidePodNetwork(cidr, config) }))
        : internetIpBlocks(config).map((ipBlock) => ({ ipBlock }));
    const policies = baseline(ns, component);
    policies.push(policy(ns, "worker-proxy-ingress", component, {
        podSelector: workers,
        policyTypes: ["Ingress"],
        ingress: [{ from: access.clientCidrs.map((cidr) => ({ ipBlock: outsidePodNetwork(cidr, config) })), ports: [{ protocol: "TCP", port: access.proxyPort }] }],
    }));
    const sandboxPods = { matchExpressions: [{ key: labels.sandbox, operator: "Exists" }] };
    policies.push(policy(ns, "worker-egress", component, {
        podSelector: workers,
        policyTypes: ["Egress"],
        egress: [
            // Pod ports (policies see them after Service translation): sshd behind Service port 22, code-server.
            ...(config.teams.length > 0 ? [{
                to: config.teams.map((team) => ({ ...namespacePeer(teamNamespace(team.name)), podSelector: sandboxPods })),
                ports: [{ protocol: "TCP", port: sshdPort }, { protocol: "TCP", port: sandboxPorts.codeServer }],
            }] : []),
            { to: upstreamPeers, ports: access.upstream.ports.map((port) => ({ protocol: "TCP", port })) },
        ],
    }));
    return policies;
}

/**
 * The agent-sandbox controller's namespace (agentSandbox.enabled): default-deny, then the
 * controller's needs only. It calls the Kubernetes API (no DNS: in-cluster config dials the
 * service IP); the API server calls its CRD conversion webhook on 9443 from the control-plane
 * nodes (k8s/crds/*.yaml spec.conversion, webhook Service port 443 → 9443). Its metrics and
 * probe ports stay closed to pods (the kubelet's probes come from the node).
 */
export function buildAgentSandboxNetworkPolicies(config: PolicyContext, namespace: string, podLabels: Record<string, string>, webhookPort: number): NetworkPolicy[] {
    const component = "agent-sandbox";
    const controller = { matchLabels: podLabels };
    return [
        policy(namespace, "default-deny", component, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy(namespace, "controller-api-egress", component, {
            podSelector: controller,
            policyTypes: ["Egress"],
            egress: apiServerPeers(config),
        }),
        policy(namespace, "controller-webhook-ingress", component, {
            podSelector: controller,
            policyTypes: ["Ingress"],
            ingress: [{ from: config.network.apiServer.cidrs.map((cidr) => ({ ipBlock: outsidePodNetwork(cidr, config) })), ports: [{ protocol: "TCP", port: webhookPort }] }],
        }),
    ];
}
