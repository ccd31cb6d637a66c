// Reading pods out of any resource that carries one: every pod controller (any API
// version), PodTemplate, the Pulumi-only `*Patch` and `*List` types, and custom
// resources that embed a pod spec (agent-sandbox's Sandbox, and any other CRD: found
// by shape). Every container list of every pod is visited.

import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { containerListNames, kataRuntimeClassPrefix, pinnedImagePatterns, sysboxRuntimeClass } from "../definitions";

/** Where the pod spec sits in each built-in carrier, by kind (the group/version does not matter). */
export const podSpecPaths: Record<string, string[]> = {
    Pod: ["spec"],
    PodTemplate: ["template", "spec"],
    Deployment: ["spec", "template", "spec"],
    StatefulSet: ["spec", "template", "spec"],
    DaemonSet: ["spec", "template", "spec"],
    ReplicaSet: ["spec", "template", "spec"],
    ReplicationController: ["spec", "template", "spec"],
    Job: ["spec", "template", "spec"],
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/**
 * Custom resources known to carry a pod spec, by `<group>/<Kind>` (any version): the one place
 * that says where (the admission rules read it too). Other custom resources are searched by shape.
 * agent-sandbox (kubernetes-sigs/agent-sandbox v0.5.6 api/v1beta1 sandbox_types.go,
 * extensions/api/v1beta1/sandboxtemplate_types.go): SandboxBlueprint.podTemplate is a PodTemplate
 * ({ metadata: labels/annotations, spec: PodSpec }); a SandboxWarmPool and a SandboxClaim carry no
 * pod: their pods are the template's (the claim adds labels and annotations only).
 */
export const customPodSpecPaths: Record<string, string[]> = {
    "agents.x-k8s.io/Sandbox": ["spec", "podTemplate", "spec"],
    "extensions.agents.x-k8s.io/SandboxTemplate": ["spec", "podTemplate", "spec"],
};

/** Groups that define the built-in carriers (older API versions included: judged the same way). */
const builtinGroups = new Set(["core", "apps", "extensions", "batch"]);

/** Pulumi types of the built-in carriers at their current API versions (tests use them). */
export const podTemplatePaths: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": podSpecPaths.Pod,
    "kubernetes:core/v1:PodTemplate": podSpecPaths.PodTemplate,
    "kubernetes:apps/v1:Deployment": podSpecPaths.Deployment,
    "kubernetes:apps/v1:StatefulSet": podSpecPaths.StatefulSet,
    "kubernetes:apps/v1:DaemonSet": podSpecPaths.DaemonSet,
    "kubernetes:apps/v1:ReplicaSet": podSpecPaths.ReplicaSet,
    "kubernetes:core/v1:ReplicationController": podSpecPaths.ReplicationController,
    "kubernetes:batch/v1:Job": podSpecPaths.Job,
    "kubernetes:batch/v1:CronJob": podSpecPaths.CronJob,
};

export const containerLists = containerListNames;

/** Types whose contents are chart values, judged by the Helm rule rather than read as pods. */
const helmTypes = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart",
    "kubernetes:helm.cattle.io/v1:HelmChart", "kubernetes:helm.cattle.io/v1:HelmChartConfig"]);

export interface ContainerRef {
    container: Record<string, any>;
    /** Where it sits, e.g. `initContainers[1]`. */
    path: string;
}

export interface Workload {
    kind: string;
    namespace: string;
    name: string;
    /** Where the pod spec sits in the resource, e.g. `spec.template.spec` (with `items[2].` for lists). */
    specPath: string;
    pod: Record<string, any>;
    podLabels: Record<string, string>;
    podAnnotations: Record<string, string>;
    containers: ContainerRef[];
    /** Names of volumeClaimTemplates (StatefulSet, Sandbox): volumes backed by a PVC per replica. */
    claimTemplates: string[];
    /** A Pulumi `*Patch`: only part of the object, merged into what the cluster has. */
    patch: boolean;
}

export interface ParsedType { group: string; version: string; kind: string }

/** `kubernetes:<group>/<version>:<Kind>` → its parts (undefined for other providers). */
export function parsePulumiType(type: string): ParsedType | undefined {
    const match = /^kubernetes:([^:/]+)\/([^:/]+):(.+)$/.exec(type);
    return match ? { group: match[1], version: match[2], kind: match[3] } : undefined;
}

function at(object: any, path: string[]): any {
    let cursor = object;
    for (const key of path) {
        cursor = cursor !== null && typeof cursor === "object" ? cursor[key] : undefined;
    }
    return cursor;
}

function isRecord(value: unknown): value is Record<string, any> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A pod spec by shape: a list of containers that are objects. */
function looksLikePodSpec(value: any): boolean {
    return isRecord(value) && Array.isArray(value.containers) && value.containers.some(isRecord);
}

const skippedKeys = new Set(["metadata", "status", "data", "stringData", "binaryData"]);

/** Every pod spec embedded anywhere in a custom resource, with its path. */
function findPodSpecs(value: any, path: string[], depth: number, found: { path: string[]; pod: any }[]): void {
    if (depth > 16 || value === null || typeof value !== "object") {
        return;
    }
    if (looksLikePodSpec(value)) {
        found.push({ path, pod: value });
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((item, i) => findPodSpecs(item, [...path, String(i)], depth + 1, found));
        return;
    }
    for (const [key, child] of Object.entries(value)) {
        if (!(depth === 0 && skippedKeys.has(key))) {
            findPodSpecs(child, [...path, key], depth + 1, found);
        }
    }
}

function makeWorkload(kind: string, props: Record<string, any>, specPath: string[], pod: any, patch: boolean, prefix = ""): Workload {
    const template = specPath.length >= 2 ? at(props, specPath.slice(0, -1)) : undefined;
    const metadata = specPath.length === 1 ? props.metadata : template?.metadata;
    const containers: ContainerRef[] = [];
    for (const list of containerLists) {
        const entries = Array.isArray(pod[list]) ? pod[list] : [];
        entries.forEach((container: any, i: number) => containers.push({ container: isRecord(container) ? container : {}, path: `${list}[${i}]` }));
    }
    // volumeClaimTemplates sit beside the template (StatefulSet spec, Sandbox spec).
    const owner = specPath.length >= 3 ? at(props, specPath.slice(0, -2)) : undefined;
    const claimTemplates = (Array.isArray(owner?.volumeClaimTemplates) ? owner.volumeClaimTemplates : [])
        .map((t: any) => t?.metadata?.name).filter((n: unknown): n is string => typeof n === "string");
    return {
        kind,
        namespace: props.metadata?.namespace ?? "default",
        name: props.metadata?.name ?? "(unnamed)",
        specPath: prefix + specPath.map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key}`)).join("").replace(/^\./, ""),
        pod,
        podLabels: isRecord(metadata?.labels) ? metadata.labels : {},
        podAnnotations: isRecord(metadata?.annotations) ? metadata.annotations : {},
        containers,
        claimTemplates,
        patch,
    };
}

/** Every pod carried by a resource (empty when it carries none). */
export function readWorkloads(type: string, props: Record<string, any>): Workload[] {
    if (!isRecord(props) || helmTypes.has(type)) {
        return [];
    }
    const parsed = parsePulumiType(type);
    if (!parsed) {
        return [];
    }
    let kind = parsed.kind;
    if (kind.endsWith("List") && Array.isArray(props.items)) {
        const itemKind = kind.slice(0, -"List".length);
        return props.items.flatMap((item: any, i: number) => {
            if (!isRecord(item)) {
                return [];
            }
            const itemType = `kubernetes:${parsed.group}/${parsed.version}:${itemKind || item.kind}`;
            return readWorkloads(itemType, { ...item, metadata: { namespace: props.metadata?.namespace, ...item.metadata } })
                .map((w) => ({ ...w, specPath: `items[${i}].${w.specPath}` }));
        });
    }
    const patch = kind.endsWith("Patch");
    if (patch) {
        kind = kind.slice(0, -"Patch".length);
    }
    const path = builtinGroups.has(parsed.group) ? podSpecPaths[kind] : customPodSpecPaths[`${parsed.group}/${kind}`];
    if (path) {
        const pod = at(props, path);
        return isRecord(pod) ? [makeWorkload(kind, props, path, pod, patch)] : [];
    }
    const found: { path: string[]; pod: any }[] = [];
    findPodSpecs(props, [], 0, found);
    return found.map(({ path: specPath, pod }) => makeWorkload(kind, props, specPath, pod, patch));
}

/** Where an in-process evaluation keeps one resource's workloads for all of its rules. */
export const workloadMemoKey = Symbol("workloads");
export interface WorkloadMemo { workloads?: Workload[] }

/**
 * The pods a rule's resource carries: read once per resource when the evaluation
 * provides a memo (policy/evaluate.ts), read afresh otherwise (the CrossGuard server).
 */
export function workloadsOf(args: { type: string; props: Record<string, any> }): Workload[] {
    const memo = (args as unknown as { [workloadMemoKey]?: WorkloadMemo })[workloadMemoKey];
    if (!memo) {
        return readWorkloads(args.type, args.props);
    }
    memo.workloads ??= readWorkloads(args.type, args.props);
    return memo.workloads;
}

/** The first pod a resource carries (kept for callers that expect one). */
export function readWorkload(type: string, props: Record<string, any>): Workload | undefined {
    return readWorkloads(type, props)[0];
}

export function describeWorkload(workload: Workload): string {
    const where = workload.specPath === "spec" || workload.specPath === "spec.template.spec" || workload.specPath === "spec.jobTemplate.spec.template.spec"
        || workload.specPath === "template.spec" ? "" : ` (${workload.specPath})`;
    return `${workload.kind}${workload.patch ? "Patch" : ""} ${workload.namespace}/${workload.name}${where}`;
}

export function isPrivileged(container: Record<string, any>): boolean {
    return container.securityContext?.privileged === true;
}

export interface EnvLookup {
    value?: string;
    /** Set from valueFrom (a Secret, ConfigMap, field or resource): not visible to the pack. */
    fromReference: boolean;
    /** The container also has envFrom sources, which may define more variables. */
    envFrom: boolean;
}

/**
 * The value a container's process sees for `name`. Kubernetes applies envFrom first and
 * then env in order, so the last env entry with the name wins (kubelet
 * makeEnvironmentVariables). `$(VAR)` references are left in the value for the caller to refuse.
 */
export function envValue(container: Record<string, any>, name: string): EnvLookup | undefined {
    const entries: any[] = Array.isArray(container.env) ? container.env : [];
    const entry = entries.filter((e) => isRecord(e) && e.name === name).pop();
    const envFrom = Array.isArray(container.envFrom) && container.envFrom.length > 0;
    if (!entry) {
        return envFrom ? { fromReference: true, envFrom } : undefined;
    }
    return {
        value: entry.valueFrom !== undefined ? undefined : typeof entry.value === "string" ? entry.value : entry.value === undefined ? "" : String(entry.value),
        fromReference: entry.valueFrom !== undefined,
        envFrom,
    };
}

const pinnedDigest = new RegExp(pinnedImagePatterns.digest);
const pinnedTag = new RegExp(pinnedImagePatterns.tag);
const latestTag = new RegExp(pinnedImagePatterns.latest);

/** True when the image names a tag other than latest, or a digest. */
export function isPinnedImage(image: unknown): boolean {
    if (typeof image !== "string" || image === "") {
        return false;
    }
    return pinnedDigest.test(image) || (pinnedTag.test(image) && !latestTag.test(image));
}

/** The repository part of an image reference (no tag, no digest). */
export function imageRepository(image: string): string {
    const withoutDigest = image.split("@")[0];
    const slash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

export const sandboxRuntimeClass = (runtimeClassName: unknown): "sysbox" | "kata" | undefined =>
    runtimeClassName === sysboxRuntimeClass ? "sysbox" : typeof runtimeClassName === "string" && runtimeClassName.startsWith(kataRuntimeClassPrefix) ? "kata" : undefined;

/** A resource validation that runs once per pod the resource carries. */
export function onWorkloads(validate: (workload: Workload, args: ResourceValidationArgs, reportViolation: ReportViolation) => void): ResourceValidation {
    return (args, reportViolation) => {
        for (const workload of workloadsOf(args)) {
            validate(workload, args, reportViolation);
        }
    };
}
