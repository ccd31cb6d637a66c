import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";
import { envboxContainers } from "./envbox";
import { isAllowedInstaller } from "./privileged";
import { describeWorkload, onWorkloads } from "./workloads";

// Pod Security Standards, baseline profile.
const baselineCapabilities = new Set([
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
const safeSysctls = new Set([
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
]);

/**
 * Every workload other than envbox pods (checked by envbox-hardening) and allowlisted
 * installers meets the baseline: no host namespaces, hostPath, extra capabilities,
 * unmasked /proc, unconfined seccomp, hostPorts or unsafe sysctls.
 */
export const podSecurityBaseline: ResourceValidationPolicy = {
    name: "pod-security-baseline",
    description: "Pod Security baseline for every workload that is not an envbox sandbox or an allowlisted installer.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: onWorkloads((workload, args, reportViolation) => {
        const config = args.getConfig<RuleConfig>();
        if (envboxContainers(workload, config).length > 0) {
            return;
        }
        // Node-level installers from the allowlist need the host (privilege or hostPath).
        if (workload.containers.length > 0 && workload.containers.every((ref) => isAllowedInstaller(workload, ref.container.image, config))) {
            return;
        }
        const where = describeWorkload(workload);
        const pod = workload.pod;
        for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (pod[field] === true) {
                reportViolation(`${where}: ${field} is not allowed`);
            }
        }
        for (const volume of (pod.volumes ?? []).filter((v: any) => v.hostPath)) {
            reportViolation(`${where}: hostPath volume ${volume.name} (${volume.hostPath.path}) is not allowed`);
        }
        if (pod.securityContext?.seccompProfile?.type === "Unconfined") {
            reportViolation(`${where}: pod seccompProfile Unconfined is not allowed`);
        }
        for (const sysctl of pod.securityContext?.sysctls ?? []) {
            if (!safeSysctls.has(sysctl.name)) {
                reportViolation(`${where}: sysctl ${sysctl.name} is not in the safe set`);
            }
        }
        for (const { container, path } of workload.containers) {
            const context = container.securityContext ?? {};
            const name = `container ${container.name} (${path})`;
            for (const capability of context.capabilities?.add ?? []) {
                if (!baselineCapabilities.has(String(capability).replace(/^CAP_/, ""))) {
                    reportViolation(`${where}: ${name} adds capability ${capability}, beyond the baseline set`);
                }
            }
            if (context.procMount !== undefined && context.procMount !== "Default") {
                reportViolation(`${where}: ${name} sets procMount ${context.procMount}`);
            }
            if (context.seccompProfile?.type === "Unconfined") {
                reportViolation(`${where}: ${name} sets seccompProfile Unconfined`);
            }
            for (const port of container.ports ?? []) {
                if (port.hostPort) {
                    reportViolation(`${where}: ${name} uses hostPort ${port.hostPort}`);
                }
            }
        }
    }),
};
