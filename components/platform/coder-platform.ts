import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { k8sClasses } from "../provider-classes";
import { ClusterConfig, CoderConfig, NetworkConfig, PostgresConfig } from "../config/schema";
import { podSecurityLabels } from "../cluster/namespaces";
import {
    DatabaseSelector, bitnamiPostgresPodLabels, buildCnpgOperatorNetworkPolicies, buildPlatformNetworkPolicies, buildSandboxNetworkPolicies,
} from "../cluster/network-policies";
import { commonLabels, labels } from "../naming";
import { buildWorkspaceRbac, coderRelease, workspacesNamespace } from "./coder";
import { deployHelmRelease } from "./helm";
import {
    bitnamiAuthSecret, bitnamiConnectionUrl, bitnamiRelease, bitnamiUrlSecret, buildCnpgCluster, cnpgClusterName, cnpgNamespace, cnpgOperatorRelease, connectionUrlSecret,
} from "./postgres";

export interface CoderPlatformArgs {
    /** Coder's settings: namespace, URLs, chart version and its Postgres. */
    coder: CoderConfig;
    /** Helm mode, ingress class, storage class and the address ranges the network policies use. */
    cluster: ClusterConfig;
    /** The API server's addresses and the ingress controller, which the network policies allow. */
    network: NetworkConfig;
    /** The platform namespace Coder and its database live in. */
    namespace: k8s.core.v1.Namespace;
}

/** Coder's control plane, its Postgres (by mode) and the namespace its envbox workspaces run in. */
export class CoderPlatform extends pulumi.ComponentResource {
    constructor(name: string, args: CoderPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:platform:Coder", name, {}, opts);
        const config = { coder: args.coder, cluster: args.cluster, network: args.network };
        const helmMode = config.cluster.helm;
        const inPlatform = { parent: this, dependsOn: [args.namespace] };
        const database: pulumi.Resource[] = [];

        switch (config.coder.postgres.mode) {
            case "cloudnative-pg": {
                const operatorNamespace = new k8sClasses.core.v1.Namespace(cnpgNamespace, {
                    metadata: { name: cnpgNamespace, labels: { ...commonLabels("database"), ...podSecurityLabels("restricted") } },
                }, { parent: this });
                for (const policy of buildCnpgOperatorNetworkPolicies(config)) {
                    new k8sClasses.networking.v1.NetworkPolicy(`${cnpgNamespace}-${policy.metadata!.name}`, policy, { parent: this, dependsOn: [operatorNamespace] });
                }
                const operator = deployHelmRelease(cnpgOperatorRelease(), helmMode, { parent: this, dependsOn: [operatorNamespace] });
                database.push(new k8sClasses.apiextensions.CustomResource("coder-db", buildCnpgCluster(config), { parent: this, dependsOn: [args.namespace, operator] }));
                break;
            }
            case "bitnami": {
                const password = new random.RandomPassword("coder-db-password", { length: 32, special: false }, { parent: this });
                const auth = new k8sClasses.core.v1.Secret(bitnamiAuthSecret, {
                    metadata: { name: bitnamiAuthSecret, namespace: config.coder.namespace, labels: commonLabels("database") },
                    stringData: { "password": password.result, "postgres-password": password.result },
                }, inPlatform);
                const release = deployHelmRelease(bitnamiRelease(config), helmMode, { parent: this, dependsOn: [auth] });
                const url = new k8sClasses.core.v1.Secret(bitnamiUrlSecret, {
                    metadata: { name: bitnamiUrlSecret, namespace: config.coder.namespace, labels: commonLabels("database") },
                    stringData: { url: pulumi.secret(password.result.apply((value) => bitnamiConnectionUrl(config, value))) },
                }, inPlatform);
                database.push(release, url);
                break;
            }
            case "external":
                break;
        }

        for (const policy of buildPlatformNetworkPolicies(config, databaseSelector(config.coder.postgres), workspacesNamespace)) {
            new k8sClasses.networking.v1.NetworkPolicy(`${config.coder.namespace}-${policy.metadata!.name}`, policy, inPlatform);
        }

        // Coder starts only once its database (and the secret with its URL) exists.
        deployHelmRelease(coderRelease(config, connectionUrlSecret(config)), helmMode, { parent: this, dependsOn: [args.namespace, ...database] });

        const workspaces = new k8sClasses.core.v1.Namespace(workspacesNamespace, {
            metadata: {
                name: workspacesNamespace,
                labels: {
                    ...commonLabels("workspaces"), ...podSecurityLabels("privileged"),
                    [labels.sandboxNamespace]: "true", [labels.runtime]: "envbox",
                },
            },
        }, { parent: this });
        for (const policy of buildSandboxNetworkPolicies(workspacesNamespace, config, { accessIngress: false, coderNamespace: config.coder.namespace })) {
            new k8sClasses.networking.v1.NetworkPolicy(`${workspacesNamespace}-${policy.metadata!.name}`, policy, { parent: this, dependsOn: [workspaces] });
        }
        const rbac = buildWorkspaceRbac(config);
        new k8sClasses.rbac.v1.Role("coder-workspaces-role", rbac.role, { parent: this, dependsOn: [workspaces] });
        new k8sClasses.rbac.v1.RoleBinding("coder-workspaces-binding", rbac.binding, { parent: this, dependsOn: [workspaces] });
        this.registerOutputs({});
    }
}

/** Which pods in the platform namespace are the database, by mode. */
export function databaseSelector(postgres: Pick<PostgresConfig, "mode">): DatabaseSelector {
    switch (postgres.mode) {
        case "cloudnative-pg": return { podLabels: { "cnpg.io/cluster": cnpgClusterName }, cnpg: true };
        case "bitnami": return { podLabels: bitnamiPostgresPodLabels, cnpg: false };
        case "external": return { cnpg: false };
    }
}
