// Evaluates rendered ValidatingAdmissionPolicies offline, as the API server's validating
// admission plugin does (kubernetes/apiserver pkg/admission/plugin/policy/validating):
// a binding matches by resource and namespaceSelector; its policy's variables are
// evaluated lazily and at most once (`variables.<name>`); each validation that is false
// or errors (failurePolicy Fail) is a violation, acted on by the binding's
// validationActions. CEL runs on @bufbuild/cel, a conformant CEL implementation, with
// the strings extension; values are typed as Kubernetes types unstructured JSON
// (integers are int, not double).

import { celEnv, celMap, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { policyConfigDefaults, RuleConfig } from "../config";
import { admissionNames, AdmissionPolicyObjects, buildAdmissionPolicies, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from "../../components/admission/policies";
import type { AdmissionAction } from "../../components/config/stack-schema";

type Program = (bindings: Record<string, unknown>) => unknown;

const env = celEnv({ funcs: strings });
const compiled = new Map<string, Program>();

/** Parses and plans one expression (cached: policies are evaluated many times). */
export function compileExpression(expression: string): Program {
    let program = compiled.get(expression);
    if (!program) {
        const planned = plan(env, parse(expression));
        program = (bindings) => planned(bindings as never);
        compiled.set(expression, program);
    }
    return program;
}

/** JSON as Kubernetes hands it to CEL: integral numbers are int64 (bigint here). */
export function toCelValue(value: unknown): unknown {
    if (typeof value === "number") {
        return Number.isInteger(value) ? BigInt(value) : value;
    }
    if (Array.isArray(value)) {
        return value.map(toCelValue);
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(value)) {
            if (child !== undefined) {
                out[key] = toCelValue(child);
            }
        }
        return out;
    }
    return value;
}

export interface AdmissionRequest {
    /** The object being created or updated. */
    object: Record<string, any>;
    /** The request's namespace (the API server sets it for every namespaced request). */
    namespace: string;
    namespaceObject?: Record<string, any> | null;
    params?: Record<string, any> | null;
    operation?: "CREATE" | "UPDATE";
}

export interface ValidationOutcome {
    /** The pack rule the validation enforces (the prefix of its message). */
    rule: string;
    message: string;
    /** Set when the expression errored (refused under failurePolicy Fail). */
    error?: string;
}

/** Runs every validation of a policy; returns the failing ones. */
export function evaluatePolicy(policy: ValidatingAdmissionPolicy, request: AdmissionRequest): ValidationOutcome[] {
    const spec = policy.spec ?? {};
    const object = toCelValue(request.object);
    const base: Record<string, unknown> = {
        object,
        oldObject: null,
        params: request.params === undefined ? null : toCelValue(request.params),
        namespaceObject: request.namespaceObject ? toCelValue(request.namespaceObject) : null,
        request: toCelValue({ namespace: request.namespace, operation: request.operation ?? "CREATE", name: request.object?.metadata?.name ?? "" }),
    };
    // variables.<name>: evaluated on first use, at most once (composition.go, lazy.go).
    // A CEL map whose values are computed when read: an error stays an error value, so
    // `false && variables.x` is false whatever x is, as in CEL.
    const expressions = new Map<string, string>((spec.variables ?? []).map((v) => [v.name as string, v.expression as string]));
    const cache = new Map<string, unknown>();
    const bindings: Record<string, unknown> = { ...base };
    const lazy = {
        get size() { return expressions.size; },
        get(key: unknown) {
            if (typeof key !== "string" || !expressions.has(key)) {
                return undefined;
            }
            if (!cache.has(key)) {
                cache.set(key, compileExpression(expressions.get(key)!)(bindings));
            }
            return cache.get(key);
        },
        has(key: unknown) { return typeof key === "string" && expressions.has(key); },
        keys() { return expressions.keys(); },
        *entries() { for (const key of expressions.keys()) { yield [key, lazy.get(key)]; } },
        *values() { for (const key of expressions.keys()) { yield lazy.get(key); } },
        forEach(callback: (value: unknown, key: string, map: unknown) => void) { for (const key of expressions.keys()) { callback(lazy.get(key), key, lazy); } },
        [Symbol.iterator]() { return lazy.entries(); },
    };
    bindings.variables = celMap(lazy as never);
    const run = (expression: string): unknown => compileExpression(expression)(bindings);
    const outcomes: ValidationOutcome[] = [];
    for (const validation of spec.validations ?? []) {
        const message = validation.message as string;
        const rule = message.split(":")[0];
        const result = run(validation.expression as string);
        if (result === true) {
            continue;
        }
        const error = isCelError(result) ? result.message : typeof result !== "boolean" ? `validation must evaluate to bool, got ${String(result)}` : undefined;
        let text = message;
        if (!error && validation.messageExpression) {
            const evaluated = run(validation.messageExpression as string);
            if (typeof evaluated === "string" && evaluated.trim() !== "" && !evaluated.includes("\n")) {
                text = evaluated;
            }
        }
        outcomes.push({ rule, message: error ? `${message} (expression failed: ${error})` : text, ...(error ? { error } : {}) });
    }
    return outcomes;
}

/** A label selector (matchLabels, matchExpressions In/NotIn/Exists/DoesNotExist) on a label map. */
export function selectorMatches(selector: Record<string, any> | undefined, objectLabels: Record<string, string>): boolean {
    if (!selector) {
        return true;
    }
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        if (objectLabels[key] !== value) {
            return false;
        }
    }
    return (selector.matchExpressions ?? []).every((expression: { key: string; operator: string; values?: string[] }) => {
        const present = Object.prototype.hasOwnProperty.call(objectLabels, expression.key);
        switch (expression.operator) {
            case "In": return present && (expression.values ?? []).includes(objectLabels[expression.key]);
            case "NotIn": return !present || !(expression.values ?? []).includes(objectLabels[expression.key]);
            case "Exists": return present;
            case "DoesNotExist": return !present;
            default: throw new Error(`selector operator ${expression.operator} is not one of In, NotIn, Exists, DoesNotExist`);
        }
    });
}

/** The REST resource of each kind the policies match (group/resource). */
export const kindResources: Record<string, { group: string; resource: string }> = {
    Pod: { group: "", resource: "pods" },
    ReplicationController: { group: "", resource: "replicationcontrollers" },
    Deployment: { group: "apps", resource: "deployments" },
    StatefulSet: { group: "apps", resource: "statefulsets" },
    DaemonSet: { group: "apps", resource: "daemonsets" },
    ReplicaSet: { group: "apps", resource: "replicasets" },
    Job: { group: "batch", resource: "jobs" },
    CronJob: { group: "batch", resource: "cronjobs" },
};

/** Whether a policy's matchConstraints take this kind (any served version: matchPolicy Equivalent). */
export function policyMatchesKind(policy: ValidatingAdmissionPolicy, kind: string, operation = "CREATE"): boolean {
    const target = kindResources[kind];
    return target !== undefined && (policy.spec?.matchConstraints?.resourceRules ?? []).some((rule: any) =>
        (rule.apiGroups ?? []).includes(target.group) && (rule.resources ?? []).includes(target.resource) && (rule.operations ?? []).includes(operation));
}

/** What the API server receives for an object: a List's items one by one (each with the List's namespace when it has none). */
export function admissionRequests(object: Record<string, any>): Record<string, any>[] {
    if (typeof object?.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items)) {
        return object.items.flatMap((item: any) => admissionRequests({ ...item, metadata: { namespace: object.metadata?.namespace, ...item?.metadata } }));
    }
    return [object];
}

/** The Namespace object the API server would hand the policy, when only the name is known. */
export function namespaceObjectFor(name: string, namespaceLabels: Record<string, string> = {}): Record<string, any> {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...namespaceLabels } } };
}

export interface AdmissionViolation extends ValidationOutcome {
    policy: string;
    binding: string;
    /** The binding's validationActions: Deny refuses the request, Warn warns, Audit records. */
    actions: string[];
}

export interface AdmissionVerdict {
    /** Bindings whose policy matched the object's kind and whose namespaceSelector matched. */
    bindings: string[];
    violations: AdmissionViolation[];
    /** True when a violation's binding has the Deny action: the API server refuses the request. */
    refused: boolean;
}

export interface AdmissionVerdictOptions {
    /** The namespace as the cluster has it (labels decide which bindings match); default: a Namespace named like the object's. */
    namespaceObject?: Record<string, any>;
    /** The params object; default: the rendered params ConfigMap. */
    params?: Record<string, any> | null;
    /** The rendered policies; default: the platform's with these actions (both default to deny here, to show what Deny refuses). */
    objects?: AdmissionPolicyObjects;
    action?: AdmissionAction;
    kubeSystemAction?: AdmissionAction;
    ruleConfig?: RuleConfig;
    operation?: "CREATE" | "UPDATE";
}

/**
 * The cluster's admission verdict on one object (a Pod or a pod-template workload), as
 * the platform's ValidatingAdmissionPolicies give it. Objects of other kinds match no
 * policy (empty verdict).
 */
export function admissionVerdicts(object: Record<string, any>, options: AdmissionVerdictOptions = {}): AdmissionVerdict {
    const objects = options.objects ?? buildAdmissionPolicies({
        action: options.action ?? "deny", kubeSystemAction: options.kubeSystemAction ?? "deny", ruleConfig: options.ruleConfig ?? policyConfigDefaults,
    });
    const namespace: string = object?.metadata?.namespace ?? options.namespaceObject?.metadata?.name ?? "default";
    const namespaceObject = options.namespaceObject ?? namespaceObjectFor(namespace);
    const namespaceLabels: Record<string, string> = namespaceObject.metadata?.labels ?? {};
    const verdict: AdmissionVerdict = { bindings: [], violations: [], refused: false };
    for (const binding of objects.bindings as ValidatingAdmissionPolicyBinding[]) {
        const policy = (objects.policies as ValidatingAdmissionPolicy[]).find((p) => p.metadata?.name === binding.spec?.policyName);
        if (!policy || !policyMatchesKind(policy, object?.kind, options.operation) || !selectorMatches(binding.spec?.matchResources?.namespaceSelector as Record<string, any>, namespaceLabels)) {
            continue;
        }
        verdict.bindings.push(binding.metadata!.name!);
        const paramRef = binding.spec?.paramRef;
        const params = options.params !== undefined ? options.params
            : paramRef?.name === admissionNames.params && paramRef?.namespace === admissionNames.paramsNamespace ? objects.params as Record<string, any> : null;
        if (params === null && paramRef && policy.spec?.paramKind) {
            // parameterNotFoundAction Deny: the binding refuses everything it matches.
            verdict.violations.push({ policy: policy.metadata!.name!, binding: binding.metadata!.name!, actions: binding.spec!.validationActions as string[], rule: "params", message: `params ${paramRef.namespace}/${paramRef.name} not found`, error: "params not found" });
            continue;
        }
        for (const outcome of evaluatePolicy(policy, { object, namespace, namespaceObject, params, operation: options.operation })) {
            verdict.violations.push({ ...outcome, policy: policy.metadata!.name!, binding: binding.metadata!.name!, actions: binding.spec!.validationActions as string[] });
        }
    }
    verdict.refused = verdict.violations.some((violation) => violation.actions.includes("Deny"));
    return verdict;
}
