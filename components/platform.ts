import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./config/schema";
import { ClusterBase } from "./cluster/cluster-base";
import { DeveloperSandbox, TeamSandboxes } from "./sandboxes/team-sandboxes";
import { VaultSshCa } from "./access/vault-ssh-ca";
import { BoundaryAccess, DeveloperTarget } from "./access/boundary-access";
import { DeployCredentials } from "./access/deploy-credentials";
import { ConnectInstructions, connectInstructions } from "./access/connect";
import { CoderPlatform } from "./platform/coder-platform";
import { Runtimes } from "./runtimes/runtimes";
import { TeamSshCa } from "./access/team-ssh-ca";
import { TeamIdentity, deployerAuthMethod, deployerNamespaceResource } from "./access/team-identity-resource";
import { TeamAccessExport, teamAccess } from "./config/team-stack";
import { AdmissionPolicies } from "./admission/admission-policies";
import { AgentSandboxInstall } from "./agent-sandbox/agent-sandbox-install";

/** Deploy-time credentials and addresses (see resolveDeployCredentials), kept as Pulumi secrets. */
export type PlatformSecrets = DeployCredentials;

export interface PlatformArgs {
    /** The validated stack config (see parsePlatformConfig). */
    config: PlatformConfig;
    /** Deploy-time credentials and addresses, resolved from stack secrets or the environment. */
    credentials: DeployCredentials;
}

/**
 * The sandbox platform of one environment: all of it (an all-in-one stack), or its shared part
 * (a platform stack: cluster base, runtimes, Coder, each declared team's namespace, quota, network
 * policies, SSH CA and Boundary project). Each capability plugs in as one line.
 */
export const platformType = "sandbox-platform:index:Platform";
/** The Platform component's name in the program (index.ts). */
export const platformName = "sandbox-platform";

export class Platform extends pulumi.ComponentResource {
    readonly developers: pulumi.Output<DeveloperSandbox[]>;
    /** `<team>/<developer>` → how to connect. */
    readonly connect: pulumi.Output<Record<string, ConnectInstructions>>;
    /** Platform stacks: per declared team, what its team stack attaches to. */
    readonly teamAccess: pulumi.Output<Record<string, TeamAccessExport>>;
    /** Platform stacks: per declared team, the secrets its team stack deploys with (handed to the team out of band). */
    readonly teamCredentials: pulumi.Output<Record<string, Record<string, unknown>>>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super(platformType, name, {}, opts);
        const { config } = args;
        const split = config.stack === "platform";
        const base = new ClusterBase("cluster", {
            teams: config.teams, quotaBy: split ? "capacity" : "roster", cluster: config.cluster, network: config.network,
            runtimes: config.runtimes, platformNamespace: config.coder.enabled ? config.coder.namespace : undefined,
        }, { parent: this });
        const runtimes = new Runtimes("runtimes", {
            runtimes: config.runtimes, gpu: config.gpu, devices: config.devices, cluster: config.cluster, network: config.network,
        }, { parent: this });
        if (config.admission.enabled) {
            new AdmissionPolicies("admission", { action: config.admission.action, kubeSystemAction: config.admission.kubeSystemAction }, { parent: this });
        }
        // Platform stack: the agent-sandbox controller and CRDs, before any team's custom resources.
        const agentSandbox = config.agentSandbox.enabled ? new AgentSandboxInstall("agent-sandbox", { cluster: config.cluster, network: config.network }, { parent: this }) : undefined;
        // A loop, not a map: each callback frame lands in every resource's captured stack (see index.ts).
        const teams: TeamSandboxes[] = [];
        // A platform stack declares teams; their sandboxes are their own stacks' (team-stack.ts).
        for (const team of split ? [] : config.teams) {
            teams.push(new TeamSandboxes(team.name, { team, config }, { parent: this, dependsOn: [base.teamNamespaces[team.name], runtimes, ...(agentSandbox ? [agentSandbox] : [])] }));
        }
        const injection = config.boundary.enabled && config.boundary.edition !== "community";
        const ca = config.vault.enabled && !split
            ? new VaultSshCa("vault-ssh", { config, teamNamespaces: base.teamNamespaces, boundaryToken: injection }, { parent: this })
            : undefined;
        const teamCas: Record<string, TeamSshCa> = {};
        for (const team of config.vault.enabled && split ? config.teams : []) {
            teamCas[team.name] = new TeamSshCa(`vault-ssh-${team.name}`, {
                team: team.name, vault: config.vault, namespace: base.teamNamespaces[team.name], boundaryToken: injection,
            }, { parent: this });
        }
        const access = config.boundary.enabled
            ? new BoundaryAccess("boundary", { config, connection: boundaryConnection(config, args.credentials), vaultTokens: ca?.boundaryTokens, vaultAddress: args.credentials.vaultAddress }, { parent: this })
            : undefined;

        if (config.coder.enabled) {
            new CoderPlatform("coder", { coder: config.coder, cluster: config.cluster, network: config.network, namespace: base.platformNamespace! }, { parent: this });
        }

        this.developers = pulumi.all(teams.map((team) => team.developers)).apply((lists) => lists.flat());
        this.connect = connectAll(this.developers, access?.targets ?? [], () => config.vault.sshMount);
        this.teamAccess = split
            ? pulumi.all([access?.orgId, pulumi.all(access?.projectIds ?? {})]).apply(([boundaryOrgId, boundaryProjectIds]) =>
                teamAccess(config, { boundaryOrgId, boundaryProjectIds: boundaryProjectIds as Record<string, string> }))
            : pulumi.output({} as Record<string, TeamAccessExport>);
        // Each declared team's deploy identities (team-identity-resource.ts), handed to the team out of band.
        const identities: Record<string, TeamIdentity> = {};
        if (split) {
            const deployers = deployerNamespaceResource({ parent: this });
            const connection = access ? boundaryConnection(config, args.credentials) : undefined;
            const authMethod = access && connection ? deployerAuthMethod(connection, access.orgId, { parent: this }) : undefined;
            for (const team of config.teams) {
                const teamCa = teamCas[team.name];
                identities[team.name] = new TeamIdentity(team.name, {
                    kubernetes: { server: config.cluster.apiServerUrl, namespace: base.teamNamespaces[team.name], deployers },
                    ...(teamCa ? { vault: { mount: teamCa.mount, ca: teamCa } } : {}),
                    ...(access && connection && authMethod ? {
                        boundary: { connection, orgId: access.orgId, projectId: access.projectIds[team.name], authMethodId: authMethod.id },
                    } : {}),
                }, { parent: this });
            }
        }
        this.teamCredentials = pulumi.secret(pulumi.output(Object.fromEntries(config.teams.filter((team) => identities[team.name]).map((team) => {
            const { kubeconfig, vaultToken, boundary } = identities[team.name].outputs;
            const storeToken = teamCas[team.name]?.boundaryToken;
            return [team.name, pulumi.output({
                kubeconfig: pulumi.secret(kubeconfig), ...(vaultToken ? { vaultToken } : {}), ...(boundary ? { boundary } : {}), ...(storeToken ? { boundaryVaultToken: storeToken } : {}),
            })];
        })))).apply((entries) => entries as Record<string, Record<string, unknown>>);
        this.registerOutputs({ developers: this.developers, connect: this.connect });
    }
}

export function boundaryConnection(config: PlatformConfig, credentials: DeployCredentials) {
    return pulumi.secret(pulumi.all([credentials.boundaryToken, credentials.boundaryPassword]).apply(([token, password]) => ({
        address: credentials.boundaryAddress, token, authMethodId: config.boundary.authMethodId, loginName: config.boundary.loginName, password,
    })));
}

/** Connect instructions for every developer; `sshMount` says which Vault mount signs a team's certificates. */
export function connectAll(developers: pulumi.Output<DeveloperSandbox[]>, targets: DeveloperTarget[], sshMount: (team: string) => string) {
    // One Output of every target's id and one per pool team's host map (its developers share it),
    // rather than two per developer.
    const hostMaps = [...new Set(targets.flatMap((target) => (target.hostIds ? [target.hostIds] : [])))];
    return pulumi.all([developers, pulumi.all(targets.map((target) => target.targetId)), pulumi.all(hostMaps.map((hostIds) => pulumi.all(hostIds)))]).apply(([sandboxes, targetIds, hostIdMaps]) => {
        const known = targets.map((target, i) => ({
            ...target, targetId: targetIds[i], hostIds: target.hostIds ? hostIdMaps[hostMaps.indexOf(target.hostIds)] as Record<number, string> : undefined,
        }));
        const result: Record<string, ConnectInstructions> = {};
        // The first target per developer, found by key (a scan per developer is quadratic in a large team).
        const byDeveloper = new Map<string, (typeof known)[number]>();
        for (const target of known) {
            const key = JSON.stringify([target.team, target.developer]);
            if (!byDeveloper.has(key)) {
                byDeveloper.set(key, target);
            }
        }
        for (const sandbox of sandboxes) {
            const target = byDeveloper.get(JSON.stringify([sandbox.team, sandbox.developer]));
            result[`${sandbox.team}/${sandbox.developer}`] = connectInstructions({
                team: sandbox.team, developer: sandbox.developer, injected: target?.injected ?? false,
                sshMount: sshMount(sandbox.team), namespace: sandbox.namespace, sandbox: sandbox.sandbox,
                targetId: target?.targetId, hostId: sandbox.poolMember !== undefined ? target?.hostIds?.[sandbox.poolMember] : undefined,
                workspacePath: sandbox.workspacePath, ephemeral: sandbox.allocation === "ephemeral", codeServer: sandbox.codeServer,
            });
        }
        return result;
    });
}
