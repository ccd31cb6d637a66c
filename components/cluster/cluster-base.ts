import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { k8sClasses } from "../provider-classes";
import { ClusterConfig, NetworkConfig, RuntimesConfig, TeamConfig } from "../config/schema";
import { buildAccessNamespace, buildPlatformNamespace, buildTeamNamespace } from "./namespaces";
import { buildAccessNetworkPolicies, buildTeamNetworkPolicies } from "./network-policies";
import { buildTeamLimitRange, buildTeamQuota, capacityRoster } from "./quotas";

export interface ClusterBaseArgs {
    /** The teams whose sandbox namespaces (quota, limits, network policies) this stack owns. */
    teams: TeamConfig[];
    /**
     * What sizes each team's quota: its roster of developers (a stack that also deploys the
     * sandboxes) or its declared `capacity` (a platform stack, whose team stacks add developers later).
     */
    quotaBy: "roster" | "capacity";
    /** Address ranges (pod, Service, node CIDRs) and node count (quotas' pre-pull pods). */
    cluster: ClusterConfig;
    /** The network section: access namespace, API server, egress defaults. */
    network: NetworkConfig;
    /** Kata's shims size the per-pod overhead counted in a kata team's quota. */
    runtimes: Pick<RuntimesConfig, "kata">;
    /** The namespace Coder and its database run in, created here when Coder is deployed. */
    platformNamespace?: string;
}

/** Namespaces with Pod Security labels, quotas, limits and default-deny network policies. */
export class ClusterBase extends pulumi.ComponentResource {
    /** Team name → its sandbox namespace. */
    readonly teamNamespaces: Record<string, k8s.core.v1.Namespace> = {};
    readonly platformNamespace?: k8s.core.v1.Namespace;
    /** The namespace trusted to reach sandboxes: created here, or read (and so verified to exist). */
    readonly accessNamespace: k8s.core.v1.Namespace;

    constructor(name: string, args: ClusterBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:cluster:ClusterBase", name, {}, opts);
        const config = { cluster: args.cluster, network: args.network, runtimes: args.runtimes };
        if (args.platformNamespace !== undefined) {
            const spec = buildPlatformNamespace({ coder: { namespace: args.platformNamespace } });
            this.platformNamespace = new k8sClasses.core.v1.Namespace(spec.metadata!.name!, spec, { parent: this });
        }
        const access = buildAccessNamespace(config);
        this.accessNamespace = config.network.accessFrom.create
            ? new k8sClasses.core.v1.Namespace(access.metadata!.name!, access, { parent: this })
            : k8sClasses.core.v1.Namespace.get(access.metadata!.name!, access.metadata!.name!, { parent: this });
        // Policies only in a namespace the platform owns: a namespace it merely reads belongs to someone else.
        if (config.network.accessFrom.create) {
            for (const policy of buildAccessNetworkPolicies({ ...config, teams: args.teams })) {
                new k8sClasses.networking.v1.NetworkPolicy(`${access.metadata!.name}-${policy.metadata!.name}`, policy, { parent: this, dependsOn: [this.accessNamespace] });
            }
        }
        for (const team of args.teams) {
            const spec = buildTeamNamespace(team);
            const nsName = spec.metadata!.name!;
            const namespace = new k8sClasses.core.v1.Namespace(nsName, spec, { parent: this });
            this.teamNamespaces[team.name] = namespace;
            const children = { parent: this, dependsOn: [namespace] };
            // A platform stack sizes them by the team's declared capacity; otherwise by its roster.
            const sized = args.quotaBy === "capacity" ? capacityRoster(team) : team;
            new k8sClasses.core.v1.ResourceQuota(`${nsName}-quota`, buildTeamQuota(sized, config), children);
            new k8sClasses.core.v1.LimitRange(`${nsName}-limits`, buildTeamLimitRange(sized), children);
            for (const policy of buildTeamNetworkPolicies(team, config)) {
                new k8sClasses.networking.v1.NetworkPolicy(`${nsName}-${policy.metadata!.name}`, policy, children);
            }
        }
        this.registerOutputs({});
    }
}
