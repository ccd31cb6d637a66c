// The cluster's admission policies (admissionregistration.k8s.io/v1, GA in Kubernetes
// 1.30): the policy pack's pod rules, generated as CEL from the same definitions
// (policy/admission/cel.ts), so that what `pulumi preview` and `policy:check` refuse is
// also refused when anyone else creates the pod: Coder building a workspace from its
// template, a team's deployer, or `kubectl apply`. Pure: config in, plain objects out.

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RuleConfig } from "../../policy/config";
import { AdmissionRuleName, admissionParamsData, admissionProgram } from "../../policy/admission/cel";
import type { AdmissionAction } from "../config/stack-schema";
import type { ConfigMap, Namespace } from "../manifest";
import { podSecurityLabels } from "../cluster/namespaces";
import { commonLabels, labels } from "../naming";
import { workspacesNamespace } from "../platform/coder";

export type ValidatingAdmissionPolicy = pulumi.Unwrap<k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicy>;
export type ValidatingAdmissionPolicyBinding = pulumi.Unwrap<k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBinding>;

/** What the policies need: the actions per scope and the pack's configuration (allowlists). */
export interface AdmissionPoliciesSpec {
    /** Sandbox namespaces and Coder's workspace namespace. */
    action: AdmissionAction;
    /** kube-system, where only the privileged-container rule applies. */
    kubeSystemAction: AdmissionAction;
    /** The pack's configuration: the same allowlists CrossGuard uses. */
    ruleConfig: RuleConfig;
}

export interface AdmissionPolicyObjects {
    namespace: Namespace;
    params: ConfigMap;
    policies: ValidatingAdmissionPolicy[];
    bindings: ValidatingAdmissionPolicyBinding[];
}

export const admissionNames = {
    params: "sandbox-platform-admission",
    /** A namespace of its own: only cluster administrators may write the params (kube-system is left to the runtimes). */
    paramsNamespace: "sandbox-platform-admission",
    podPolicy: "sandbox-platform-pods",
    kubeSystemPolicy: "sandbox-platform-kube-system",
    sandboxesBinding: "sandbox-platform-pods-sandboxes",
    workspacesBinding: "sandbox-platform-pods-workspaces",
    kubeSystemBinding: "sandbox-platform-kube-system",
} as const;

/** validationActions for each config action; Deny and Warn may not be combined (API validation). */
export const validationActions: Record<AdmissionAction, string[]> = {
    warn: ["Warn", "Audit"],
    audit: ["Audit"],
    deny: ["Deny", "Audit"],
};

/** Pods and every built-in kind that carries a pod template, at their served versions. */
export const admissionResourceRules = [
    { apiGroups: [""], apiVersions: ["v1"], resources: ["pods", "pods/ephemeralcontainers", "replicationcontrollers"], operations: ["CREATE", "UPDATE"] },
    { apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], operations: ["CREATE", "UPDATE"] },
    { apiGroups: ["batch"], apiVersions: ["v1"], resources: ["jobs", "cronjobs"], operations: ["CREATE", "UPDATE"] },
];

/** The pack rules each policy enforces: all pod rules where sandboxes run, host access only in kube-system. */
export const policyRules: Record<string, readonly AdmissionRuleName[]> = {
    [admissionNames.podPolicy]: ["no-privileged-containers", "envbox-hardening", "isolated-runtime-pods", "pod-security-baseline", "pinned-sandbox-images"],
    [admissionNames.kubeSystemPolicy]: ["no-privileged-containers"],
};

function policy(name: string, rules: readonly AdmissionRuleName[], ruleConfig: RuleConfig): ValidatingAdmissionPolicy {
    const program = admissionProgram(ruleConfig, rules);
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name, labels: commonLabels("admission") },
        spec: {
            // An expression that errors (cost budget, a shape no rule foresaw) or missing
            // params refuses the object, under the binding's actions: fail closed.
            failurePolicy: "Fail",
            paramKind: { apiVersion: "v1", kind: "ConfigMap" },
            matchConstraints: { matchPolicy: "Equivalent", resourceRules: admissionResourceRules },
            variables: program.variables.map(({ name: variable, expression }) => ({ name: variable, expression })),
            validations: program.validations.map(({ rule, expression, message, messageExpression, reason }) => ({
                expression,
                message: `${rule}: ${message}`,
                messageExpression: `${JSON.stringify(`${rule}: `)} + ${messageExpression}`,
                reason,
            })),
        },
    };
}

function binding(name: string, policyName: string, namespaceSelector: Record<string, unknown>, action: AdmissionAction): ValidatingAdmissionPolicyBinding {
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name, labels: commonLabels("admission") },
        spec: {
            policyName,
            paramRef: { name: admissionNames.params, namespace: admissionNames.paramsNamespace, parameterNotFoundAction: "Deny" },
            matchResources: { namespaceSelector },
            validationActions: validationActions[action],
        },
    };
}

const byName = (name: string) => ({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [name] }] });

/** The params namespace and ConfigMap, the two policies and their three bindings. */
export function buildAdmissionPolicies(spec: AdmissionPoliciesSpec): AdmissionPolicyObjects {
    return {
        namespace: {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: admissionNames.paramsNamespace, labels: { ...commonLabels("admission"), ...podSecurityLabels("restricted") } },
        },
        params: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: admissionNames.params, namespace: admissionNames.paramsNamespace, labels: commonLabels("admission") },
            data: admissionParamsData(spec.ruleConfig),
        },
        policies: Object.entries(policyRules).map(([name, rules]) => policy(name, rules, spec.ruleConfig)),
        bindings: [
            binding(admissionNames.sandboxesBinding, admissionNames.podPolicy, { matchLabels: { [labels.sandboxNamespace]: "true" } }, spec.action),
            binding(admissionNames.workspacesBinding, admissionNames.podPolicy, byName(workspacesNamespace), spec.action),
            binding(admissionNames.kubeSystemBinding, admissionNames.kubeSystemPolicy, byName("kube-system"), spec.kubeSystemAction),
        ],
    };
}
