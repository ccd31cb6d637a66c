// The sysbox-deploy-k8s installer: a privileged DaemonSet on nodes labelled
// sysbox-install=yes that installs sysbox and CRI-O and then labels the node
// sysbox-runtime=running, which the sysbox-runc RuntimeClass selects.

import { ClusterRole, ClusterRoleBinding, ConfigMap, DaemonSet, ServiceAccount } from "../manifest";
import { commonLabels } from "../naming";
import { sysboxDeployImage } from "../versions";
import { sysboxInstallLabel } from "./runtime-classes";
import { apiClientLabel } from "./installers";

const namespace = "kube-system";
const name = "sysbox-deploy-k8s";
const serviceAccount = "sysbox-label-node";

/**
 * Host directories the installer script writes (nestybox/sysbox-pkgr k8s/scripts/sysbox-deploy-k8s.sh),
 * as upstream's manifest mounts them (nestybox/sysbox sysbox-k8s-manifests/sysbox-install.yaml @ v0.7.0):
 * volume name, path in the installer container, host path (trailing slashes as upstream writes them).
 */
export const sysboxInstallerHostMounts: [string, string, string][] = [
    ["host-etc", "/mnt/host/etc", "/etc"],
    ["host-osrelease", "/mnt/host/os-release", "/etc/os-release"],
    ["host-dbus", "/var/run/dbus", "/var/run/dbus"],
    ["host-run-systemd", "/run/systemd", "/run/systemd"],
    ["host-lib-systemd", "/mnt/host/lib/systemd/system", "/lib/systemd/system"],
    ["host-etc-systemd", "/mnt/host/etc/systemd/system", "/etc/systemd/system"],
    ["host-lib-sysctl", "/mnt/host/lib/sysctl.d", "/lib/sysctl.d"],
    ["host-opt-lib-sysctl", "/mnt/host/opt/lib/sysctl.d", "/opt/lib/sysctl.d"],
    ["host-usr-bin", "/mnt/host/usr/bin", "/usr/bin/"],
    ["host-opt-bin", "/mnt/host/opt/bin", "/opt/bin/"],
    ["host-usr-local-bin", "/mnt/host/usr/local/bin", "/usr/local/bin/"],
    ["host-opt-local-bin", "/mnt/host/opt/local/bin", "/opt/local/bin/"],
    ["host-usr-lib-mod-load", "/mnt/host/usr/lib/modules-load.d", "/usr/lib/modules-load.d"],
    ["host-opt-lib-mod-load", "/mnt/host/opt/lib/modules-load.d", "/opt/lib/modules-load.d"],
    ["host-run", "/mnt/host/run", "/run"],
    ["host-var-lib", "/mnt/host/var/lib", "/var/lib"],
];

/** Taint the script sets while it installs (and removes after); the installer must tolerate it. */
export const sysboxNotRunningTaint = { key: "sysbox-runtime", operator: "Equal", value: "not-running", effect: "NoSchedule" };

const operationalAttributes = ["SYSBOX_MGR_CONFIG", "SYSBOX_FS_CONFIG"];

export function buildSysboxInstaller(): { serviceAccount: ServiceAccount; role: ClusterRole; binding: ClusterRoleBinding; config: ConfigMap; daemonSet: DaemonSet } {
    const labels = commonLabels("runtimes");
    return {
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: serviceAccount, namespace, labels } },
        role: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "sysbox-node-labeler", labels },
            rules: [
                // The script labels and taints its node ...
                { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
                // ... and deletes the node's pods so that they restart on the new runtime.
                { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "delete", "watch"] },
            ],
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
            data: Object.fromEntries(operationalAttributes.map((key) => [key, ""])),
        },
        daemonSet: {
            apiVersion: "apps/v1",
            kind: "DaemonSet",
            metadata: { name, namespace, labels },
            spec: {
                selector: { matchLabels: { [sysboxInstallLabel.key]: sysboxInstallLabel.value } },
                template: {
                    // The script calls the API (kubectl label, taint, delete pod): apiClientLabel opens it.
                    metadata: { labels: { ...labels, [sysboxInstallLabel.key]: sysboxInstallLabel.value, [apiClientLabel.key]: apiClientLabel.value } },
                    spec: {
                        serviceAccountName: serviceAccount,
                        nodeSelector: { [sysboxInstallLabel.key]: sysboxInstallLabel.value },
                        tolerations: [sysboxNotRunningTaint],
                        containers: [{
                            name,
                            image: sysboxDeployImage,
                            imagePullPolicy: "Always",
                            command: ["bash", "-c", "/opt/sysbox/scripts/sysbox-deploy-k8s.sh ce install"],
                            env: [
                                { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                                ...operationalAttributes.map((key) => ({ name: key, valueFrom: { configMapKeyRef: { name: "sysbox-operational-attributes", key } } })),
                            ],
                            securityContext: { privileged: true },
                            // Upstream sets no resources; a bound keeps a runaway install from starving the node.
                            // Our choice (no upstream figure): the script copies binaries and restarts services.
                            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                            volumeMounts: sysboxInstallerHostMounts.map(([volume, mountPath]) => ({ name: volume, mountPath })),
                        }],
                        volumes: sysboxInstallerHostMounts.map(([volume, , path]) => ({ name: volume, hostPath: { path } })),
                    },
                },
                updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
            },
        },
    };
}
