// Reading pods out of any workload: every pod controller and every container list.

import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

export const podTemplatePaths: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:core/v1:ReplicationController": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const containerLists = ["containers", "initContainers", "ephemeralContainers"] as const;

export interface ContainerRef {
    container: Record<string, any>;
    /** Where it sits, e.g. `initContainers[1]`. */
    path: string;
}

export interface Workload {
    kind: string;
    namespace: string;
    name: string;
    pod: Record<string, any>;
    podLabels: Record<string, string>;
    containers: ContainerRef[];
}

/** The pod spec of a workload, or undefined when the resource carries no pod. */
export function readWorkload(type: string, props: Record<string, any>): Workload | undefined {
    const path = podTemplatePaths[type];
    if (!path) {
        return undefined;
    }
    let pod: any = props;
    for (const key of path) {
        pod = pod?.[key];
    }
    if (!pod) {
        return undefined;
    }
    const templateLabels = type === "kubernetes:core/v1:Pod" ? props.metadata?.labels
        : type === "kubernetes:batch/v1:CronJob" ? props.spec?.jobTemplate?.spec?.template?.metadata?.labels
        : props.spec?.template?.metadata?.labels;
    const containers: ContainerRef[] = [];
    for (const list of containerLists) {
        const entries: any[] = pod[list] ?? [];
        entries.forEach((container, i) => containers.push({ container, path: `${list}[${i}]` }));
    }
    return {
        kind: type.split(":")[2],
        namespace: props.metadata?.namespace ?? "default",
        name: props.metadata?.name ?? "(unnamed)",
        pod,
        podLabels: templateLabels ?? {},
        containers,
    };
}

export function describeWorkload(workload: Workload): string {
    return `${workload.kind} ${workload.namespace}/${workload.name}`;
}

export function isPrivileged(container: Record<string, any>): boolean {
    return container.securityContext?.privileged === true;
}

export function envValue(container: Record<string, any>, name: string): { value?: string; fromReference: boolean } | undefined {
    const entry = (container.env ?? []).find((e: any) => e.name === name);
    if (!entry) {
        return undefined;
    }
    return { value: entry.value, fromReference: entry.valueFrom !== undefined };
}

/** True when the image names a tag other than latest, or a digest. */
export function isPinnedImage(image: unknown): boolean {
    if (typeof image !== "string" || image === "") {
        return false;
    }
    if (/@sha256:[a-f0-9]{64}$/.test(image)) {
        return true;
    }
    const lastSegment = image.split("/").pop()!;
    const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
    return tag !== undefined && tag !== "" && tag !== "latest";
}

/** The repository part of an image reference (no tag, no digest). */
export function imageRepository(image: string): string {
    const withoutDigest = image.split("@")[0];
    const slash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

export const sandboxRuntimeClass = (runtimeClassName: unknown): "sysbox" | "kata" | undefined =>
    runtimeClassName === "sysbox-runc" ? "sysbox" : typeof runtimeClassName === "string" && runtimeClassName.startsWith("kata") ? "kata" : undefined;

/** A resource validation that runs only on resources carrying a pod, with the pod read out. */
export function onWorkloads(validate: (workload: Workload, args: ResourceValidationArgs, reportViolation: ReportViolation) => void): ResourceValidation {
    return (args, reportViolation) => {
        const workload = readWorkload(args.type, args.props);
        if (workload) {
            validate(workload, args, reportViolation);
        }
    };
}
