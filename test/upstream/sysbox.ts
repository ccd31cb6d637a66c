// Oracle for the sysbox installer, derived by reading upstream (not copied):
//   nestybox/sysbox `sysbox-k8s-manifests/sysbox-install.yaml` @ v0.7.0 (the manifest),
//   nestybox/sysbox-pkgr `k8s/scripts/sysbox-deploy-k8s.sh` @ 47ab416 (master; what it writes and calls).

export const sysboxManifestSource = { repo: "nestybox/sysbox", path: "sysbox-k8s-manifests/sysbox-install.yaml", tag: "v0.7.0" };

/** DaemonSet `sysbox-deploy-k8s` in kube-system: container volumeMounts (mountPath) and the hostPath of each volume. */
export const installerMounts: Record<string, { mountPath: string; hostPath: string }> = {
    "host-etc": { mountPath: "/mnt/host/etc", hostPath: "/etc" },
    "host-osrelease": { mountPath: "/mnt/host/os-release", hostPath: "/etc/os-release" },
    "host-dbus": { mountPath: "/var/run/dbus", hostPath: "/var/run/dbus" },
    "host-run-systemd": { mountPath: "/run/systemd", hostPath: "/run/systemd" },
    "host-lib-systemd": { mountPath: "/mnt/host/lib/systemd/system", hostPath: "/lib/systemd/system" },
    "host-etc-systemd": { mountPath: "/mnt/host/etc/systemd/system", hostPath: "/etc/systemd/system" },
    "host-lib-sysctl": { mountPath: "/mnt/host/lib/sysctl.d", hostPath: "/lib/sysctl.d" },
    "host-opt-lib-sysctl": { mountPath: "/mnt/host/opt/lib/sysctl.d", hostPath: "/opt/lib/sysctl.d" },
    "host-usr-bin": { mountPath: "/mnt/host/usr/bin", hostPath: "/usr/bin/" },
    "host-opt-bin": { mountPath: "/mnt/host/opt/bin", hostPath: "/opt/bin/" },
    "host-usr-local-bin": { mountPath: "/mnt/host/usr/local/bin", hostPath: "/usr/local/bin/" },
    "host-opt-local-bin": { mountPath: "/mnt/host/opt/local/bin", hostPath: "/opt/local/bin/" },
    "host-usr-lib-mod-load": { mountPath: "/mnt/host/usr/lib/modules-load.d", hostPath: "/usr/lib/modules-load.d" },
    "host-opt-lib-mod-load": { mountPath: "/mnt/host/opt/lib/modules-load.d", hostPath: "/opt/lib/modules-load.d" },
    "host-run": { mountPath: "/mnt/host/run", hostPath: "/run" },
    "host-var-lib": { mountPath: "/mnt/host/var/lib", hostPath: "/var/lib" },
};

export const installer = {
    name: "sysbox-deploy-k8s",
    namespace: "kube-system",
    image: "registry.nestybox.com/nestybox/sysbox-deploy-k8s:v0.7.0-0",
    imagePullPolicy: "Always",
    command: ["bash", "-c", "/opt/sysbox/scripts/sysbox-deploy-k8s.sh ce install"],
    serviceAccountName: "sysbox-label-node",
    nodeSelector: { "sysbox-install": "yes" },
    /** The script taints the node `sysbox-runtime=not-running:NoSchedule` while installing (add_taint_to_node). */
    tolerations: [{ key: "sysbox-runtime", operator: "Equal", value: "not-running", effect: "NoSchedule" }],
    env: {
        NODE_NAME: { fieldRef: { fieldPath: "spec.nodeName" } },
        SYSBOX_MGR_CONFIG: { configMapKeyRef: { name: "sysbox-operational-attributes", key: "SYSBOX_MGR_CONFIG" } },
        SYSBOX_FS_CONFIG: { configMapKeyRef: { name: "sysbox-operational-attributes", key: "SYSBOX_FS_CONFIG" } },
    },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
};

/**
 * ClusterRole `sysbox-node-labeler` (bound to the ServiceAccount by `sysbox-label-node-rb`):
 * the script runs `kubectl get/label/taint node` and `kubectl get pod -A` + `kubectl delete pod`.
 */
export const clusterRoleRules = [
    { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "delete", "watch"] },
];

/** RuntimeClass `sysbox-runc`. */
export const runtimeClass = { name: "sysbox-runc", handler: "sysbox-runc", nodeSelector: { "sysbox-runtime": "running" } };
