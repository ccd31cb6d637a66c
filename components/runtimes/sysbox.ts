// The sysbox-deploy-k8s installer: a privileged DaemonSet on nodes labelled
// sysbox-install=yes that installs sysbox and CRI-O and then labels the node
// sysbox-runtime=running, which the sysbox-runc RuntimeClass selects.

import { ClusterRole, ClusterRoleBinding, ConfigMap, DaemonSet, ServiceAccount } from "../manifest";
import { commonLabels } from "../naming";
import { sysboxDeployImage } from "../versions";
import { sysboxInstallLabel } from "./runtime-classes";

const namespace = "kube-system";
const name = "sysbox-deploy-k8s";
const serviceAccount = "sysbox-label-node";

export function buildSysboxInstaller(): { serviceAccount: ServiceAccount; role: ClusterRole; binding: ClusterRoleBinding; config: ConfigMap; daemonSet: DaemonSet } {
    const labels = commonLabels("runtimes");
    const hostPaths: [string, string][] = [
        ["host-etc", "/etc"], ["host-osrelease", "/etc/os-release"], ["host-usr-bin", "/usr/bin"], ["host-usr-lib-sysbox", "/usr/lib/sysbox"],
        ["host-lib-systemd", "/lib/systemd/system"], ["host-run-systemd", "/run/systemd"], ["host-var-lib", "/var/lib"],
    ];
    return {
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: serviceAccount, namespace, labels } },
        role: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "sysbox-node-labeler", labels },
            rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] }],
        },
        binding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "sysbox-label-node-rb", labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "sysbox-node-labeler" },
            subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace }],
        },
        config: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "sysbox-operational-attributes", namespace, labels },
            data: { SYSBOX_MGR_CONFIG: "", SYSBOX_FS_CONFIG: "" },
        },
        daemonSet: {
            apiVersion: "apps/v1",
            kind: "DaemonSet",
            metadata: { name, namespace, labels },
            spec: {
                selector: { matchLabels: { "sysbox-install": "yes" } },
                template: {
                    metadata: { labels: { ...labels, "sysbox-install": "yes" } },
                    spec: {
                        serviceAccountName: serviceAccount,
                        nodeSelector: { [sysboxInstallLabel.key]: sysboxInstallLabel.value },
                        containers: [{
                            name,
                            image: sysboxDeployImage,
                            command: ["bash", "-c", "/opt/sysbox/scripts/sysbox-deploy-k8s.sh ce install"],
                            env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
                            envFrom: [{ configMapRef: { name: "sysbox-operational-attributes" } }],
                            securityContext: { privileged: true },
                            volumeMounts: hostPaths.map(([volume]) => ({ name: volume, mountPath: `/mnt/${volume.replace(/^host-/, "host/")}` })),
                        }],
                        volumes: hostPaths.map(([volume, path]) => ({ name: volume, hostPath: { path } })),
                    },
                },
                updateStrategy: { type: "RollingUpdate" },
            },
        },
    };
}
