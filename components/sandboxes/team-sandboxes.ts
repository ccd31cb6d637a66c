import * as pulumi from "@pulumi/pulumi";
import { k8sClasses } from "../provider-classes";
import { PlatformConfig, TeamConfig } from "../config/schema";

/** What of the environment's config a team's sandboxes read. */
export type SandboxSettings = Pick<PlatformConfig, "runtimes" | "cluster" | "devices">;
import { Sandbox } from "./sandbox";
import { SandboxPlan, planTeamSandboxes } from "./plan";
import { workspacePath } from "./workspace";
import { sandboxImageRepository } from "../versions";

/** code-server is in the platform's sandbox image; other images are not known to have it. */
export function imageRunsCodeServer(plan: SandboxPlan): boolean {
    return plan.workspace !== "envbuilder" && plan.image.startsWith(`${sandboxImageRepository}:`);
}
import { PoolAssignment } from "./pool-assignment-resource";
import { buildPrePullDaemonSet, prePullName } from "./prepull";
import { buildStartScriptConfigMap } from "./start-script";
import { teamNamespace } from "../naming";
import { buildAgentSandboxTemplate, buildAgentSandboxWarmPool, ephemeralTemplatePlan } from "./agent-sandbox";
import { buildSandboxConfigMap } from "./workspace";
import { buildSandboxPodSpec } from "./workload";

/** Where a developer's sandbox is and what backs it. */
export interface DeveloperSandbox {
    team: string;
    developer: string;
    namespace: string;
    sandbox: string;
    serviceDns: string;
    claims: string[];
    runtime: string;
    /** Pool member index for pool teams. */
    poolMember?: number;
    /** dedicated | pool | ephemeral. */
    allocation: string;
    /** How the workspace is made: image | devcontainer | envbuilder. */
    workspace: string;
    /** Folder editors open (the repository's, or the home directory). */
    workspacePath: string;
    /** Whether the image is known to run code-server (the platform's sandbox image). */
    codeServer: boolean;
}

export interface TeamSandboxesArgs {
    /** The validated team config. */
    team: TeamConfig;
    /** The environment's settings a sandbox depends on (runtimes, devices, cluster). */
    config: SandboxSettings;
}

/** All sandboxes of one team, its warm-pool assignment, and its image pre-pull. */
export class TeamSandboxes extends pulumi.ComponentResource {
    readonly developers: pulumi.Output<DeveloperSandbox[]>;
    readonly sandboxes: Sandbox[];

    constructor(name: string, args: TeamSandboxesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:sandboxes:Team", name, {}, opts);
        const { team, config } = args;
        const plans = planTeamSandboxes(team);
        const roster = team.developers.map((developer) => developer.name);

        let assignments: pulumi.Output<Record<string, number>> | undefined;
        if (team.allocation === "pool") {
            const assignment = new PoolAssignment(`${team.name}-pool-assignment`, {
                team: team.name, developers: roster, poolSize: team.poolSize,
            }, { parent: this });
            assignments = assignment.assignments;
        }

        // The start-up script once for the team's namespace; each sandbox's ConfigMap holds only its settings.
        const startScript = new k8sClasses.core.v1.ConfigMap(`${team.name}-sandbox-start`, buildStartScriptConfigMap(teamNamespace(team.name)), { parent: this });
        // An ephemeral team on agent-sandbox: one SandboxTemplate and warm pool, whose pods serve the whole roster.
        let warmPool: pulumi.Resource | undefined;
        if (team.backend === "agent-sandbox" && team.allocation === "ephemeral") {
            const template = ephemeralTemplatePlan(plans);
            const sshd = buildSandboxConfigMap(template, roster);
            const sshdConfigMap = new k8sClasses.core.v1.ConfigMap(`${template.name}-sshd`, { metadata: sshd.metadata, data: sshd.data }, { parent: this });
            const sandboxTemplate = new k8sClasses.apiextensions.CustomResource(template.name, buildAgentSandboxTemplate(template, buildSandboxPodSpec(template, config)),
                { parent: this, dependsOn: [sshdConfigMap, startScript] });
            warmPool = new k8sClasses.apiextensions.CustomResource(`${template.name}-warm`, buildAgentSandboxWarmPool(template), { parent: this, dependsOn: [sandboxTemplate] });
        }

        // A loop, not a map: each callback frame lands in every resource's captured stack (see index.ts).
        this.sandboxes = [];
        for (const plan of plans) {
            // Ephemeral members serve whoever takes them: every developer of the team.
            const principals = plan.developer !== undefined
                ? [plan.developer]
                : plan.ephemeral ? roster
                : assignments!.apply((assigned) => roster.filter((developer) => assigned[developer] === plan.poolIndex));
            this.sandboxes.push(new Sandbox(plan.name, { plan, config, principals, startScript, backend: team.backend },
                { parent: this, ...(warmPool ? { dependsOn: [warmPool] } : {}) }));
        }

        const prePull = buildPrePullDaemonSet(team);
        new k8sClasses.apps.v1.DaemonSet(`${team.name}-${prePullName}`, prePull, { parent: this });

        const info = (developer: string, planIndex: number, poolMember?: number): DeveloperSandbox => {
            const plan = plans[planIndex];
            const sandbox = this.sandboxes[planIndex];
            const common = {
                team: team.name, developer, namespace: sandbox.namespace, runtime: sandbox.runtime, allocation: team.allocation,
                workspace: plan.workspace ?? "image", workspacePath: workspacePath(plan), codeServer: imageRunsCodeServer(plan),
            };
            if (plan.ephemeral) {
                // Any free member: Boundary picks one (no host pinning); without Boundary a
                // member is suggested per developer. Nothing is retained.
                return { ...common, sandbox: plan.name, serviceDns: sandbox.serviceDns, claims: [] };
            }
            return {
                ...common, sandbox: plan.name, serviceDns: sandbox.serviceDns,
                claims: sandbox.claimNames, ...(poolMember !== undefined ? { poolMember } : {}),
            };
        };
        this.developers = assignments
            ? assignments.apply((assigned) => roster.map((developer) => info(developer, assigned[developer], assigned[developer])))
            : pulumi.output(roster.map((developer, i) => info(developer, team.allocation === "ephemeral" ? i % plans.length : i)));
        this.registerOutputs({ developers: this.developers });
    }
}
