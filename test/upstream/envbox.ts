// Oracle for coder/envbox behaviour, derived by reading the upstream source at the
// pinned tag (not copied). Each value names the file it comes from.
//   repository: coder/envbox, tag 0.6.7 (components/versions.ts envboxTag)

export const envboxSource = { repo: "coder/envbox", tag: "0.6.7" };

/** cli/docker.go `defaultMounts()`: always bound into the inner container, before CODER_MOUNTS. */
export const defaultMountTargets = ["/var/lib/docker", "/var/lib/containers"];

/** cli/docker.go `envboxPrivateMounts`: mount points private to the outer container. */
export const privateMountPoints = ["/var/lib/containers", "/var/lib/docker", "/var/lib/sysbox", "/lib/modules", "/usr/src", "/var/lib/coder"];

/** cli/docker.go `EnvBridgeCIDR`, and dockerutil/network.go `DefaultBridgeCIDR`. */
export const bridgeCidrEnv = "CODER_DOCKER_BRIDGE_CIDR";
export const defaultBridgeCidr = "172.19.0.1/30";

/**
 * dockerutil/network.go `BridgeIPFromCIDR`: net.ParseCIDR's network address + 1, passed
 * to dockerd as `--bip=<ip>/<prefix>` (cli/docker.go dockerdArgs). The inner container
 * (dockerutil/container.go CreateContainer: default bridge network, no PortBindings) is
 * the only container on that bridge; in a /30 the only other host address is network + 2.
 */
export function innerContainerAddress(cidr: string): string | undefined {
    const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!match || Number(match[5]) !== 30) {
        return undefined;
    }
    const value = ((Number(match[1]) * 256 + Number(match[2])) * 256 + Number(match[3])) * 256 + Number(match[4]);
    const network = value - (value % 4);
    return [24, 16, 8, 0].map((shift) => Math.floor((network + 2) / 2 ** shift) % 256).join(".");
}

/** cli/docker.go `parseMounts`: `src:dst[:opt]`, comma-separated; any entry without 2 or 3 fields (an empty one too) is an error. */
export function parseCoderMounts(value: string): { source: string; target: string; readOnly: boolean }[] {
    if (value === "") {
        return [];
    }
    return value.split(",").map((entry) => {
        const tokens = entry.split(":");
        if (tokens.length < 2 || tokens.length > 3) {
            throw new Error(`malformed mounts value "${value}"`);
        }
        return { source: tokens[0], target: tokens[1], readOnly: tokens[2] === "ro" };
    });
}
