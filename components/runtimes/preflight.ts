// Node preflight: reads a node's /proc, /sys and /dev (under `root`, "/" on the node
// itself or "/host" in the preflight DaemonSet) and says which runtimes can run there.
// Imports only fs and path so that the DaemonSet can ship it as a single script.

import * as fs from "fs";
import * as path from "path";

export interface Check { name: string; ok: boolean; detail: string }
export interface RuntimeReadiness { runtime: string; ready: boolean; checks: Check[] }

function read(root: string, file: string): string | undefined {
    try {
        return fs.readFileSync(path.join(root, file), "utf8").trim();
    } catch {
        return undefined;
    }
}

function exists(root: string, file: string): boolean {
    return fs.existsSync(path.join(root, file));
}

/** "6.1.0-18-amd64" → [6, 1]. */
export function kernelVersion(release: string | undefined): [number, number] | undefined {
    const match = /^(\d+)\.(\d+)/.exec(release ?? "");
    return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function atLeast(version: [number, number] | undefined, major: number, minor: number): boolean {
    return version !== undefined && (version[0] > major || (version[0] === major && version[1] >= minor));
}

function userNamespaces(root: string): Check {
    const max = read(root, "proc/sys/user/max_user_namespaces");
    const unprivileged = read(root, "proc/sys/kernel/unprivileged_userns_clone");
    const ok = max !== undefined && Number(max) > 0 && unprivileged !== "0";
    return { name: "user namespaces", ok, detail: `max_user_namespaces=${max ?? "missing"}${unprivileged !== undefined ? `, unprivileged_userns_clone=${unprivileged}` : ""}` };
}

/** Where K3s renders containerd's config (config.toml) and reads its templates and drop-in directories. */
export const k3sContainerdDir = "/var/lib/rancher/k3s/agent/etc/containerd";

function listToml(root: string, dir: string): string[] {
    try {
        return fs.readdirSync(path.join(root, dir)).filter((name) => name.endsWith(".toml")).map((name) => `${dir}/${name}`);
    } catch {
        return [];
    }
}

/** containerd config files that may carry runtime entries: K3s's rendered config and drop-ins, or the stock ones. */
function containerdConfigFiles(root: string): string[] {
    const k3s = k3sContainerdDir.slice(1);
    return [
        `${k3s}/config.toml`, ...listToml(root, `${k3s}/config-v3.toml.d`), ...listToml(root, `${k3s}/config.toml.d`),
        "etc/containerd/config.toml", ...listToml(root, "etc/containerd/conf.d"),
    ].filter((file) => exists(root, file));
}

/**
 * kata-deploy 4.1.0 on K3s writes its runtimes to config-v3.toml.d/ (or config.toml.d/) and
 * refuses to run unless K3s's rendered config.toml imports that directory, which K3s does
 * from k3s-io/k3s PR 13680 on (kata-containers tools/packaging/kata-deploy/binary/src/config.rs).
 */
function k3sDropInCheck(root: string): Check[] {
    const rendered = read(root, `${k3sContainerdDir.slice(1)}/config.toml`);
    if (rendered === undefined) {
        return [];
    }
    const imports = /config-v3\.toml\.d|config\.toml\.d/.test(rendered);
    return [{ name: "K3s containerd config imports a drop-in directory (kata-deploy 4.1.0)", ok: imports, detail: imports ? "imports present" : "upgrade K3s to a release with default drop-in imports (k3s-io/k3s PR 13680)" }];
}

export function preflight(root = "/"): RuntimeReadiness[] {
    const release = read(root, "proc/sys/kernel/osrelease");
    const kernel = kernelVersion(release);
    const kernelText = release ?? "unknown";
    const userns = userNamespaces(root);
    const modules = release !== undefined && exists(root, `lib/modules/${release}`);
    const idmapped = atLeast(kernel, 5, 12);
    const shiftfs = exists(root, "sys/module/shiftfs");
    const results: RuntimeReadiness[] = [];
    const add = (runtime: string, checks: Check[]) => results.push({ runtime, ready: checks.every((c) => c.ok), checks });

    add("envbox", [
        { name: "kernel >= 5.5 (seccomp API level for sysbox)", ok: atLeast(kernel, 5, 5), detail: kernelText },
        { name: "kernel modules for /lib/modules mount", ok: modules, detail: modules ? `lib/modules/${release}` : "missing" },
        { name: "kernel headers at /usr/src", ok: exists(root, "usr/src"), detail: exists(root, "usr/src") ? "present" : "missing" },
    ]);
    add("sysbox", [
        { name: "kernel >= 5.0", ok: atLeast(kernel, 5, 0), detail: kernelText },
        { name: "ID-mapped mounts (kernel >= 5.12) or shiftfs", ok: idmapped || shiftfs, detail: idmapped ? "idmapped mounts" : shiftfs ? "shiftfs module" : "neither" },
        userns,
    ]);
    add("kata", [
        { name: "/dev/kvm", ok: exists(root, "dev/kvm"), detail: exists(root, "dev/kvm") ? "present" : "missing (no hardware virtualization)" },
        { name: "vhost-vsock", ok: exists(root, "dev/vhost-vsock") || exists(root, "sys/module/vhost_vsock"), detail: exists(root, "dev/vhost-vsock") ? "/dev/vhost-vsock" : exists(root, "sys/module/vhost_vsock") ? "module loaded" : "missing" },
        { name: "vhost-net", ok: exists(root, "dev/vhost-net") || exists(root, "sys/module/vhost_net"), detail: exists(root, "dev/vhost-net") ? "/dev/vhost-net" : exists(root, "sys/module/vhost_net") ? "module loaded" : "missing" },
        ...k3sDropInCheck(root),
    ]);
    // gVisor on containerd needs runsc, containerd-shim-runsc-v1 on containerd's PATH and a
    // runtime entry with runtime_type io.containerd.runsc.v1 (gvisor g3doc/user_guide/containerd/quick_start.md);
    // K3s does not detect runsc by itself.
    const binary = (name: string) => ["usr/local/bin", "usr/bin"].map((dir) => `${dir}/${name}`).find((file) => exists(root, file));
    const runsc = binary("runsc");
    const shim = binary("containerd-shim-runsc-v1");
    const entry = containerdConfigFiles(root).find((file) => /io\.containerd\.runsc\.v1/.test(read(root, file) ?? ""));
    add("gvisor", [
        { name: "runsc installed", ok: runsc !== undefined, detail: runsc ? `/${runsc}` : "missing: install gVisor (gvisor.dev/docs/user_guide/install)" },
        { name: "containerd-shim-runsc-v1 installed", ok: shim !== undefined, detail: shim ? `/${shim}` : "missing: it ships with runsc" },
        { name: "containerd runtime entry for runsc", ok: entry !== undefined, detail: entry ? `/${entry}` : `no runtime_type "io.containerd.runsc.v1" in ${k3sContainerdDir} or /etc/containerd` },
    ]);
    const driver = read(root, "proc/driver/nvidia/version");
    add("gpu", [
        { name: "/dev/nvidiactl and /dev/nvidia0", ok: exists(root, "dev/nvidiactl") && exists(root, "dev/nvidia0"), detail: exists(root, "dev/nvidia0") ? "present" : "missing" },
        { name: "NVIDIA driver", ok: driver !== undefined, detail: driver?.split("\n")[0] ?? "missing /proc/driver/nvidia/version" },
    ]);
    add("fuse", [{ name: "/dev/fuse", ok: exists(root, "dev/fuse"), detail: exists(root, "dev/fuse") ? "present" : "missing" }]);
    add("tun", [{ name: "/dev/net/tun", ok: exists(root, "dev/net/tun"), detail: exists(root, "dev/net/tun") ? "present" : "missing" }]);
    return results;
}

/** Node label the gvisor RuntimeClass selects (runtime-classes.ts gvisorNodeLabel). */
export const gvisorLabel = { key: "sandbox-platform.io/gvisor", value: "installed" };

/** `kubectl` arguments that set the gVisor label where runsc, its shim and the containerd entry are all present, and remove it elsewhere. */
export function gvisorLabelCommand(results: RuntimeReadiness[], node: string): string[] {
    const ready = results.find((r) => r.runtime === "gvisor")?.ready === true;
    return ["label", "node", node, ready ? `${gvisorLabel.key}=${gvisorLabel.value}` : `${gvisorLabel.key}-`, "--overwrite"];
}

export function readinessTable(results: RuntimeReadiness[]): string {
    const lines = ["runtime  ready  checks"];
    for (const result of results) {
        const checks = result.checks.map((c) => `${c.ok ? "ok" : "NO"} ${c.name} (${c.detail})`).join("; ");
        lines.push(`${result.runtime.padEnd(8)} ${(result.ready ? "yes" : "no").padEnd(6)} ${checks}`);
    }
    return lines.join("\n");
}

// Run directly (`node preflight.js [--root DIR] [--json]`, as the DaemonSet does).
if (require.main === module) {
    const args = process.argv.slice(2);
    const rootIndex = args.indexOf("--root");
    const results = preflight(rootIndex >= 0 ? args[rootIndex + 1] : "/");
    process.stdout.write(`${args.includes("--json") ? JSON.stringify(results, null, 2) : readinessTable(results)}\n`);
}
