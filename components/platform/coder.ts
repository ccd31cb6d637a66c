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

export function coderRelease(config: Pick<PlatformConfig, "coder" | "cluster">, database: SecretKeyRef): HelmReleaseSpec {
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
                // The chart's own Role would let coderd create pods in this namespace, next to
                // Postgres: workspaces run only in their own namespace (buildWorkspaceRbac).
                serviceAccount: { workspacePerms: false, enableDeployments: false, name: coderServiceAccount },
                // Pod Security `restricted`: the chart's defaults plus dropped capabilities and a
                // read-only root; coderd writes only its home (caches, Terraform) and /tmp.
                securityContext: {
                    runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
                },
                volumes: [{ name: "home", emptyDir: { sizeLimit: "2Gi" } }, { name: "tmp", emptyDir: { sizeLimit: "2Gi" } }],
                volumeMounts: [{ name: "home", mountPath: "/home/coder" }, { name: "tmp", mountPath: "/tmp" }],
            },
        },
    };
}

/** Verbs of the coder chart's workspace Role. */
export const workspaceVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/**
 * Lets Coder's provisioner manage workspaces in the workspaces namespace: exactly the
 * rules of the coder chart's own workspace Role (libcoder `rbac.rules.basic` and
 * `rbac.rules.deployments`: pods, persistentvolumeclaims, apps/deployments), nothing more.
 */
export function buildWorkspaceRbac(config: Pick<PlatformConfig, "coder">): { role: Role; binding: RoleBinding } {
    const metadata = { name: "coder-workspaces", namespace: workspacesNamespace, labels: commonLabels("control-plane") };
    return {
        role: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata,
            rules: [
                { apiGroups: [""], resources: ["pods"], verbs: workspaceVerbs },
                { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: workspaceVerbs },
                { apiGroups: ["apps"], resources: ["deployments"], verbs: workspaceVerbs },
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
