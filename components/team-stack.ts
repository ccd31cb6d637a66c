// A team stack: one team's (or a group of teams') sandboxes, Vault roles and Boundary targets, on the
// namespaces, CAs and Boundary projects its platform stack made. Thin wiring over the same components
// as the all-in-one stack. The components sit at the root of the stack, so a team moved out of an
// all-in-one stack keeps its resources' URNs under `pulumi state move` (docs/stacks.md).

import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./config/schema";
import { TeamAccessExport } from "./config/team-stack";
import { DeployCredentials } from "./access/deploy-credentials";
import { DeveloperSandbox, TeamSandboxes } from "./sandboxes/team-sandboxes";
import { VaultTeamRoles } from "./access/team-ssh-ca";
import { BoundaryTeam, DeveloperTarget } from "./access/boundary-access";
import { ConnectInstructions } from "./access/connect";
import { boundaryConnection, connectAll, platformName, platformType } from "./platform";
import { teamSshMount } from "./access/vault-policies";

export interface TeamStackArgs {
    /** The team stack's whole config (its teams on its platform's sections: config/team-stack.ts teamStackConfig). */
    config: PlatformConfig;
    /** Per team, what the platform stack made for it (its `platform` output's access). */
    access: Record<string, TeamAccessExport>;
    /** Deploy-time credentials of the team's own identities. */
    credentials: DeployCredentials;
}

export interface TeamStackOutputs {
    developers: pulumi.Output<DeveloperSandbox[]>;
    connect: pulumi.Output<Record<string, ConnectInstructions>>;
}

/**
 * The URN the Platform component has in an all-in-one stack of this stack's name. `pulumi state move`
 * renames only the stack and project of the URNs it moves (pkg/cmd/pulumi/state/state_move.go
 * rewriteURNs), so a team's sandboxes moved out of an all-in-one stack keep `Platform` in their type
 * chain; this alias, inherited by every child (the engine's generateAliases), lets the team stack
 * take them over with no replacement (test/stack-migration.test.ts).
 */
export function allInOnePlatformUrn(): string {
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${platformType}::${platformName}`;
}

/**
 * Creates a team stack's resources: at the root of the stack (the team stack program), or under
 * `parent` (the TeamStack component of the multi-language package, whose resources never lived in
 * an all-in-one stack and so need no alias to one).
 */
export function deployTeamStack(args: TeamStackArgs, parent?: pulumi.Resource): TeamStackOutputs {
    const { config, access, credentials } = args;
    const placed: pulumi.ComponentResourceOptions = parent ? { parent } : {};
    const injection = config.boundary.enabled && config.boundary.edition !== "community";
    const developers: pulumi.Output<DeveloperSandbox[]>[] = [];
    const targets: DeveloperTarget[] = [];
    const connection = config.boundary.enabled ? boundaryConnection(config, credentials) : undefined;
    // A loop, not a map: each callback frame lands in every resource's captured stack (see index.ts).
    for (const team of config.teams) {
        developers.push(new TeamSandboxes(team.name, { team, config }, parent ? placed : { aliases: [{ parent: allInOnePlatformUrn() }] }).developers);
        if (config.vault.enabled) {
            new VaultTeamRoles(`vault-ssh-${team.name}`, { team, vault: config.vault, injection }, placed);
        }
        const teamAccess = access[team.name];
        if (connection && teamAccess?.boundaryOrgId && teamAccess.boundaryProjectId) {
            targets.push(...new BoundaryTeam(`boundary-${team.name}`, {
                team, boundary: config.boundary, sshMount: teamSshMount(config.vault.sshMount, team.name),
                orgId: teamAccess.boundaryOrgId, projectId: teamAccess.boundaryProjectId, connection,
                vaultToken: config.vault.enabled ? credentials.boundaryVaultToken : undefined, vaultAddress: credentials.vaultAddress,
            }, placed).targets);
        }
    }
    const all = pulumi.all(developers).apply((lists) => lists.flat());
    return { developers: all, connect: connectAll(all, targets, (team) => teamSshMount(config.vault.sshMount, team)) };
}
