// How an envbox sandbox's inner container becomes reachable from the pod network.
//
// envbox starts the inner container on its own Docker bridge with no published ports
// (coder/envbox 0.6.7 dockerutil/container.go: no PortBindings), so nothing in it is
// reachable on the pod IP. envbox's dockerd gets `--bip=<network+1>/<prefix>` from
// CODER_DOCKER_BRIDGE_CIDR (cli/docker.go dockerdArgs, dockerutil/network.go
// BridgeIPFromCIDR). Pinning a /30 leaves exactly one address besides the bridge's,
// network+2, which Docker's IPAM must give the only container on that bridge: the
// inner container's address is therefore known when the pod is built.
//
// Small unprivileged socat containers in the pod (same network namespace as envbox's
// bridge) listen on the ports the Service targets and forward to that address, and a
// third one answers the envbox container's liveness probe: healthy while the inner
// container's veth is attached to the bridge (coder/envbox issue 161: an inner
// container that died must not leave its pod running). A liveness probe restarts the
// container it is declared on, so the probe sits on the envbox container while its
// check runs in the unprivileged forwarder: nothing runs inside the privileged container.

import { Container, Probe } from "../manifest";
import { sandboxServedPorts } from "./ports";
import { forwarderImage } from "../versions";
import { parseQuantity } from "../config/quantity";

/** CODER_DOCKER_BRIDGE_CIDR: envbox's own default (dockerutil.DefaultBridgeCIDR), pinned so that an upgrade cannot move it. */
export const envboxBridgeCidr = "172.19.0.0/30";

/** Name of the default bridge dockerd creates (`--bip` configures it); the inner container's veth is its only port. */
export const envboxBridgeName = "docker0";

function ipv4ToNumber(ip: string): number {
    return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function numberToIpv4(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The bridge address envbox gives dockerd for a CIDR: network + 1 (BridgeIPFromCIDR). */
export function envboxBridgeAddress(cidr: string): string {
    const { network } = parseCidr(cidr);
    return numberToIpv4(network + 1);
}

/** The inner container's address for a /30 bridge CIDR: the only host address that is not the bridge's. */
export function envboxInnerAddress(cidr: string): string {
    const { network, prefix } = parseCidr(cidr);
    if (prefix !== 30) {
        throw new Error(`envbox bridge CIDR ${cidr}: only a /30 pins the inner container's address (got /${prefix})`);
    }
    return numberToIpv4(network + 2);
}

function parseCidr(cidr: string): { network: number; prefix: number } {
    const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
    if (!match || match[1].split(".").some((octet) => Number(octet) > 255) || Number(match[2]) > 32) {
        throw new Error(`${cidr} is not an IPv4 CIDR`);
    }
    const prefix = Number(match[2]);
    const size = 2 ** (32 - prefix);
    return { network: Math.floor(ipv4ToNumber(match[1]) / size) * size, prefix };
}

/** Port the health forwarder answers the envbox container's probes on (pod-local; no Service, no NetworkPolicy hole). */
export const innerHealthPort = 9099;
export const innerHealthPath = "/healthz";

/** Pod port = inner container port, for every port the Service targets. */
export function forwardedPorts(): { name: string; port: number }[] {
    return sandboxServedPorts().map(({ name, port }) => ({ name, port }));
}

/** Requests = limits of each forwarder container (the team quota counts them). */
export const forwarderResources: Record<string, { cpu: string; memory: string }> = {
    "ssh": { cpu: "250m", memory: "64Mi" },
    "code-server": { cpu: "250m", memory: "64Mi" },
    "inner-health": { cpu: "20m", memory: "16Mi" },
};

/** The restricted-profile securityContext every forwarder runs with. */
export const forwarderSecurityContext = {
    runAsNonRoot: true,
    runAsUser: 65534,
    runAsGroup: 65534,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/**
 * The shell check the health forwarder runs per request: it reads the request up to
 * its blank line, then answers 200 while the bridge has a port (the inner container's
 * veth) and 503 otherwise. Docker removes the veth when the container stops (envbox
 * creates it with AutoRemove). It reaches socat through an environment variable so that
 * socat's address parser (which treats quotes, brackets and commas specially) never
 * sees it: socat runs `sh -c 'eval $INNER_HEALTH_CHECK'`.
 */
export const innerHealthCheck = [
    // No "${" anywhere: the Coder template carries this text in Terraform, which would interpolate it.
    "CR=$(printf '\\r'); while read -r line && [ \"$line\" != \"$CR\" ] && [ -n \"$line\" ]; do :; done;",
    `if [ -n \"\`ls /sys/class/net/${envboxBridgeName}/brif 2>/dev/null\`\" ];`,
    "then printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\ninner container attached\\n';",
    "else printf 'HTTP/1.0 503 Service Unavailable\\r\\nContent-Type: text/plain\\r\\n\\r\\ninner container gone\\n'; fi",
].join(" ");
export const innerHealthCheckEnv = "INNER_HEALTH_CHECK";

function forwarder(name: string, args: string[], port: number, resources: { cpu: string; memory: string }, env?: Container["env"]): Container {
    return {
        name: `forward-${name}`,
        image: forwarderImage,
        command: ["socat"],
        args,
        ...(env ? { env } : {}),
        ports: [{ name: name.slice(0, 15), containerPort: port, protocol: "TCP" }],
        resources: { requests: resources, limits: resources },
        securityContext: forwarderSecurityContext,
    };
}

export interface ForwarderOptions {
    /** Forward the Service's ports (false for Coder workspaces: Coder's agent dials out). */
    servicePorts: boolean;
}

/** The unprivileged containers that sit beside envbox in its pod. */
export function buildEnvboxForwarders(options: ForwarderOptions, cidr = envboxBridgeCidr): Container[] {
    const inner = envboxInnerAddress(cidr);
    const containers: Container[] = [];
    if (options.servicePorts) {
        for (const { name, port } of forwardedPorts()) {
            containers.push(forwarder(name, [`TCP-LISTEN:${port},fork,reuseaddr`, `TCP:${inner}:${port}`], port, forwarderResources[name]));
        }
    }
    containers.push(forwarder("inner-health", [`TCP-LISTEN:${innerHealthPort},fork,reuseaddr`, `SYSTEM:eval $${innerHealthCheckEnv}`],
        innerHealthPort, forwarderResources["inner-health"], [{ name: innerHealthCheckEnv, value: innerHealthCheck }]));
    return containers;
}

/**
 * The envbox container's probes (checked by the health forwarder). The startup probe
 * allows the first start its image pull (envbox pulls the inner image with its own
 * dockerd): 30 minutes.
 */
export function envboxProbes(): { startupProbe: Probe; livenessProbe: Probe } {
    const httpGet = { path: innerHealthPath, port: innerHealthPort, scheme: "HTTP" };
    return {
        startupProbe: { httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 180 },
        livenessProbe: { httpGet, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
    };
}

/** CPU cores and bytes the forwarders add to an envbox pod (requests = limits; the team quota counts them). */
export function forwarderTotals(options: ForwarderOptions): { cpu: number; memory: number } {
    const names = [...(options.servicePorts ? forwardedPorts().map((p) => p.name) : []), "inner-health"];
    return {
        cpu: names.reduce((sum, n) => sum + parseQuantity(forwarderResources[n].cpu)!, 0),
        memory: names.reduce((sum, n) => sum + parseQuantity(forwarderResources[n].memory)!, 0),
    };
}
