// sysbox and kata sandboxes: the runtime isolates the workload (a user namespace
// with sysbox, a VM with kata), so no container in the pod is privileged.

import { DevicesConfig, PlatformConfig } from "../config/schema";
import { Container, PodSpec } from "../manifest";
import { dockerCacheClaimName, homeClaimName, sshdConfigMapName } from "../naming";
import { sshCaConfigMapName, sshCaDir, sshdConfigDir } from "../access/sshd";
import { buildBootstrapScript } from "./bootstrap";
import { sandboxServedPorts } from "./ports";
import { workspaceHome } from "./envbox";
import { SandboxPlan, runtimeClassFor } from "./plan";

/** Extended resources smarter-device-manager advertises for FUSE and TUN. */
export const fuseResource = "smarter-devices/fuse";
export const tunResource = "smarter-devices/net_tun";

export function buildIsolatedPodSpec(sandbox: SandboxPlan, config: Pick<PlatformConfig, "runtimes"> & { devices: DevicesConfig }): PodSpec {
    if (sandbox.runtime === "envbox") {
        throw new Error(`sandbox ${sandbox.name}: buildIsolatedPodSpec is for sysbox and kata, not envbox`);
    }
    const limits: Record<string, string> = { cpu: sandbox.resources.cpu, memory: sandbox.resources.memory };
    if (config.devices.fuse) {
        limits[fuseResource] = "1";
    }
    if (config.devices.tun) {
        limits[tunResource] = "1";
    }
    const container: Container = {
        name: "workspace",
        image: sandbox.image,
        command: ["/bin/sh", "-c", buildBootstrapScript()],
        // The start-up script serves these in this container (sshd; code-server when it starts it).
        ports: sandboxServedPorts().map(({ name, port }) => ({ name, containerPort: port, protocol: "TCP" })),
        // Root inside the sandbox is unprivileged on the host: sysbox maps it through a
        // user namespace, kata confines it to a VM. It lets the image start its dockerd.
        securityContext: { runAsUser: 0, allowPrivilegeEscalation: true, privileged: false },
        resources: { requests: { cpu: sandbox.resources.cpu, memory: sandbox.resources.memory }, limits },
        volumeMounts: [
            { name: "home", mountPath: workspaceHome, subPath: "home" },
            { name: "docker-cache", mountPath: "/var/lib/docker", subPath: "docker" },
            { name: "sshd", mountPath: sshdConfigDir, readOnly: true },
            { name: "ssh-ca", mountPath: sshCaDir, readOnly: true },
        ],
    };
    return {
        runtimeClassName: runtimeClassFor(sandbox, config),
        ...(sandbox.runtime === "sysbox" ? { hostUsers: false } : {}),
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        hostNetwork: false,
        hostPID: false,
        hostIPC: false,
        terminationGracePeriodSeconds: 60,
        ...(sandbox.imagePullSecret ? { imagePullSecrets: [{ name: sandbox.imagePullSecret }] } : {}),
        containers: [container],
        volumes: [
            { name: "home", persistentVolumeClaim: { claimName: homeClaimName(sandbox.name) } },
            { name: "docker-cache", persistentVolumeClaim: { claimName: dockerCacheClaimName(sandbox.name) } },
            { name: "sshd", configMap: { name: sshdConfigMapName(sandbox.name) } },
            { name: "ssh-ca", configMap: { name: sshCaConfigMapName, optional: true } },
        ],
    };
}
