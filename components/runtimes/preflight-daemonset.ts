// The preflight as a DaemonSet: every node reports its readiness table in the pod log.
// The script is the compiled preflight module, shipped in a ConfigMap; the host's
// /proc, /sys, /dev, /lib/modules and /usr are mounted read-only under /host.

import { ConfigMap, DaemonSet, NetworkPolicy } from "../manifest";
import { commonLabels } from "../naming";
import { preflightImage } from "../versions";

export const preflightName = "node-preflight";

export function buildPreflightDaemonSet(script: string, namespace = "kube-system"): { config: ConfigMap; daemonSet: DaemonSet; networkPolicy: NetworkPolicy } {
    const labels = commonLabels(preflightName);
    const hostPaths = ["/proc", "/sys", "/dev", "/lib/modules", "/usr"];
    const volumeName = (p: string) => `host${p.replace(/\//g, "-")}`;
    return {
        config: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: preflightName, namespace, labels }, data: { "preflight.js": script } },
        // It only reads host files: closed in both directions (it may run before any stack's kube-system policies exist).
        networkPolicy: {
            apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy",
            metadata: { name: preflightName, namespace, labels },
            spec: { podSelector: { matchLabels: { name: preflightName } }, policyTypes: ["Ingress", "Egress"] },
        },
        daemonSet: {
            apiVersion: "apps/v1", kind: "DaemonSet",
            metadata: { name: preflightName, namespace, labels },
            spec: {
                selector: { matchLabels: { name: preflightName } },
                template: {
                    metadata: { labels: { ...labels, name: preflightName } },
                    spec: {
                        automountServiceAccountToken: false,
                        containers: [{
                            name: "preflight",
                            image: preflightImage,
                            command: ["sh", "-c", "node /preflight/preflight.js --root /host && sleep infinity"],
                            // Root (no runAsNonRoot): it reads root-only host files under /host (docs/isolation.md "Hardening exceptions").
                            securityContext: {
                                allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
                            volumeMounts: [
                                { name: "script", mountPath: "/preflight", readOnly: true },
                                ...hostPaths.map((p) => ({ name: volumeName(p), mountPath: `/host${p}`, readOnly: true })),
                            ],
                        }],
                        volumes: [
                            { name: "script", configMap: { name: preflightName } },
                            ...hostPaths.map((p) => ({ name: volumeName(p), hostPath: { path: p } })),
                        ],
                    },
                },
            },
        },
    };
}
