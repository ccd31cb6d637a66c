import * as pulumi from "@pulumi/pulumi";
import { k8sClasses } from "../provider-classes";
import { policyConfigDefaults } from "../../policy/config";
import type { AdmissionAction } from "../config/stack-schema";
import { buildAdmissionPolicies } from "./policies";

export interface AdmissionPoliciesArgs {
    /** How sandbox namespaces' and coder-workspaces' bindings act on a refused object. */
    action: AdmissionAction;
    /** How the kube-system binding acts. */
    kubeSystemAction: AdmissionAction;
}

/**
 * The pack's pod rules as ValidatingAdmissionPolicies (platform stack, once per cluster):
 * a params namespace and ConfigMap, then the policies, then their bindings (a binding whose params are
 * missing refuses everything it matches, so the ConfigMap comes first).
 */
export class AdmissionPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: AdmissionPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:admission:AdmissionPolicies", name, {}, opts);
        const objects = buildAdmissionPolicies({ ...args, ruleConfig: policyConfigDefaults });
        const namespace = new k8sClasses.core.v1.Namespace(objects.namespace.metadata!.name!, objects.namespace, { parent: this });
        const params = new k8sClasses.core.v1.ConfigMap(objects.params.metadata!.name!, objects.params, { parent: this, dependsOn: [namespace] });
        const policies = objects.policies.map((policy) => new k8sClasses.admissionregistration.v1.ValidatingAdmissionPolicy(policy.metadata!.name!, policy, { parent: this }));
        for (const binding of objects.bindings) {
            new k8sClasses.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`${binding.metadata!.name!}-binding`, binding, { parent: this, dependsOn: [params, ...policies] });
        }
        this.registerOutputs({});
    }
}
