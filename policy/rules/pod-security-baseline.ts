import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";
import { hardenedEnvbox } from "./envbox";
import { matchingInstaller } from "./installers";
import { describeWorkload, onWorkloads } from "./workloads";
import * as definitions from "../definitions";

// Pod Security Standards, baseline profile, control by control, as
// kubernetes/pod-security-admission v0.36.2 policy/check_*.go implements it at
// version `latest` (docs/upstream.md, "Kubernetes API semantics"). Privileged
// containers are the no-privileged-containers rule's.

export const baselineCapabilities = new Set(definitions.baselineCapabilities);
export const safeSysctls = new Set(definitions.safeSysctls);
export const baselineSeLinuxTypes = new Set(definitions.baselineSeLinuxTypes);
const { appArmorAnnotationPrefix: appArmorAnnotation, seccompPodAnnotation, seccompContainerAnnotationPrefix: seccompContainerAnnotation } = definitions;

/** check_appArmorProfile.go allowedAnnotationValue. */
const allowedAppArmorAnnotation = (value: unknown) => value === undefined || definitions.allowedAppArmorAnnotationValues.includes(value as string)
    || (typeof value === "string" && value.startsWith(definitions.allowedAppArmorAnnotationPrefix));
const allowedProfileType = (type: unknown) => type === undefined || definitions.allowedProfileTypes.includes(type as string);
/** check_seccompProfile_baseline.go validSeccompAnnotationValue (checked at every version here: stricter). */
const allowedSeccompAnnotation = (value: unknown) => definitions.allowedSeccompAnnotationValues.includes(value as string)
    || (typeof value === "string" && value.startsWith(definitions.allowedSeccompAnnotationPrefix));

function seLinuxProblems(options: any): string[] {
    if (!options || typeof options !== "object") {
        return [];
    }
    const problems: string[] = [];
    if (!baselineSeLinuxTypes.has(options.type ?? "")) {
        problems.push(`seLinuxOptions.type ${options.type}`);
    }
    if (options.user) {
        problems.push(`seLinuxOptions.user ${options.user}`);
    }
    if (options.role) {
        problems.push(`seLinuxOptions.role ${options.role}`);
    }
    return problems;
}

function hostProbeProblems(container: any): string[] {
    const problems: string[] = [];
    for (const probe of definitions.probeNames) {
        for (const handler of definitions.hostHandlers) {
            if (container[probe]?.[handler]?.host) {
                problems.push(`${probe}.${handler}.host ${container[probe][handler].host}`);
            }
        }
    }
    for (const hook of definitions.lifecycleHooks) {
        for (const handler of definitions.hostHandlers) {
            if (container.lifecycle?.[hook]?.[handler]?.host) {
                problems.push(`lifecycle.${hook}.${handler}.host ${container.lifecycle[hook][handler].host}`);
            }
        }
    }
    return problems;
}

/** What a pod-level securityContext asks for beyond the baseline (each a message tail). */
export function podContextProblems(podContext: any): string[] {
    const problems: string[] = [];
    if (podContext?.windowsOptions?.hostProcess === true) {
        problems.push("pod sets windowsOptions.hostProcess");
    }
    if (!allowedProfileType(podContext?.seccompProfile?.type) || podContext?.seccompProfile?.type === "Unconfined") {
        problems.push(`pod seccompProfile ${podContext.seccompProfile?.type} is not allowed`);
    }
    if (!allowedProfileType(podContext?.appArmorProfile?.type)) {
        problems.push(`pod appArmorProfile ${podContext.appArmorProfile?.type} is not allowed`);
    }
    for (const problem of seLinuxProblems(podContext?.seLinuxOptions)) {
        problems.push(`pod sets ${problem}, outside the baseline`);
    }
    for (const sysctl of Array.isArray(podContext?.sysctls) ? podContext.sysctls : []) {
        if (!safeSysctls.has(sysctl?.name)) {
            problems.push(`sysctl ${sysctl?.name} is not in the safe set`);
        }
    }
    return problems;
}

/** What a container's securityContext asks for beyond the baseline (each a message tail after the container's name). */
export function containerContextProblems(context: any): string[] {
    const problems: string[] = [];
    for (const capability of Array.isArray(context?.capabilities?.add) ? context.capabilities.add : []) {
        if (!baselineCapabilities.has(capability)) {
            problems.push(`adds capability ${capability}, beyond the baseline set`);
        }
    }
    if (context?.procMount !== undefined && context.procMount !== "Default") {
        problems.push(`sets procMount ${context.procMount}`);
    }
    if (!allowedProfileType(context?.seccompProfile?.type)) {
        problems.push(`sets seccompProfile ${context.seccompProfile?.type}`);
    }
    if (!allowedProfileType(context?.appArmorProfile?.type)) {
        problems.push(`sets appArmorProfile ${context.appArmorProfile?.type}`);
    }
    for (const problem of seLinuxProblems(context?.seLinuxOptions)) {
        problems.push(`sets ${problem}, outside the baseline`);
    }
    if (context?.windowsOptions?.hostProcess === true) {
        problems.push("sets windowsOptions.hostProcess");
    }
    return problems;
}

/**
 * Every pod meets the baseline. The hardened envbox pod and the exact installer pods
 * are exempt from the hostPath control only (their host paths are checked by their
 * own allowlists); every other control applies to every container, theirs included.
 */
export const podSecurityBaseline: ResourceValidationPolicy = {
    name: "pod-security-baseline",
    description: "Pod Security Standards baseline for every pod: host namespaces, hostPath, hostPorts, capabilities, AppArmor, SELinux, /proc mount, seccomp, sysctls, hostProcess, probe hosts.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: onWorkloads((workload, args, reportViolation) => {
        const config = args.getConfig<RuleConfig>();
        const where = describeWorkload(workload);
        const pod = workload.pod;
        const podContext = pod.securityContext ?? {};
        const hostPathExempt = hardenedEnvbox(workload, config) !== undefined || matchingInstaller(workload, config) !== undefined;
        for (const field of definitions.hostNamespaceFields) {
            if (pod[field] === true) {
                reportViolation(`${where}: ${field} is not allowed`);
            }
        }
        if (!hostPathExempt) {
            for (const volume of (Array.isArray(pod.volumes) ? pod.volumes : []).filter((v: any) => v?.hostPath)) {
                reportViolation(`${where}: hostPath volume ${volume.name} (${volume.hostPath.path}) is not allowed`);
            }
        }
        for (const problem of podContextProblems(podContext)) {
            reportViolation(`${where}: ${problem}`);
        }
        for (const [key, value] of Object.entries(workload.podAnnotations)) {
            if (key.startsWith(appArmorAnnotation) && !allowedAppArmorAnnotation(value)) {
                reportViolation(`${where}: annotation ${key}=${value} disables AppArmor`);
            }
            if ((key === seccompPodAnnotation || key.startsWith(seccompContainerAnnotation)) && !allowedSeccompAnnotation(value)) {
                reportViolation(`${where}: annotation ${key}=${value} is not an allowed seccomp profile`);
            }
        }
        for (const { container, path } of workload.containers) {
            const context = container.securityContext ?? {};
            const name = `container ${container.name} (${path})`;
            for (const problem of containerContextProblems(context)) {
                reportViolation(`${where}: ${name} ${problem}`);
            }
            for (const port of Array.isArray(container.ports) ? container.ports : []) {
                if (port?.hostPort) {
                    reportViolation(`${where}: ${name} uses hostPort ${port.hostPort}`);
                }
            }
            for (const problem of hostProbeProblems(container)) {
                reportViolation(`${where}: ${name} sets ${problem}; probes and hooks may not target another host`);
            }
        }
    }),
};
