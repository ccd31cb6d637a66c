// Oracle for the kata-deploy Helm chart, derived by reading upstream (not copied):
//   kata-containers/kata-containers `tools/packaging/kata-deploy/helm-chart/kata-deploy/` @ 4.1.0
//   (values.yaml, templates/runtimeclasses.yaml, templates/_helpers.tpl) and
//   `tools/packaging/kata-deploy/binary/src/config.rs` (K3s drop-in handling).

export const kataSource = { repo: "kata-containers/kata-containers", tag: "4.1.0", chart: "tools/packaging/kata-deploy/helm-chart/kata-deploy" };

/** values.yaml `shims:` keys (each `enabled: ~`, i.e. follows `disableAll`, which defaults to false). */
export const chartShims = [
    "clh", "clh-azure", "clh-runtime-rs", "clh-azure-runtime-rs", "dragonball", "fc", "qemu", "qemu-runtime-rs",
    "qemu-nvidia-cpu", "qemu-nvidia-cpu-runtime-rs", "qemu-nvidia-gpu", "qemu-nvidia-gpu-runtime-rs", "qemu-nvidia-gpu-snp",
    "qemu-nvidia-gpu-snp-runtime-rs", "qemu-nvidia-gpu-tdx", "qemu-nvidia-gpu-tdx-runtime-rs", "qemu-snp", "qemu-snp-runtime-rs",
    "qemu-tdx", "qemu-tdx-runtime-rs", "qemu-se", "qemu-se-runtime-rs", "qemu-coco-dev", "qemu-coco-dev-runtime-rs", "remote",
    "openvmm-azure-runtime-rs",
];

/** values.yaml: a shim is installed when `enabled: true`, or when `enabled` is null and `disableAll` is false. */
export function shimInstalled(values: any, shim: string): boolean {
    const enabled = values?.shims?.[shim]?.enabled;
    return enabled === true || ((enabled === undefined || enabled === null) && values?.shims?.disableAll !== true);
}

/** templates/runtimeclasses.yaml: pod overhead of each shim's RuntimeClass. */
export const runtimeClassOverheads: Record<string, { memory: string; cpu: string }> = {
    "clh": { memory: "130Mi", cpu: "250m" }, "clh-runtime-rs": { memory: "130Mi", cpu: "250m" }, "dragonball": { memory: "130Mi", cpu: "250m" },
    "fc": { memory: "130Mi", cpu: "250m" }, "qemu": { memory: "320Mi", cpu: "250m" }, "qemu-runtime-rs": { memory: "320Mi", cpu: "250m" },
};

/** values.yaml `verification.daemonsetTimeout`: the chart's own rollout budget, seconds. */
export const daemonsetTimeoutSeconds = 1200;

/** values.yaml `k8sDistribution` choices; `k3s` makes _helpers.tpl mount /var/lib/rancher/k3s/agent/etc/containerd/. */
export const k8sDistributions = ["k8s", "k3s", "rke2", "k0s", "microk8s"];

/**
 * binary/src/config.rs: on K3s, kata-deploy writes `<template dir>/config-v3.toml.d/kata-deploy.toml`
 * (or `config.toml.d` for containerd config v2) and refuses to run unless K3s's rendered
 * config.toml already imports that directory (K3s adds the import since k3s-io/k3s PR 13680).
 */
export const k3sDropInDirs = ["config-v3.toml.d", "config.toml.d"];
