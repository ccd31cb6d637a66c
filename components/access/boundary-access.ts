import * as pulumi from "@pulumi/pulumi";
import { BoundaryConfig, PlatformConfig, TeamConfig } from "../config/schema";
import { planTeamSandboxes } from "../sandboxes/plan";
import { serviceDnsName } from "../naming";
import { BoundaryConnection } from "./boundary/client";
import {
    CredentialLibraryVaultSshCertificate, CredentialStoreVault, HostCatalogStatic, HostSetStatic, HostStatic, Role, Scope, Target, User,
} from "./boundary/resources";
import { developerRoleName, poolInjectionRoleName, sshExtensions, signPath } from "./vault-policies";

export interface BoundaryAccessArgs {
    /** The environment's Boundary and Vault settings, its teams, and what kind of stack this is. */
    config: Pick<PlatformConfig, "environment" | "stack" | "boundary" | "vault" | "teams">;
    /** How the provider logs in (token or password), as a secret. */
    connection: pulumi.Input<BoundaryConnection>;
    /** Team → token for that team's Vault credential store (enterprise/hcp), from VaultSshCa. */
    vaultTokens?: Record<string, pulumi.Input<string>>;
    /** Vault's address as Boundary's workers reach it (enterprise/hcp); resolved at deploy time. */
    vaultAddress?: pulumi.Input<string>;
}

/** What an edition lets the platform build (see docs/access.md, "Boundary editions"). */
export function editionCapabilities(edition: PlatformConfig["boundary"]["edition"]): { targetType: "tcp" | "ssh"; injection: boolean } {
    // The community build registers only tcp targets (hashicorp/boundary internal/daemon/controller/handlers/targets/tcp/tcp.go
    // is the only targets.Register), and a tcp target takes brokered credentials only (internal/target/tcp/register.go
    // VetCredentialSources). SSH targets with injected Vault SSH certificates are HCP Boundary and Boundary Enterprise.
    return edition === "community" ? { targetType: "tcp", injection: false } : { targetType: "ssh", injection: true };
}

/** Least privilege for one target: read it and start sessions on it, nothing else (grant grammar: internal/perms/grants.go). */
export function targetGrant(targetId: string): string {
    return `ids=${targetId};actions=read,authorize-session`;
}

/** A pool library signs for whoever opens the session: the Boundary user's name, which is the developer's name. */
export const poolUsernameTemplate = "{{.User.Name}}";

/** Per developer: the target to connect to and, for pools, the host to pick. */
export interface DeveloperTarget {
    team: string;
    developer: string;
    targetId: pulumi.Output<string>;
    hostIds?: Record<number, pulumi.Output<string>>;
    injected: boolean;
}

/** Boundary layout: org, a project per team, static hosts per sandbox, targets and roles per developer. */
export class BoundaryAccess extends pulumi.ComponentResource {
    readonly targets: DeveloperTarget[] = [];
    readonly orgId: pulumi.Output<string>;
    /** Team → its project scope's id. */
    readonly projectIds: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: BoundaryAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:access:BoundaryAccess", name, {}, opts);
        const { config, connection } = args;
        const settings = config.boundary;
        const child = { parent: this };
        const org = new Scope("boundary-org", { connection, parentScopeId: "global", name: settings.orgName, description: `sandbox-platform ${config.environment}` }, child);
        this.orgId = org.id;
        const userFor = boundaryUsers(connection, org.id, this);

        for (const team of config.teams) {
            const project = new Scope(`boundary-${team.name}-project`, { connection, parentScopeId: org.id, name: team.name }, child);
            this.projectIds[team.name] = project.id;
            // A platform stack only makes the project: the team's own stack fills it.
            if (config.stack !== "platform") {
                this.targets.push(...teamTargets(team, {
                    connection, settings, sshMount: config.vault.sshMount, projectId: project.id, userFor,
                    vaultAddress: args.vaultAddress ?? config.vault.address, vaultToken: args.vaultTokens?.[team.name],
                }, this));
            }
        }
        this.registerOutputs({ orgId: this.orgId, projectIds: this.projectIds });
    }
}

export interface BoundaryTeamArgs {
    /** The team (roster, allocation) whose sandboxes get hosts and targets. */
    team: TeamConfig;
    /** Boundary settings of the environment (edition, session length). */
    boundary: BoundaryConfig;
    /** The Vault SSH mount the team's certificates are signed on. */
    sshMount: string;
    /** The org scope (developers' users) and the team's project scope, made by the platform stack. */
    orgId: pulumi.Input<string>;
    projectId: pulumi.Input<string>;
    /** How the provider logs in (the team's own Boundary identity), as a secret. */
    connection: pulumi.Input<BoundaryConnection>;
    /** Token for the team's Vault credential store (enterprise/hcp), and Vault's address as workers reach it. */
    vaultToken?: pulumi.Input<string>;
    vaultAddress?: pulumi.Input<string>;
}

/** A team stack's part of Boundary: its developers' users, and hosts, targets and roles in its project scope. */
export class BoundaryTeam extends pulumi.ComponentResource {
    readonly targets: DeveloperTarget[];

    constructor(name: string, args: BoundaryTeamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:access:BoundaryTeam", name, {}, opts);
        const userFor = boundaryUsers(args.connection, args.orgId, this);
        this.targets = teamTargets(args.team, {
            connection: args.connection, settings: args.boundary, sshMount: args.sshMount, projectId: args.projectId, userFor,
            vaultAddress: args.vaultAddress, vaultToken: args.vaultToken,
        }, this);
        this.registerOutputs({});
    }
}

/** One Boundary user per developer name, made once however many teams name them. */
function boundaryUsers(connection: pulumi.Input<BoundaryConnection>, orgId: pulumi.Input<string>, parent: pulumi.Resource): (developer: string) => User {
    const users = new Map<string, User>();
    return (developer) => {
        if (!users.has(developer)) {
            users.set(developer, new User(`boundary-user-${developer}`, { connection, scopeId: orgId, name: developer, description: "sandbox developer; link to their account" }, { parent }));
        }
        return users.get(developer)!;
    };
}

interface TeamTargetContext {
    connection: pulumi.Input<BoundaryConnection>;
    settings: BoundaryConfig;
    sshMount: string;
    projectId: pulumi.Input<string>;
    userFor: (developer: string) => User;
    vaultAddress?: pulumi.Input<string>;
    vaultToken?: pulumi.Input<string>;
}

/** A team's static hosts, host sets, Vault credential library (with injection), targets and roles, in its project. */
function teamTargets(team: TeamConfig, context: TeamTargetContext, parent: pulumi.Resource): DeveloperTarget[] {
    const { connection, settings, sshMount, projectId, userFor, vaultAddress, vaultToken } = context;
    const { targetType, injection } = editionCapabilities(settings.edition);
    const child = { parent };
    const targets: DeveloperTarget[] = [];
    const catalog = new HostCatalogStatic(`boundary-${team.name}-catalog`, { connection, scopeId: projectId, name: `${team.name}-sandboxes` }, child);
    const plans = planTeamSandboxes(team);
    const hosts = new Map<string, HostStatic>();
    for (const plan of plans) { // a loop, not a map callback: a frame less in each host's captured stack (see index.ts)
        hosts.set(plan.name, new HostStatic(`boundary-host-${plan.name}`, {
            connection, hostCatalogId: catalog.id, name: plan.name, address: serviceDnsName(plan.name, plan.namespace),
        }, child));
    }
    const store = injection && vaultToken && vaultAddress
        ? new CredentialStoreVault(`boundary-${team.name}-vault`, {
            connection, scopeId: projectId, name: "vault", vaultAddress, vaultToken,
        }, child)
        : undefined;

    // Pool and ephemeral teams: one target over every member (ephemeral: never pinned to a host).
    if (team.allocation !== "dedicated") {
        const hostSet = new HostSetStatic(`boundary-hostset-${team.name}-pool`, {
            connection, hostCatalogId: catalog.id, name: `${team.name}-pool`, hostIds: [...hosts.values()].map((host) => host.id),
        }, child);
        // One pool target; with injection its library signs for the Boundary user who opens the
        // session ({{.User.Name}}), so one target serves the whole roster.
        const roster = team.developers.map((developer) => developer.name);
        const library = store
            ? new CredentialLibraryVaultSshCertificate(`boundary-library-${team.name}-pool`, {
                connection, credentialStoreId: store.id, name: `${team.name}-pool`, path: signPath(sshMount, poolInjectionRoleName(team.name)),
                username: poolUsernameTemplate, developers: roster, extensions: sshExtensions,
            }, child)
            : undefined;
        const target = new Target(`boundary-target-${team.name}-pool`, {
            connection, scopeId: projectId, name: `${team.name}-pool`, type: library ? targetType : "tcp", defaultPort: 22,
            sessionMaxSeconds: settings.sessionMaxSeconds, hostSourceIds: [hostSet.id],
            injectedCredentialSourceIds: library ? [library.id] : undefined, developers: roster,
        }, child);
        new Role(`boundary-role-${team.name}-pool`, {
            connection, scopeId: projectId, name: `${team.name}-pool-access`, target: `${team.name}-pool`, developers: roster,
            principalIds: roster.map((developer) => userFor(developer).id),
            grantStrings: [target.id.apply(targetGrant)],
        }, child);
        const hostIds = Object.fromEntries(plans.map((plan) => [plan.poolIndex!, hosts.get(plan.name)!.id]));
        for (const developer of roster) {
            targets.push({ team: team.name, developer, targetId: target.id, hostIds, injected: library !== undefined });
        }
        return targets;
    }

    for (const plan of plans) {
        const developer = plan.developer!;
        const hostSet = new HostSetStatic(`boundary-hostset-${plan.name}`, {
            connection, hostCatalogId: catalog.id, name: plan.name, hostIds: [hosts.get(plan.name)!.id],
        }, child);
        const library = store
            ? new CredentialLibraryVaultSshCertificate(`boundary-library-${plan.name}`, {
                connection, credentialStoreId: store.id, name: plan.name, path: signPath(sshMount, developerRoleName(team.name, developer)),
                username: developer, developers: [developer], extensions: sshExtensions,
            }, child)
            : undefined;
        const target = new Target(`boundary-target-${plan.name}`, {
            connection, scopeId: projectId, name: plan.name, type: library ? targetType : "tcp", defaultPort: 22,
            sessionMaxSeconds: settings.sessionMaxSeconds, hostSourceIds: [hostSet.id],
            injectedCredentialSourceIds: library ? [library.id] : undefined, developers: [developer],
        }, child);
        new Role(`boundary-role-${plan.name}`, {
            connection, scopeId: projectId, name: `${plan.name}-access`, target: plan.name, developers: [developer],
            principalIds: [userFor(developer).id], grantStrings: [target.id.apply(targetGrant)],
        }, child);
        targets.push({ team: team.name, developer, targetId: target.id, injected: library !== undefined });
    }
    return targets;
}
