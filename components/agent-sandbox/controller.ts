// The agent-sandbox controller (core + extensions in one Deployment), built here from the
// facts of its release manifests at the pinned tag (kubernetes-sigs/agent-sandbox v0.5.6:
// k8s/controller.yaml, k8s/extensions.yaml, k8s/kustomization.yaml's extensions patch,
// k8s/rbac.generated.yaml, k8s/extensions-rbac.generated.yaml, helm/templates/deployment.yaml
// for the probes) rather than applied from them, so that it runs hardened: non-root,
// read-only root filesystem, no capabilities, RuntimeDefault seccomp, a restricted namespace
// and its own NetworkPolicies (cluster/network-policies.ts buildAgentSandboxNetworkPolicies).
// The CRDs are the release's own files, applied by URL (agent-sandbox-install.ts).

import {
    ClusterRole, ClusterRoleBinding, ConfigMap, Deployment, Namespace, Role, RoleBinding, Service, ServiceAccount,
} from "../manifest";
import { commonLabels } from "../naming";
import { podSecurityLabels } from "../cluster/namespaces";
import { agentSandboxImage } from "../versions";
import { claimLabelDomain } from "../sandboxes/agent-sandbox";
import { agentSandboxNamespaceName } from "../config/rules";

/**
 * Fixed by upstream, not configurable: the CRDs' conversion webhook names service
 * `agent-sandbox-webhook-service` in namespace `agent-sandbox-system` (k8s/crds/*.yaml
 * spec.conversion.webhook.clientConfig), and the controller's flag defaults agree
 * (cmd/agent-sandbox-controller/main.go --webhook-service-name, --webhook-namespace).
 */
export const agentSandboxNamespace = agentSandboxNamespaceName;
export const agentSandboxControllerName = "agent-sandbox-controller";
export const agentSandboxWebhookServiceName = "agent-sandbox-webhook-service";
/** Secret the controller creates and rotates for its webhook certificate (k8s/controller.yaml Role). */
export const agentSandboxWebhookSecretName = "agent-sandbox-webhook-certs";
/** ConfigMap the controller reads /etc/sandbox-config from (k8s/extensions.controller.yaml, optional there). */
export const agentSandboxConfigName = "agent-sandbox-config";
/** Ports of the controller container (k8s/controller.yaml) and its flag defaults (main.go). */
export const agentSandboxPorts = { metrics: 8080, healthz: 8081, webhook: 9443 } as const;
/** Selector label of the release manifests' Deployment and Services. */
export const agentSandboxPodLabels = { app: agentSandboxControllerName };
/** distroless/static-debian13:nonroot, the controller image's base (Dockerfile @ v0.5.6): uid/gid 65532. */
export const agentSandboxUid = 65532;

export interface AgentSandboxControllerObjects {
    namespace: Namespace;
    serviceAccount: ServiceAccount;
    clusterRoles: ClusterRole[];
    clusterRoleBindings: ClusterRoleBinding[];
    role: Role;
    roleBinding: RoleBinding;
    config: ConfigMap;
    webhookService: Service;
    deployment: Deployment;
}

const allVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

export function buildAgentSandboxController(): AgentSandboxControllerObjects {
    const ns = agentSandboxNamespace;
    const meta = (name: string, namespaced = true) => ({
        name, ...(namespaced ? { namespace: ns } : {}), labels: { ...commonLabels("agent-sandbox"), ...agentSandboxPodLabels },
    });
    const subject = { kind: "ServiceAccount", name: agentSandboxControllerName, namespace: ns };
    return {
        namespace: {
            apiVersion: "v1", kind: "Namespace",
            metadata: { name: ns, labels: { ...commonLabels("agent-sandbox"), ...podSecurityLabels("restricted") } },
        },
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(agentSandboxControllerName) },
        clusterRoles: [
            {
                // k8s/rbac.generated.yaml @ v0.5.6 (kubebuilder markers of the core controller).
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta(agentSandboxControllerName, false),
                rules: [
                    { apiGroups: [""], resources: ["persistentvolumeclaims", "pods", "services"], verbs: allVerbs },
                    { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
                    { apiGroups: ["agents.x-k8s.io"], resources: ["sandboxes"], verbs: allVerbs },
                    { apiGroups: ["agents.x-k8s.io"], resources: ["sandboxes/finalizers", "sandboxes/status"], verbs: ["get", "patch", "update"] },
                    {
                        // Patches the conversion webhook's caBundle into its own four CRDs only.
                        apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "patch", "update"],
                        resourceNames: [
                            "sandboxclaims.extensions.agents.x-k8s.io", "sandboxes.agents.x-k8s.io",
                            "sandboxtemplates.extensions.agents.x-k8s.io", "sandboxwarmpools.extensions.agents.x-k8s.io",
                        ],
                    },
                    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get", "list", "patch", "update", "watch"] },
                ],
            },
            {
                // k8s/extensions-rbac.generated.yaml @ v0.5.6.
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta(`${agentSandboxControllerName}-extensions`, false),
                rules: [
                    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "patch", "update", "watch"] },
                    { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
                    { apiGroups: ["agents.x-k8s.io"], resources: ["sandboxes"], verbs: allVerbs },
                    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: allVerbs },
                    { apiGroups: ["extensions.agents.x-k8s.io"], resources: ["sandboxclaims", "sandboxtemplates", "sandboxwarmpools"], verbs: allVerbs },
                    {
                        apiGroups: ["extensions.agents.x-k8s.io"],
                        resources: ["sandboxclaims/finalizers", "sandboxclaims/status", "sandboxtemplates/finalizers", "sandboxwarmpools/finalizers", "sandboxwarmpools/status"],
                        verbs: ["get", "patch", "update"],
                    },
                    { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: allVerbs },
                ],
            },
        ],
        clusterRoleBindings: [agentSandboxControllerName, `${agentSandboxControllerName}-extensions`].map((name) => ({
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: meta(name, false),
            subjects: [subject],
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
        })),
        role: {
            // k8s/controller.yaml @ v0.5.6: create Secrets in its namespace; read and rotate only its webhook certificate.
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta(agentSandboxControllerName),
            rules: [
                { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
                { apiGroups: [""], resources: ["secrets"], resourceNames: [agentSandboxWebhookSecretName], verbs: ["get", "patch", "update"] },
            ],
        },
        roleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: meta(agentSandboxControllerName),
            subjects: [subject],
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: agentSandboxControllerName },
        },
        config: {
            apiVersion: "v1", kind: "ConfigMap", metadata: meta(agentSandboxConfigName),
            // main.go reads /etc/sandbox-config/allowed-label-domains (comma or newline separated).
            data: { "allowed-label-domains": claimLabelDomain },
        },
        webhookService: {
            apiVersion: "v1", kind: "Service", metadata: meta(agentSandboxWebhookServiceName),
            spec: { selector: agentSandboxPodLabels, ports: [{ name: "webhook", port: 443, targetPort: agentSandboxPorts.webhook, protocol: "TCP" }] },
        },
        deployment: buildControllerDeployment(meta(agentSandboxControllerName)),
    };
}

function buildControllerDeployment(metadata: Deployment["metadata"]): Deployment {
    return {
        apiVersion: "apps/v1", kind: "Deployment", metadata,
        spec: {
            replicas: 1,
            selector: { matchLabels: agentSandboxPodLabels },
            template: {
                metadata: { labels: { ...commonLabels("agent-sandbox"), ...agentSandboxPodLabels } },
                spec: {
                    serviceAccountName: agentSandboxControllerName,
                    securityContext: {
                        runAsNonRoot: true, runAsUser: agentSandboxUid, runAsGroup: agentSandboxUid, fsGroup: agentSandboxUid,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    containers: [{
                        name: agentSandboxControllerName,
                        image: agentSandboxImage,
                        imagePullPolicy: "IfNotPresent",
                        // --extensions: k8s/kustomization.yaml's patch and k8s/extensions.controller.yaml.
                        args: ["--leader-elect=true", "--extensions"],
                        ports: [
                            { name: "metrics", containerPort: agentSandboxPorts.metrics, protocol: "TCP" },
                            { name: "healthz", containerPort: agentSandboxPorts.healthz, protocol: "TCP" },
                            { name: "webhook", containerPort: agentSandboxPorts.webhook, protocol: "TCP" },
                        ],
                        // helm/templates/deployment.yaml @ v0.5.6.
                        livenessProbe: { httpGet: { path: "/healthz", port: "healthz" }, initialDelaySeconds: 15, periodSeconds: 20 },
                        readinessProbe: { httpGet: { path: "/readyz", port: "healthz" }, initialDelaySeconds: 5, periodSeconds: 10 },
                        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                        securityContext: {
                            allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
                            capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
                        },
                        volumeMounts: [
                            { name: "config-volume", mountPath: "/etc/sandbox-config", readOnly: true },
                            // The webhook's serving certificate is written under /tmp (--webhook-cert-dir default).
                            { name: "tmp", mountPath: "/tmp" },
                        ],
                    }],
                    volumes: [
                        { name: "config-volume", configMap: { name: agentSandboxConfigName, optional: true } },
                        { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                    ],
                },
            },
        },
    };
}
