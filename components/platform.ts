import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./config/schema";
import { ClusterBase } from "./cluster/cluster-base";
import { DeveloperSandbox, TeamSandboxes } from "./sandboxes/team-sandboxes";

export interface PlatformArgs {
    /** The validated stack config (see parsePlatformConfig). */
    config: PlatformConfig;
}

/** The whole sandbox platform of one environment. Each capability plugs in as one line. */
export class Platform extends pulumi.ComponentResource {
    readonly developers: pulumi.Output<DeveloperSandbox[]>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:index:Platform", name, {}, opts);
        const { config } = args;
        const base = new ClusterBase("cluster", { config }, { parent: this });
        const teams = config.teams.map((team) =>
            new TeamSandboxes(team.name, { team, config }, { parent: this, dependsOn: [base.teamNamespaces[team.name]] }));

        this.developers = pulumi.all(teams.map((team) => team.developers)).apply((lists) => lists.flat());
        this.registerOutputs({ developers: this.developers });
    }
}
