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
    ]);
    const runsc = ["usr/local/bin/runsc", "usr/bin/runsc"].find((file) => exists(root, file));
    add("gvisor", [{ name: "runsc installed", ok: runsc !== undefined, detail: runsc ? `/${runsc}` : "missing: install runsc and the containerd shim" }]);
    const driver = read(root, "proc/driver/nvidia/version");
    add("gpu", [
        { name: "/dev/nvidiactl and /dev/nvidia0", ok: exists(root, "dev/nvidiactl") && exists(root, "dev/nvidia0"), detail: exists(root, "dev/nvidia0") ? "present" : "missing" },
        { name: "NVIDIA driver", ok: driver !== undefined, detail: driver?.split("\n")[0] ?? "missing /proc/driver/nvidia/version" },
    ]);
    add("fuse", [{ name: "/dev/fuse", ok: exists(root, "dev/fuse"), detail: exists(root, "dev/fuse") ? "present" : "missing" }]);
    add("tun", [{ name: "/dev/net/tun", ok: exists(root, "dev/net/tun"), detail: exists(root, "dev/net/tun") ? "present" : "missing" }]);
    return results;
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
