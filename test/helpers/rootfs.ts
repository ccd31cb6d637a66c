// A throwaway Debian system for tests that run start-up scripts and servers for real:
// the bookworm root filesystem test/rootfs/build.sh makes once per CI run (from
// Debian's packages, with debootstrap), under a fresh overlay so the cached tree is
// never changed, in its own mount, network and PID namespaces (loopback only; every
// process dies with the namespace).

import { ChildProcess, SpawnSyncReturns, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startScriptPath } from "../../components/sandboxes/bootstrap";

export const defaultRootfs = "/var/cache/sandbox-platform/rootfs-bookworm";
const marker = ".sandbox-platform-rootfs";

export function rootfsPath(): string {
    return process.env.SANDBOX_ROOTFS ?? defaultRootfs;
}

/** Why a rootfs test cannot run here, or undefined when it can. */
export function rootfsUnavailable(): string | undefined {
    if (process.getuid?.() !== 0) {
        return "needs root (overlay mount, chroot, unshare)";
    }
    if (!fs.existsSync(path.join(rootfsPath(), marker))) {
        return `no Debian root filesystem at ${rootfsPath()}: run test/rootfs/build.sh (.ci/run does)`;
    }
    for (const tool of ["unshare", "nsenter", "ip"]) {
        if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
            return `${tool} is not installed`;
        }
    }
    return undefined;
}

/** Skips a mocha suite, printing the reason, when the rootfs cannot be used. */
export function skipWithoutRootfs(context: Mocha.Context): void {
    const reason = rootfsUnavailable();
    if (reason !== undefined) {
        console.warn(`    skipped: ${reason}`);
        context.skip();
    }
}

export interface RunOptions {
    input?: string;
    /** Seconds before the command is killed. */
    timeout?: number;
}

export class RootfsSystem {
    private readonly hostProcesses: ChildProcess[] = [];
    private constructor(private readonly dir: string, private readonly holder: ChildProcess, private readonly pid: number) {}

    /** Where the system's root is, for a process started with hostProcess. */
    get root(): string {
        return path.join(this.dir, "merged");
    }

    /**
     * Starts a program of the host (not of the root filesystem) in the system's mount and
     * network namespaces: it reaches the system's 127.0.0.1 and sees its files under `root`.
     * Stopped with the system.
     */
    hostProcess(args: string[]): ChildProcess {
        const child = spawn("nsenter", ["-t", String(this.pid), "-m", "-n", "--", ...args], { stdio: ["ignore", "ignore", "inherit"] });
        this.hostProcesses.push(child);
        return child;
    }

    static async start(): Promise<RootfsSystem> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-rootfs-"));
        for (const sub of ["upper", "work", "merged"]) {
            fs.mkdirSync(path.join(dir, sub));
        }
        const merged = path.join(dir, "merged");
        const setup = [
            "set -e",
            "ip link set lo up",
            `mount -t overlay overlay -o lowerdir=${rootfsPath()},upperdir=${dir}/upper,workdir=${dir}/work ${merged}`,
            `mount -t proc proc ${merged}/proc`,
            `mount --rbind /dev ${merged}/dev`,
            `mount -t tmpfs tmpfs ${merged}/run`,
            `mount -t tmpfs tmpfs ${merged}/tmp`,
            "echo ready",
            "exec sleep 3600",
        ].join("\n");
        const holder = spawn("unshare", ["--mount", "--net", "--pid", "--fork", "--propagation", "private", "--", "sh", "-c", setup],
            { stdio: ["ignore", "pipe", "pipe"] });
        let errors = "";
        holder.stderr!.on("data", (chunk) => { errors += chunk; });
        await new Promise<void>((resolve, reject) => {
            holder.stdout!.on("data", (chunk) => { if (String(chunk).includes("ready")) resolve(); });
            holder.on("exit", (code) => reject(new Error(`rootfs namespace setup exited with ${code}: ${errors}`)));
        });
        // The sleep holding the namespaces is the child of unshare's fork.
        const children = spawnSync("sh", ["-c", `cat /proc/${holder.pid}/task/*/children`], { encoding: "utf8" }).stdout.trim().split(/\s+/);
        return new RootfsSystem(dir, holder, Number(children[0]));
    }

    /** Runs a shell command inside the chroot, as root, in the system's namespaces. */
    run(command: string, options: RunOptions = {}): SpawnSyncReturns<string> {
        return spawnSync("nsenter", ["-t", String(this.pid), "-m", "-n", "-p", "--", "chroot", path.join(this.dir, "merged"),
            "/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8",
            "/bin/sh", "-c", command], { encoding: "utf8", input: options.input, timeout: (options.timeout ?? 60) * 1000 });
    }

    /** Like run, but throws with the command's output when it fails. */
    sh(command: string, options: RunOptions = {}): string {
        const result = this.run(command, options);
        if (result.status !== 0) {
            throw new Error(`in rootfs: ${command}\nexit ${result.status} ${result.signal ?? ""}\n${result.stdout}\n${result.stderr}`);
        }
        return result.stdout;
    }

    write(file: string, content: string, mode = "0644"): void {
        this.sh(`mkdir -p "$(dirname '${file}')" && cat > '${file}' && chmod ${mode} '${file}'`, { input: content });
    }

    read(file: string): string {
        return this.sh(`cat '${file}'`);
    }

    exists(file: string): boolean {
        return this.run(`test -e '${file}'`).status === 0;
    }

    /** Ends every process in the system and removes the overlay. */
    stop(): void {
        for (const child of this.hostProcesses) {
            child.kill("SIGKILL");
        }
        this.holder.kill("SIGKILL");
        if (this.pid > 0) {
            try { process.kill(this.pid, "SIGKILL"); } catch { /* already gone */ }
        }
        spawnSync("sh", ["-c", `for i in 1 2 3 4 5 6 7 8 9 10; do rm -rf '${this.dir}' 2>/dev/null && exit 0; sleep 0.2; done`]);
    }
}

/**
 * Starts the sandbox start-up script as the pods do (foreground, watching sshd), as root or as
 * `asUser`, and waits until it is ready or has failed; returns its output so far.
 */
export function startSandboxScript(system: RootfsSystem, asUser?: string, env = ""): string {
    const run = asUser ? `runuser -u ${asUser} -- env HOME=/home/${asUser} ${env}` : `env ${env}`;
    // One command waits inside the system (each command entering it costs a process spawn).
    const out = system.sh([
        `${run} SANDBOX_FOREGROUND=true setsid sh ${startScriptPath} >/tmp/start.out 2>&1 < /dev/null &`,
        "for i in $(seq 600); do grep -qE 'ready in [0-9]+ ms|FAILED' /tmp/start.out && break; sleep 0.1; done",
        "cat /tmp/start.out",
    ].join("\n"));
    if (!/ready in \d+ ms|FAILED/.test(out)) {
        throw new Error(`start-up script did not finish: ${out}`);
    }
    return out;
}
