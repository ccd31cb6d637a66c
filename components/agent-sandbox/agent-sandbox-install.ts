import * as pulumi from "@pulumi/pulumi";
import { k8sClasses } from "../provider-classes";
import { ClusterConfig, NetworkConfig } from "../config/schema";
import { buildAgentSandboxNetworkPolicies } from "../cluster/network-policies";
import { agentSandboxCrdFiles } from "../versions";
import { agentSandboxNamespace, agentSandboxPodLabels, agentSandboxPorts, buildAgentSandboxController } from "./controller";

export interface AgentSandboxInstallArgs {
    /** The cluster's address ranges (for the controller's NetworkPolicies). */
    cluster: ClusterConfig;
    /** Where the API server is (the controller calls it; it calls the controller's webhook). */
    network: NetworkConfig;
}

/**
 * kubernetes-sigs/agent-sandbox in the platform stack: its four CRDs (the pinned release's
 * files, by URL), then the hardened controller. Teams with `backend: agent-sandbox` depend on
 * this component, so no custom resource is sent before its CRD and controller exist.
 */
export class AgentSandboxInstall extends pulumi.ComponentResource {
    constructor(name: string, args: AgentSandboxInstallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:agent-sandbox:AgentSandboxInstall", name, {}, opts);
        const child = { parent: this };
        const objects = buildAgentSandboxController();
        // CRDs: the release's own generated files at the pinned commit (docs/agent-sandbox.md says why not a copy).
        const crds = new k8sClasses.yaml.v2.ConfigGroup("agent-sandbox-crds", { files: agentSandboxCrdFiles }, child);
        const namespace = new k8sClasses.core.v1.Namespace(agentSandboxNamespace, objects.namespace, child);
        const inNamespace = { parent: this, dependsOn: [namespace] };
        for (const policy of buildAgentSandboxNetworkPolicies(args, agentSandboxNamespace, agentSandboxPodLabels, agentSandboxPorts.webhook)) {
            new k8sClasses.networking.v1.NetworkPolicy(`${agentSandboxNamespace}-${policy.metadata!.name}`, policy, inNamespace);
        }
        const sa = new k8sClasses.core.v1.ServiceAccount("agent-sandbox-controller", objects.serviceAccount, inNamespace);
        const rbac: pulumi.Resource[] = [sa];
        for (const role of objects.clusterRoles) {
            rbac.push(new k8sClasses.rbac.v1.ClusterRole(role.metadata!.name!, role, child));
        }
        for (const binding of objects.clusterRoleBindings) {
            rbac.push(new k8sClasses.rbac.v1.ClusterRoleBinding(`${binding.metadata!.name!}-binding`, binding, child));
        }
        rbac.push(new k8sClasses.rbac.v1.Role("agent-sandbox-controller-role", objects.role, inNamespace));
        rbac.push(new k8sClasses.rbac.v1.RoleBinding("agent-sandbox-controller-rolebinding", objects.roleBinding, inNamespace));
        const config = new k8sClasses.core.v1.ConfigMap("agent-sandbox-config", objects.config, inNamespace);
        const webhook = new k8sClasses.core.v1.Service("agent-sandbox-webhook-service", objects.webhookService, inNamespace);
        new k8sClasses.apps.v1.Deployment("agent-sandbox-controller", objects.deployment, { parent: this, dependsOn: [crds, config, webhook, ...rbac] });
        this.registerOutputs({});
    }
}
