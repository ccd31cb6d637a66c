// Every sandbox namespace starts from deny-all in both directions; each allow below is
// one explicit hole. No sandbox can reach another: ingress comes only from the access
// path, and internet egress excludes the cluster's pod and service ranges.

import { PlatformConfig, TeamConfig } from "../config/schema";
import { NetworkPolicy } from "../manifest";
import { commonLabels, labels, teamNamespace } from "../naming";
import { sshdPort } from "../access/sshd";

/** Ports a sandbox serves: sshd and code-server. */
export const sandboxPorts = { ssh: 22, codeServer: 13337 } as const;

/** Link-local range: cloud metadata endpoints live here and sandboxes must not reach them. */
const linkLocal = "169.254.0.0/16";

function policy(namespace: string, name: string, spec: NetworkPolicy["spec"]): NetworkPolicy {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace, labels: commonLabels("sandboxes") },
        spec,
    };
}

export function buildTeamNetworkPolicies(team: TeamConfig, config: PlatformConfig): NetworkPolicy[] {
    return buildSandboxNetworkPolicies(teamNamespace(team.name), config);
}

/**
 * Policies of any namespace that runs sandboxes. `egressToNamespaces` opens egress to
 * named namespaces (Coder workspaces reach their control plane this way).
 */
export function buildSandboxNetworkPolicies(namespace: string, config: PlatformConfig, egressToNamespaces: string[] = []): NetworkPolicy[] {
    const sandboxPods = { matchExpressions: [{ key: labels.sandbox, operator: "Exists" }] };
    const policies: NetworkPolicy[] = [
        policy(namespace, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy(namespace, "allow-dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{
                to: [{
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            }],
        }),
        policy(namespace, "allow-access-ingress", {
            podSelector: sandboxPods,
            policyTypes: ["Ingress"],
            ingress: [{
                from: [{
                    namespaceSelector: { matchLabels: config.network.accessFrom.namespaceLabels },
                    podSelector: { matchLabels: config.network.accessFrom.podLabels },
                }],
                // NetworkPolicy ports are the pod's ports: sshd listens on sshdPort behind Service port 22.
                ports: [{ protocol: "TCP", port: sshdPort }, { protocol: "TCP", port: sandboxPorts.codeServer }],
            }],
        }),
    ];
    for (const target of egressToNamespaces) {
        policies.push(policy(namespace, `allow-egress-to-${target}`, {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": target } } }] }],
        }));
    }
    if (config.network.egressInternet) {
        policies.push(policy(namespace, "allow-internet-egress", {
            podSelector: sandboxPods,
            policyTypes: ["Egress"],
            egress: [{
                to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [config.cluster.podCidr, config.cluster.serviceCidr, linkLocal] } }],
            }],
        }));
    }
    return policies;
}
