// A Kubernetes RBAC authorizer written from kubernetes/kubernetes' own code, used as an oracle
// for "may this identity create that object". Sources (read at the commits named; the
// functions have been stable since 1.8):
//  - pkg/apis/rbac/v1/evaluation_helpers.go @ 03bf11a3: VerbMatches, APIGroupMatches,
//    ResourceMatches (exact, `*`, and `*/<subresource>`), ResourceNameMatches (empty = any).
//  - plugin/pkg/auth/authorizer/rbac/rbac.go @ 01aa0f3f: RuleAllows (resource + "/" +
//    subresource is the combined resource), Authorize (allowed by any rule that applies).
//  - pkg/registry/rbac/validation/rule.go @ 05c351a9: VisitRulesFor — ClusterRoleBindings
//    apply in every namespace and cluster-wide; RoleBindings only to requests in their own
//    namespace; a ServiceAccount subject with no namespace takes the binding's;
//    GetRoleReferenceRules — a RoleBinding's Role is looked up in the binding's namespace;
//    appliesToUser — ServiceAccount subject matches `system:serviceaccount:<ns>:<name>`.
//  - staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go
//    @ 04791b49: Covers / BreakdownRule / ruleCovers (the escalation check).
//  - pkg/registry/rbac/escalation_check.go @ 00bdb3fa and rolebinding/policybased/storage.go
//    @ 008b3652: creating a (Cluster)RoleBinding is allowed if the user may `bind` the
//    referenced role, or already holds every rule it grants (ConfirmNoEscalation);
//    creating a (Cluster)Role likewise with `escalate` (role/policybased/storage.go).
// Non-resource URLs are out of scope (a Role cannot grant them).

export interface PolicyRule { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }
export interface RoleObject { kind: "Role" | "ClusterRole"; metadata: { name: string; namespace?: string }; rules?: PolicyRule[] }
export interface Subject { kind: string; name: string; namespace?: string }
export interface BindingObject { kind: "RoleBinding" | "ClusterRoleBinding"; metadata: { name: string; namespace?: string }; roleRef: { kind: string; name: string; apiGroup?: string }; subjects?: Subject[] }
export interface UserInfo { name: string; groups: string[] }

/** A request as the authorizer sees it (authorizer.Attributes for a resource request). */
export interface ResourceRequest { verb: string; apiGroup: string; resource: string; subresource?: string; name?: string; namespace?: string }

export function verbMatches(rule: PolicyRule, verb: string): boolean {
    return rule.verbs.some((ruleVerb) => ruleVerb === "*" || ruleVerb === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
    return (rule.apiGroups ?? []).some((ruleGroup) => ruleGroup === "*" || ruleGroup === group);
}

export function resourceMatches(rule: PolicyRule, combinedResource: string, subresource: string): boolean {
    for (const ruleResource of rule.resources ?? []) {
        if (ruleResource === "*" || ruleResource === combinedResource) {
            return true;
        }
        if (subresource.length === 0) {
            continue;
        }
        // evaluation_helpers.go: `*/<subresource>` matches that subresource of any resource.
        if (ruleResource.length === subresource.length + 2 && ruleResource.startsWith("*/") && ruleResource.endsWith(subresource)) {
            return true;
        }
    }
    return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
    const names = rule.resourceNames ?? [];
    return names.length === 0 || names.includes(name);
}

/** rbac.go RuleAllows for a resource request. */
export function ruleAllows(request: ResourceRequest, rule: PolicyRule): boolean {
    const subresource = request.subresource ?? "";
    const combined = subresource ? `${request.resource}/${subresource}` : request.resource;
    return verbMatches(rule, request.verb) && apiGroupMatches(rule, request.apiGroup) && resourceMatches(rule, combined, subresource) && resourceNameMatches(rule, request.name ?? "");
}

export function serviceAccountUser(namespace: string, name: string): UserInfo {
    return { name: `system:serviceaccount:${namespace}:${name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] };
}

function appliesToUser(user: UserInfo, subject: Subject, namespace: string): boolean {
    switch (subject.kind) {
        case "User":
            return user.name === subject.name;
        case "Group":
            return user.groups.includes(subject.name);
        case "ServiceAccount": {
            const saNamespace = subject.namespace || namespace;
            return saNamespace !== "" && user.name === `system:serviceaccount:${saNamespace}:${subject.name}`;
        }
        default:
            return false;
    }
}

/** The cluster's RBAC objects, and the authorizer over them. */
export class RbacAuthorizer {
    constructor(private readonly roles: RoleObject[], private readonly bindings: BindingObject[]) {}

    /** rule.go GetRoleReferenceRules: a Role is found in the binding's namespace; a ClusterRole anywhere. */
    private referencedRules(roleRef: BindingObject["roleRef"], bindingNamespace: string): PolicyRule[] {
        const found = roleRef.kind === "Role"
            ? this.roles.find((role) => role.kind === "Role" && role.metadata.namespace === bindingNamespace && role.metadata.name === roleRef.name)
            : roleRef.kind === "ClusterRole" ? this.roles.find((role) => role.kind === "ClusterRole" && role.metadata.name === roleRef.name) : undefined;
        return found?.rules ?? [];
    }

    /** rule.go VisitRulesFor: ClusterRoleBindings everywhere, RoleBindings of the request's namespace only. */
    rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
        const rules: PolicyRule[] = [];
        for (const binding of this.bindings.filter((b) => b.kind === "ClusterRoleBinding")) {
            if ((binding.subjects ?? []).some((subject) => appliesToUser(user, subject, ""))) {
                rules.push(...this.referencedRules(binding.roleRef, ""));
            }
        }
        if (namespace.length > 0) {
            for (const binding of this.bindings.filter((b) => b.kind === "RoleBinding" && b.metadata.namespace === namespace)) {
                if ((binding.subjects ?? []).some((subject) => appliesToUser(user, subject, namespace))) {
                    rules.push(...this.referencedRules(binding.roleRef, namespace));
                }
            }
        }
        return rules;
    }

    authorize(user: UserInfo, request: ResourceRequest): boolean {
        return this.rulesFor(user, request.namespace ?? "").some((rule) => ruleAllows(request, rule));
    }

    /** Whether `user` may create `object` (in its namespace, or cluster-wide), including the RBAC registry's escalation checks. */
    canCreate(user: UserInfo, object: KubernetesObject, resource: { group: string; resource: string; namespaced: boolean }): { allowed: boolean; reason: string } {
        const namespace = resource.namespaced ? object.metadata?.namespace ?? "" : "";
        const request: ResourceRequest = { verb: "create", apiGroup: resource.group, resource: resource.resource, namespace, name: "" };
        if (!this.authorize(user, request)) {
            return { allowed: false, reason: `RBAC: no rule lets ${user.name} create ${resource.resource}${resource.group ? `.${resource.group}` : ""} ${namespace ? `in namespace ${namespace}` : "cluster-wide"}` };
        }
        if (resource.group === "rbac.authorization.k8s.io" && (resource.resource === "roles" || resource.resource === "clusterroles")) {
            // role/policybased/storage.go: `escalate` on the role, or hold every rule it grants.
            const escalate = this.authorize(user, { verb: "escalate", apiGroup: resource.group, resource: resource.resource, namespace, name: object.metadata.name });
            if (!escalate && !covers(this.rulesFor(user, namespace), (object as RoleObject).rules ?? []).covered) {
                return { allowed: false, reason: "RBAC escalation check: the role grants permissions not currently held" };
            }
        }
        if (resource.group === "rbac.authorization.k8s.io" && (resource.resource === "rolebindings" || resource.resource === "clusterrolebindings")) {
            const binding = object as unknown as BindingObject;
            const target = binding.roleRef.kind === "ClusterRole" ? "clusterroles" : "roles";
            // escalation_check.go BindingAuthorized: `bind` on the referenced role in the binding's namespace.
            const bind = this.authorize(user, { verb: "bind", apiGroup: "rbac.authorization.k8s.io", resource: target, namespace, name: binding.roleRef.name });
            if (!bind && !covers(this.rulesFor(user, namespace), this.referencedRules(binding.roleRef, namespace)).covered) {
                return { allowed: false, reason: "RBAC escalation check: the binding grants permissions not currently held" };
            }
        }
        return { allowed: true, reason: "allowed" };
    }
}

export interface KubernetesObject { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }

/** policy_comparator.go BreakdownRule: one verb, one group, one resource, one name per subrule. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
    const subrules: PolicyRule[] = [];
    for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
            for (const verb of rule.verbs) {
                if ((rule.resourceNames ?? []).length > 0) {
                    for (const resourceName of rule.resourceNames!) {
                        subrules.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [resourceName] });
                    }
                } else {
                    subrules.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
                }
            }
        }
    }
    for (const url of rule.nonResourceURLs ?? []) {
        for (const verb of rule.verbs) {
            subrules.push({ nonResourceURLs: [url], verbs: [verb] });
        }
    }
    return subrules;
}

const hasAll = (set: string[], contains: string[]) => contains.every((entry) => set.includes(entry));

function resourceCoversAll(setResources: string[], coversResources: string[]): boolean {
    if (setResources.includes("*") || hasAll(setResources, coversResources)) {
        return true;
    }
    return coversResources.every((path) => setResources.includes(path) || (path.includes("/") && setResources.includes(`*/${path.split("/").slice(1).join("/")}`)));
}

function nonResourceURLCovers(owner: string, path: string): boolean {
    return owner === path || (owner.endsWith("*") && path.startsWith(owner.replace(/\*+$/, "")));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
    const verbs = owner.verbs.includes("*") || hasAll(owner.verbs, sub.verbs);
    const groups = (owner.apiGroups ?? []).includes("*") || hasAll(owner.apiGroups ?? [], sub.apiGroups ?? []);
    const resources = resourceCoversAll(owner.resources ?? [], sub.resources ?? []);
    const urls = (sub.nonResourceURLs ?? []).every((path) => (owner.nonResourceURLs ?? []).some((entry) => nonResourceURLCovers(entry, path)));
    const ownerNames = owner.resourceNames ?? [];
    const subNames = sub.resourceNames ?? [];
    const names = subNames.length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, subNames);
    return verbs && groups && resources && names && urls;
}

/** policy_comparator.go Covers. */
export function covers(ownerRules: PolicyRule[], servantRules: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
    const missing = servantRules.flatMap(breakdownRule).filter((sub) => !ownerRules.some((owner) => ruleCovers(owner, sub)));
    return { covered: missing.length === 0, missing };
}
