import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../config/schema";
import { buildAccessNamespace, buildPlatformNamespace, buildTeamNamespace } from "./namespaces";
import { buildAccessNetworkPolicies, buildTeamNetworkPolicies } from "./network-policies";
import { buildTeamLimitRange, buildTeamQuota, capacityRoster } from "./quotas";

export interface ClusterBaseArgs {
    /** The validated platform config. */
    config: PlatformConfig;
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
        const { config } = args;
        if (config.coder.enabled) {
            const spec = buildPlatformNamespace(config);
            this.platformNamespace = new k8s.core.v1.Namespace(spec.metadata!.name!, spec, { parent: this });
        }
        const access = buildAccessNamespace(config);
        this.accessNamespace = config.network.accessFrom.create
            ? new k8s.core.v1.Namespace(access.metadata!.name!, access, { parent: this })
            : k8s.core.v1.Namespace.get(access.metadata!.name!, access.metadata!.name!, { parent: this });
        // Policies only in a namespace the platform owns: a namespace it merely reads belongs to someone else.
        if (config.network.accessFrom.create) {
            for (const policy of buildAccessNetworkPolicies(config)) {
                new k8s.networking.v1.NetworkPolicy(`${access.metadata!.name}-${policy.metadata!.name}`, policy, { parent: this, dependsOn: [this.accessNamespace] });
            }
        }
        for (const team of config.teams) {
            const spec = buildTeamNamespace(team);
            const nsName = spec.metadata!.name!;
            const namespace = new k8s.core.v1.Namespace(nsName, spec, { parent: this });
            this.teamNamespaces[team.name] = namespace;
            const children = { parent: this, dependsOn: [namespace] };
            // A platform stack sizes them by the team's declared capacity; otherwise by its roster.
            const sized = config.stack === "platform" ? capacityRoster(team) : team;
            new k8s.core.v1.ResourceQuota(`${nsName}-quota`, buildTeamQuota(sized, config), children);
            new k8s.core.v1.LimitRange(`${nsName}-limits`, buildTeamLimitRange(sized), children);
            for (const policy of buildTeamNetworkPolicies(team, config)) {
                new k8s.networking.v1.NetworkPolicy(`${nsName}-${policy.metadata!.name}`, policy, children);
            }
        }
        this.registerOutputs({});
    }
}
