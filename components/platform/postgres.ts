// Coder's database, by coder.postgres.mode. Builders are pure; the component wires them.

import { PlatformConfig } from "../config/schema";
import { commonLabels } from "../naming";
import { bitnamiPostgresChart, bitnamiPostgresImage, cnpgChart, cnpgPostgresImage } from "../versions";
import { HelmReleaseSpec } from "./helm";

export const databaseName = "coder";
export const databaseOwner = "coder";
export const cnpgClusterName = "coder-db";
export const cnpgNamespace = "cnpg-system";
export const bitnamiReleaseName = "coder-db";
/** Secret holding the Bitnami database passwords, and the one holding Coder's URL. */
export const bitnamiAuthSecret = "coder-db-auth";
export const bitnamiUrlSecret = "coder-db-url";

export interface SecretKeyRef { name: string; key: string }

/** Where Coder reads CODER_PG_CONNECTION_URL from, for each mode. */
export function connectionUrlSecret(config: Pick<PlatformConfig, "coder">): SecretKeyRef {
    switch (config.coder.postgres.mode) {
        case "cloudnative-pg": return { name: `${cnpgClusterName}-app`, key: "uri" };
        case "bitnami": return { name: bitnamiUrlSecret, key: "url" };
        case "external": return config.coder.postgres.connectionUrlSecret!;
    }
}

/** The CloudNativePG operator container (chart values.yaml's commented suggestion: 100m, 100Mi requests; 100m, 200Mi limits). */
export const cnpgOperatorResources = { requests: { cpu: "100m", memory: "100Mi" }, limits: { cpu: "100m", memory: "200Mi" } };

export function cnpgOperatorRelease(): HelmReleaseSpec {
    return {
        name: "cnpg", namespace: cnpgNamespace, repo: cnpgChart.repo, chart: cnpgChart.chart, version: cnpgChart.version,
        values: {
            crds: { create: true }, config: { clusterWide: true },
            // Chart key `resources` (empty by default); the figures are the ones its values.yaml suggests
            // in a comment (cloudnative-pg chart 0.27.1). Its security contexts are already `restricted`.
            resources: cnpgOperatorResources,
        },
    };
}

export function buildCnpgCluster(config: Pick<PlatformConfig, "coder" | "cluster">) {
    return {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: { name: cnpgClusterName, namespace: config.coder.namespace, labels: commonLabels("database") },
        spec: {
            instances: 1,
            imageName: cnpgPostgresImage,
            storage: { size: config.coder.postgres.storage, ...(config.cluster.storageClass ? { storageClass: config.cluster.storageClass } : {}) },
            bootstrap: { initdb: { database: databaseName, owner: databaseOwner } },
            resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
        },
    };
}

export function bitnamiRelease(config: Pick<PlatformConfig, "coder" | "cluster">): HelmReleaseSpec {
    return {
        name: bitnamiReleaseName, namespace: config.coder.namespace, repo: bitnamiPostgresChart.repo, chart: bitnamiPostgresChart.chart,
        version: bitnamiPostgresChart.version,
        values: {
            image: bitnamiPostgresImage,
            // Bitnami's versioned images live in the frozen bitnamilegacy repository since Aug 2025.
            global: { security: { allowInsecureImages: true } },
            auth: { username: databaseOwner, database: databaseName, existingSecret: bitnamiAuthSecret },
            primary: {
                persistence: { size: config.coder.postgres.storage, ...(config.cluster.storageClass ? { storageClass: config.cluster.storageClass } : {}) },
            },
        },
    };
}

export function bitnamiServiceHost(config: Pick<PlatformConfig, "coder">): string {
    return `${bitnamiReleaseName}-postgresql.${config.coder.namespace}.svc.cluster.local`;
}

export function bitnamiConnectionUrl(config: Pick<PlatformConfig, "coder">, password: string): string {
    return `postgres://${databaseOwner}:${encodeURIComponent(password)}@${bitnamiServiceHost(config)}:5432/${databaseName}?sslmode=disable`;
}
