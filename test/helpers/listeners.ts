// A model of which container in a pod listens on which TCP port, read from the pod
// spec itself (never from the builders' own tables): socat forwarders from their
// TCP-LISTEN/TCP addresses, the start-up script from the sshd config it starts and the
// code-server it starts. envbox's inner container is reached through the address
// the upstream oracle derives from CODER_DOCKER_BRIDGE_CIDR.

import { defaultBridgeCidr, bridgeCidrEnv, innerContainerAddress } from "../upstream/envbox";

export interface Listener { port: number; container: string; how: string }

function env(container: any, name: string): string | undefined {
    return (container.env ?? []).find((e: any) => e.name === name)?.value;
}

/** Ports a start-up script serves in its container: sshd's `Port` from the config it passes with -f, and code-server's bind port. */
export function scriptListeners(script: string, configMaps: Map<string, string>): number[] {
    const ports: number[] = [];
    const sshd = /"\$SSHD" -f (\S+)/.exec(script) ?? /sshd\S* -f (\S+)/.exec(script);
    if (sshd) {
        const config = configMaps.get(sshd[1]);
        const port = config && /^Port (\d+)$/m.exec(config);
        if (port) {
            ports.push(Number(port[1]));
        }
    }
    // The bootstrap that runs the start-up script from its mounted ConfigMap: sshd on the
    // port its settings file gives (sandbox.env in the directory the script reads settings
    // from: its `config_dir=${SANDBOX_CONFIG_DIR:-...}` default); test/rootfs runs it for real.
    const startScript = /exec \/bin\/sh (\S+)/.exec(script);
    const startSource = startScript && configMaps.get(startScript[1]);
    if (startScript && startSource) {
        const configDir = /^config_dir=\$\{SANDBOX_CONFIG_DIR:-([^}]+)\}$/m.exec(startSource)?.[1];
        const settings = (configDir && configMaps.get(`${configDir}/sandbox.env`)) ?? "";
        const sshdPort = /^SANDBOX_SSHD_PORT='(\d+)'$/m.exec(settings);
        if (sshdPort && /"\$sshd" -D "\$@"/.test(startSource) && startSource.includes('-p "$sshd_port"')) {
            ports.push(Number(sshdPort[1]));
        }
    }
    const codeServer = /code-server[^\n]*?(?:--bind-addr[ =]["']?)(?:0\.0\.0\.0|\[::\]|\*)?:(\d+)/.exec(script);
    if (codeServer) {
        ports.push(Number(codeServer[1]));
    }
    return ports;
}

/**
 * Every listener in the pod's network namespace. `configFiles` maps a mounted file path
 * (as the start-up script names it) to its content, e.g. the rendered sshd ConfigMap.
 */
export function podListeners(pod: any, configFiles: Map<string, string>): Listener[] {
    const listeners: Listener[] = [];
    const containers: any[] = pod.containers ?? [];
    const envbox = containers.find((c) => (c.command ?? []).join(" ") === "/envbox docker");
    const innerAddress = envbox ? innerContainerAddress(env(envbox, bridgeCidrEnv) ?? defaultBridgeCidr) : undefined;
    const innerPorts = envbox ? scriptListeners(env(envbox, "CODER_BOOTSTRAP_SCRIPT") ?? "", configFiles) : [];
    for (const container of containers) {
        const argv: string[] = [...(container.command ?? []), ...(container.args ?? [])];
        if (argv[0] === "socat") {
            const listen = /^TCP(?:4)?-LISTEN:(\d+)/i.exec(argv[1] ?? "");
            const target = /^TCP(?:4)?:([\d.]+):(\d+)$/i.exec(argv[2] ?? "");
            if (!listen) {
                continue;
            }
            if (target) {
                // A forwarder serves a port only if something answers at its target.
                const served = target[1] === innerAddress && innerPorts.includes(Number(target[2]));
                if (served) {
                    listeners.push({ port: Number(listen[1]), container: container.name, how: `socat → inner container ${target[1]}:${target[2]}` });
                }
            } else if (/^SYSTEM:/.test(argv[2] ?? "")) {
                listeners.push({ port: Number(listen[1]), container: container.name, how: "socat SYSTEM responder" });
            }
        } else if (argv.length === 0 && env(container, "ENVBUILDER_INIT_SCRIPT")) {
            // envbuilder runs its init script as `/bin/sh -c <script>` (coder/envbuilder envbuilder.go, v1.3.0).
            for (const port of scriptListeners(env(container, "ENVBUILDER_INIT_SCRIPT")!, configFiles)) {
                listeners.push({ port, container: container.name, how: "start-up script (envbuilder init script)" });
            }
        } else if (String(container.image ?? "").startsWith("registry.k8s.io/agent-sandbox/agent-sandbox-controller:")) {
            // kubernetes-sigs/agent-sandbox v0.5.6 cmd/agent-sandbox-controller/main.go flags: --webhook-port (9443; the
            // webhook server runs unless --enable-webhook=false), --metrics-bind-address (:8080), --health-probe-bind-address (:8081).
            const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
            if (flag("enable-webhook") !== "false") {
                listeners.push({ port: Number(flag("webhook-port") ?? 9443), container: container.name, how: "agent-sandbox webhook server" });
            }
            listeners.push({ port: Number((flag("metrics-bind-address") ?? ":8080").split(":").pop()), container: container.name, how: "agent-sandbox metrics" });
            listeners.push({ port: Number((flag("health-probe-bind-address") ?? ":8081").split(":").pop()), container: container.name, how: "agent-sandbox probes" });
        } else if (argv[0] === "/bin/sh" && argv[1] === "-c" && argv[2]) {
            for (const port of scriptListeners(argv[2], configFiles)) {
                listeners.push({ port, container: container.name, how: "start-up script" });
            }
        }
    }
    return listeners;
}
