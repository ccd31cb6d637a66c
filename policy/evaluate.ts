// Runs the pack's rule objects in-process, the way the CrossGuard server does:
// props wrapped in unknownCheckingProxy, isType/asType by Pulumi type token,
// getConfig from the pack's config defaults. Used by the offline render, the
// manifest checker and the tests, so all three report the same violations.

import type {
    EnforcementLevel, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { policyConfigDefaults, PolicyPackConfig } from "./config";
import { resourcePolicies, stackPolicies } from "./rules";

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

function policyResourceOf(subject: PolicySubject): PolicyResource {
    const props = unknownCheckingProxy(subject.props);
    return {
        type: subject.type, urn: subject.urn, name: subject.name, props, opts: policyOptions(subject),
        isType: (resourceClass: any) => typeOf(resourceClass) === subject.type,
        asType: (resourceClass: any) => (typeOf(resourceClass) === subject.type ? props : undefined),
        dependencies: [], propertyDependencies: {},
    } as unknown as PolicyResource;
}

/** The resource rules on each subject, independently (the manifest checker streams through these). */
export async function evaluateResourcePolicies(subjects: PolicySubject[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const violations: Violation[] = [];
    const policyResources = subjects.map(policyResourceOf);
    for (const policy of resourcePolicies as ResourceValidationPolicy[]) {
        const level = levelOf(policy, config);
        if (level === "disabled") {
            continue;
        }
        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const [i, subject] of subjects.entries()) {
            const resource = policyResources[i];
            const args = {
                ...resource, stackTags: new Map(), getConfig: configFor(policy.name, config),
                notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
            } as unknown as ResourceValidationArgs;
            for (const validate of validations) {
                try {
                    await validate!(args, (message, urn) => violations.push({ policy: policy.name, level, urn: urn ?? subject.urn, message }));
                } catch (error) {
                    if (!(error instanceof NotApplicable)) {
                        throw new Error(`policy ${policy.name} on ${subject.urn}: ${(error as Error).message}`);
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
export async function evaluateStackPolicies(subjects: PolicySubject[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const violations: Violation[] = [];
    const policyResources = subjects.map(policyResourceOf);
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
    return [...await evaluateResourcePolicies(subjects, config), ...await evaluateStackPolicies(subjects, config)];
}

export function mandatory(violations: Violation[]): Violation[] {
    return violations.filter((violation) => violation.level === "mandatory");
}
