// The envbox access path run for real: the forwarder containers' exact commands under
// the real socat, in a network namespace shaped like an envbox pod (a docker0 bridge at
// the address envbox gives dockerd, the inner container in its own namespace on a veth).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    buildEnvboxForwarders, envboxBridgeAddress, envboxBridgeCidr, envboxInnerAddress, envboxProbes, innerHealthPath, innerHealthPort,
} from "../components/sandboxes/envbox-network";
import { sshdPort } from "../components/access/sshd";

function shellQuote(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}

function canUseNetworkNamespaces(): boolean {
    const probe = spawnSync("unshare", ["-rnm", "--fork", "sh", "-c", "mount -t sysfs sysfs /sys && ip link add b0 type bridge"], { encoding: "utf8" });
    return probe.status === 0 && spawnSync("socat", ["-V"]).status === 0;
}

describe("envbox networking (coder/envbox 0.6.7 dockerutil/network.go, dockerutil/container.go)", () => {
    it("derives the bridge address as network + 1, as envbox's BridgeIPFromCIDR does (dockerutil/network.go)", () => {
        // Oracle: envbox's DefaultBridgeCIDR "172.19.0.1/30" gives dockerd --bip=172.19.0.1/30.
        assert.strictEqual(envboxBridgeAddress("172.19.0.1/30"), "172.19.0.1");
        assert.strictEqual(envboxBridgeAddress(envboxBridgeCidr), "172.19.0.1");
        assert.strictEqual(envboxBridgeAddress("10.250.3.7/30"), "10.250.3.5");
    });

    it("pins the inner container to the only other host address of the /30", () => {
        assert.strictEqual(envboxInnerAddress(envboxBridgeCidr), "172.19.0.2");
        assert.throws(() => envboxInnerAddress("172.19.0.0/24"), /only a \/30/);
    });

    it("forwards pod ports to the inner container's address and probes the envbox container through the health forwarder", () => {
        const forwarders = buildEnvboxForwarders({ servicePorts: true });
        const ssh = forwarders.find((c) => c.name === "forward-ssh")!;
        assert.deepStrictEqual(ssh.args, [`TCP-LISTEN:${sshdPort},fork,reuseaddr`, `TCP:172.19.0.2:${sshdPort}`]);
        const probes = envboxProbes();
        assert.strictEqual(probes.livenessProbe.httpGet!.port, innerHealthPort);
        assert.ok(forwarders.some((c) => c.ports!.some((p) => p.containerPort === innerHealthPort)));
        for (const container of forwarders) {
            assert.strictEqual(container.securityContext!.privileged, false);
            assert.strictEqual(container.securityContext!.runAsNonRoot, true);
            assert.deepStrictEqual(container.securityContext!.capabilities!.drop, ["ALL"]);
        }
    });

    it("really forwards to the inner container and reports it gone once its veth leaves the bridge (real socat, network namespaces)", function () {
        if (!canUseNetworkNamespaces()) {
            this.skip();
        }
        this.timeout(30000);
        const forwarders = buildEnvboxForwarders({ servicePorts: true });
        const ssh = forwarders.find((c) => c.name === "forward-ssh")!;
        const health = forwarders.find((c) => c.name === "forward-inner-health")!;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "envbox-net-"));
        const envAssignments = (health.env ?? []).map((e) => `${e.name}=${shellQuote(e.value!)}`).join(" ");
        const get = `node -e ${shellQuote(`require("http").get("http://127.0.0.1:${innerHealthPort}${innerHealthPath}", (r) => { let b = ""; r.on("data", (d) => b += d); r.on("end", () => console.log(r.statusCode, b.trim())); }).on("error", (e) => console.log("error", e.message));`)}`;
        const innerServer = `node -e ${shellQuote(`require("net").createServer((s) => s.end("inner sshd at " + s.localAddress + "\\n")).listen(${sshdPort}, "0.0.0.0")`)}`;
        const script = [
            "set -e",
            "mount -t sysfs sysfs /sys",
            "ip link set lo up",
            // envbox's dockerd: bridge docker0 with --bip=<bridge>/30.
            `ip link add docker0 type bridge && ip addr add ${envboxBridgeAddress(envboxBridgeCidr)}/30 dev docker0 && ip link set docker0 up`,
            `${envAssignments} socat ${health.args!.map(shellQuote).join(" ")} & HEALTH=$!`,
            `socat ${ssh.args!.map(shellQuote).join(" ")} & FWD=$!`,
            "sleep 0.5",
            `echo "before: $(${get})"`,
            // The inner container: its own network namespace on a veth attached to docker0.
            "unshare -n sleep 60 & INNER=$!",
            "sleep 0.2",
            "ip link add veth0 type veth peer name eth0 netns $INNER",
            "ip link set veth0 master docker0 && ip link set veth0 up",
            `nsenter -t $INNER -n sh -c 'ip link set lo up && ip addr add ${envboxInnerAddress(envboxBridgeCidr)}/30 dev eth0 && ip link set eth0 up'`,
            `nsenter -t $INNER -n ${innerServer} & SERVER=$!`,
            "sleep 1",
            `echo "running: $(${get})"`,
            `echo "forwarded: $(node -e ${shellQuote(`const s = require("net").connect(${sshdPort}, "127.0.0.1"); let b = ""; s.on("data", (d) => b += d); s.on("end", () => console.log(b.trim())); s.on("error", (e) => console.log("error", e.message));`)})"`,
            // The inner container dies: its namespace and veth go away.
            "kill $SERVER $INNER; wait $INNER 2>/dev/null || true",
            "sleep 0.5",
            `echo "after: $(${get})"`,
            "kill $HEALTH $FWD",
        ].join("\n");
        fs.writeFileSync(path.join(dir, "run.sh"), script);
        const result = spawnSync("unshare", ["-rnm", "--fork", "bash", path.join(dir, "run.sh")], { encoding: "utf8", timeout: 25000 });
        fs.rmSync(dir, { recursive: true, force: true });
        const out = result.stdout;
        assert.match(out, /before: 503 inner container gone/, out + result.stderr);
        assert.match(out, /running: 200 inner container attached/, out + result.stderr);
        assert.match(out, /forwarded: inner sshd at 172\.19\.0\.2/, out + result.stderr);
        assert.match(out, /after: 503 inner container gone/, out + result.stderr);
    });
});
