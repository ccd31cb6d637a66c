// Coder's control plane values and the workspace RBAC. Pure.

import { PlatformConfig } from "../config/schema";
import { Role, RoleBinding } from "../manifest";
import { commonLabels } from "../naming";
import { HelmReleaseSpec } from "./helm";
import { SecretKeyRef } from "./postgres";
import { coderChart } from "../versions";

export const coderReleaseName = "coder";
export const coderServiceAccount = "coder";
/** Namespace where the Coder template's envbox workspaces run. */
export const workspacesNamespace = "coder-workspaces";

export function coderRelease(config: PlatformConfig, database: SecretKeyRef): HelmReleaseSpec {
    const accessUrl = new URL(config.coder.accessUrl!);
    const env: Record<string, unknown>[] = [
        { name: "CODER_PG_CONNECTION_URL", valueFrom: { secretKeyRef: database } },
        { name: "CODER_ACCESS_URL", value: config.coder.accessUrl },
    ];
    if (config.coder.wildcardAccessUrl) {
        env.push({ name: "CODER_WILDCARD_ACCESS_URL", value: config.coder.wildcardAccessUrl });
    }
    return {
        name: coderReleaseName, namespace: config.coder.namespace, repo: coderChart.repo, chart: coderChart.chart,
        version: config.coder.chartVersion,
        values: {
            coder: {
                env,
                // On K3s a LoadBalancer on :80 collides with Traefik's ServiceLB: ClusterIP behind the ingress.
                service: { type: "ClusterIP" },
                ingress: {
                    enable: true,
                    className: config.cluster.ingressClass,
                    host: accessUrl.hostname,
                    ...(config.coder.wildcardAccessUrl ? { wildcardHost: config.coder.wildcardAccessUrl } : {}),
                },
                resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } },
                serviceAccount: { workspacePerms: true, enableDeployments: true, name: coderServiceAccount },
            },
        },
    };
}

/** Lets Coder's provisioner manage workspaces in the workspaces namespace. */
export function buildWorkspaceRbac(config: PlatformConfig): { role: Role; binding: RoleBinding } {
    const metadata = { name: "coder-workspaces", namespace: workspacesNamespace, labels: commonLabels("control-plane") };
    return {
        role: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata,
            rules: [
                { apiGroups: [""], resources: ["pods", "persistentvolumeclaims", "secrets", "configmaps", "services"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] },
                { apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] },
            ],
        },
        binding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "coder-workspaces" },
            subjects: [{ kind: "ServiceAccount", name: coderServiceAccount, namespace: config.coder.namespace }],
        },
    };
}
