// A real OpenSSH sshd for the access-path tests: started on a free loopback port with a
// rendered sshd_config, as the test user when the tests run as root (sshd refuses
// non-root StrictModes otherwise), and waited for until it listens.
import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import * as path from "path";

export const sshdBinary = "/usr/sbin/sshd";

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

export async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null) {
            throw new Error(`sshd exited with ${child.exitCode}: ${log()}`);
        }
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
            socket.on("error", () => resolve(false));
        });
        if (open) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`sshd did not listen on ${port}: ${log()}`);
}

/**
 * Starts sshd with `<dir>/sshd/sshd_config` and `<dir>/sshd/host_key` on a free loopback port,
 * as `runAs` when given; stderr goes to `onLog`. Resolves once the port accepts connections.
 */
export async function startSshd(dir: string, runAs: string | undefined, onLog: (chunk: string) => void): Promise<{ daemon: ChildProcess; port: number }> {
    const port = await freePort();
    const args = ["-D", "-e", "-f", path.join(dir, "sshd", "sshd_config"), "-h", path.join(dir, "sshd", "host_key"),
        "-p", String(port), "-o", "ListenAddress=127.0.0.1", "-o", `PidFile=${path.join(dir, "sshd", "sshd.pid")}`];
    const daemon = runAs ? spawn("runuser", ["-u", runAs, "--", sshdBinary, ...args]) : spawn(sshdBinary, args);
    let log = "";
    daemon.stderr!.on("data", (chunk) => { log += chunk; onLog(String(chunk)); });
    await waitForPort(port, daemon, () => log);
    return { daemon, port };
}
