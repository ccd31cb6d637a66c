// Runs the pack's rule objects in-process, the way the CrossGuard server does:
// props wrapped in unknownCheckingProxy, isType/asType by Pulumi type token,
// getConfig from the pack's config defaults. Used by the offline render, the
// manifest checker and the tests, so all three report the same violations.

import type {
    EnforcementLevel, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
// The proxy module alone: the package index loads the CrossGuard gRPC server (about a
// second of start-up for every policy:check run).
// Its declarations mark the unknown-value sentinels @internal, hence the typed require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyModule = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy: <T>(toProxy: T) => T;
} & Record<"unknownBooleanValue" | "unknownNumberValue" | "unknownStringValue" | "unknownArrayValue" | "unknownAssetValue" | "unknownArchiveValue" | "unknownObjectValue", unknown>;
const { unknownCheckingProxy } = proxyModule;
import { policyConfigDefaults, PolicyPackConfig } from "./config";
import { resourcePolicies, stackPolicies } from "./rules";
import { WorkloadMemo, workloadMemoKey } from "./rules/workloads";

export interface PolicySubject {
    type: string;
    urn: string;
    name: string;
    props: Record<string, any>;
    /** Engine options; retainOnDelete is known only to the offline render. */
    opts: { protect: boolean; retainOnDelete?: boolean; parent?: string };
}

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    urn: string;
    message: string;
}

function typeOf(resourceClass: unknown): string | undefined {
    return (resourceClass as { __pulumiType?: string }).__pulumiType;
}

class NotApplicable extends Error {}

function policyOptions(subject: PolicySubject) {
    return {
        protect: subject.opts.protect, ignoreChanges: [], aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [],
        ...(subject.opts.parent ? { parent: subject.opts.parent } : {}),
        ...(subject.opts.retainOnDelete !== undefined ? { retainOnDelete: subject.opts.retainOnDelete } : {}),
    };
}

function configFor(name: string, config: PolicyPackConfig): () => any {
    return () => ({ ...policyConfigDefaults, ...(config[name] ?? {}) });
}

function levelOf(policy: { name: string; enforcementLevel?: EnforcementLevel }, config: PolicyPackConfig): EnforcementLevel {
    return (config[policy.name]?.enforcementLevel as EnforcementLevel | undefined) ?? policy.enforcementLevel ?? "advisory";
}

const unknownValues = new Set<unknown>([
    proxyModule.unknownBooleanValue, proxyModule.unknownNumberValue, proxyModule.unknownStringValue, proxyModule.unknownArrayValue,
    proxyModule.unknownAssetValue, proxyModule.unknownArchiveValue, proxyModule.unknownObjectValue,
]);

/** True when a preview's unknown-value sentinel sits anywhere in the value. */
export function containsUnknown(value: unknown, depth = 0): boolean {
    if (unknownValues.has(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            if (containsUnknown(value[i], depth + 1)) {
                return true;
            }
        }
    } else if (value !== null && typeof value === "object" && depth < 256) {
        const record = value as Record<string, unknown>;
        for (const key in record) {
            if (Object.prototype.hasOwnProperty.call(record, key) && containsUnknown(record[key], depth + 1)) {
                return true;
            }
        }
    }
    return false;
}

/** Whether each subject's props hold an unknown value, when a caller has already found out (evaluatePolicies: once for both kinds of rule). */
type UnknownsFound = Map<PolicySubject, boolean>;

function policyResourceOf(subject: PolicySubject, found?: UnknownsFound): PolicyResource {
    // The CrossGuard server wraps props in a proxy that throws on an unknown value. Where
    // there is none (every manifest file, every offline render) the proxy changes nothing
    // but costs a new proxy object on every property read, so the plain props are given.
    let unknown = found?.get(subject);
    if (unknown === undefined) {
        unknown = containsUnknown(subject.props);
        found?.set(subject, unknown);
    }
    const props = unknown ? unknownCheckingProxy(subject.props) : subject.props;
    return {
        type: subject.type, urn: subject.urn, name: subject.name, props, opts: policyOptions(subject),
        isType: (resourceClass: any) => typeOf(resourceClass) === subject.type,
        asType: (resourceClass: any) => (typeOf(resourceClass) === subject.type ? props : undefined),
        dependencies: [], propertyDependencies: {},
    } as unknown as PolicyResource;
}

/** The resource rules on each subject, independently (the manifest checker streams through these). */
export async function evaluateResourcePolicies(subjects: PolicySubject[], config: PolicyPackConfig = {}, found?: UnknownsFound): Promise<Violation[]> {
    const violations: Violation[] = [];
    const notApplicable = (reason?: string) => { throw new NotApplicable(reason); };
    const stackTags = new Map<string, string>();
    // One args object per subject, handed to each rule in turn with that rule's getConfig
    // (rules read their args during the call only), and one workload memo per subject
    // shared by every rule that reads its pods: a large input allocates per object, not
    // per object and rule.
    const argsList = subjects.map((subject) => {
        const args = policyResourceOf(subject, found) as unknown as Record<string | symbol, unknown>;
        args.stackTags = stackTags;
        args.notApplicable = notApplicable;
        args.getConfig = undefined;
        args[workloadMemoKey] = {} as WorkloadMemo;
        return args;
    });
    for (const policy of resourcePolicies as ResourceValidationPolicy[]) {
        const level = levelOf(policy, config);
        if (level === "disabled") {
            continue;
        }
        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        const getConfig = configFor(policy.name, config);
        let current = "";
        const report = (message: string, urn?: string) => violations.push({ policy: policy.name, level, urn: urn ?? current, message });
        for (let i = 0; i < subjects.length; i++) {
            const args = argsList[i];
            args.getConfig = getConfig;
            current = subjects[i].urn;
            for (const validate of validations) {
                try {
                    // Rules are synchronous here; only a returned promise is awaited, so a
                    // large input does not pay a microtask per object and rule.
                    const result = validate!(args as unknown as ResourceValidationArgs, report) as unknown;
                    if (result instanceof Promise) {
                        await result;
                    }
                } catch (error) {
                    if (!(error instanceof NotApplicable)) {
                        throw new Error(`policy ${policy.name} on ${subjects[i].urn}: ${(error as Error).message}`);
                    }
                }
            }
        }
    }
    return violations;
}

/** Types the stack rules read; a streaming caller keeps only these for evaluateStackPolicies. */
export const stackSubjectTypes = new Set([
    "kubernetes:core/v1:Namespace", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:core/v1:PersistentVolumeClaim",
]);

/** The stack rules over the whole set. */
export async function evaluateStackPolicies(subjects: PolicySubject[], config: PolicyPackConfig = {}, found?: UnknownsFound): Promise<Violation[]> {
    const violations: Violation[] = [];
    const policyResources = subjects.map((subject) => policyResourceOf(subject, found));
    for (const policy of stackPolicies as StackValidationPolicy[]) {
        const level = levelOf(policy, config);
        if (level === "disabled") {
            continue;
        }
        const args = {
            resources: policyResources, stackTags: new Map(), getConfig: configFor(policy.name, config),
            notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
        } as unknown as StackValidationArgs;
        try {
            await policy.validateStack!(args, (message, urn) => violations.push({ policy: policy.name, level, urn: urn ?? "", message }));
        } catch (error) {
            if (!(error instanceof NotApplicable)) {
                throw error;
            }
        }
    }
    return violations;
}

export async function evaluatePolicies(subjects: PolicySubject[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const found: UnknownsFound = new Map();
    return [...await evaluateResourcePolicies(subjects, config, found), ...await evaluateStackPolicies(subjects, config, found)];
}

export function mandatory(violations: Violation[]): Violation[] {
    return violations.filter((violation) => violation.level === "mandatory");
}
