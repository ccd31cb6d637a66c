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
import { AgentSandboxInstall } from "./agent-sandbox/agent-sandbox-install";

/** Deploy-time credentials and addresses (see resolveDeployCredentials), kept as Pulumi secrets. */
export type PlatformSecrets = DeployCredentials;

export interface PlatformArgs {
    /** The validated stack config (see parsePlatformConfig). */
    config: PlatformConfig;
    /** Deploy-time credentials and addresses, resolved from stack secrets or the environment. */
    credentials: DeployCredentials;
}

/** The whole sandbox platform of one environment. Each capability plugs in as one line. */
export class Platform extends pulumi.ComponentResource {
    readonly developers: pulumi.Output<DeveloperSandbox[]>;
    /** `<team>/<developer>` → how to connect. */
    readonly connect: pulumi.Output<Record<string, ConnectInstructions>>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:index:Platform", name, {}, opts);
        const { config } = args;
        const base = new ClusterBase("cluster", { config }, { parent: this });
        const runtimes = new Runtimes("runtimes", { config }, { parent: this });
        // Platform stack: the agent-sandbox controller and CRDs, before any team's custom resources.
        const agentSandbox = config.agentSandbox.enabled ? new AgentSandboxInstall("agent-sandbox", { config }, { parent: this }) : undefined;
        // A loop, not a map: each callback frame lands in every resource's captured stack (see index.ts).
        const teams: TeamSandboxes[] = [];
        for (const team of config.teams) {
            teams.push(new TeamSandboxes(team.name, { team, config }, { parent: this, dependsOn: [base.teamNamespaces[team.name], runtimes, ...(agentSandbox ? [agentSandbox] : [])] }));
        }
        const ca = config.vault.enabled
            ? new VaultSshCa("vault-ssh", { config, teamNamespaces: base.teamNamespaces, boundaryToken: config.boundary.enabled && config.boundary.edition !== "community" }, { parent: this })
            : undefined;
        const access = config.boundary.enabled
            ? new BoundaryAccess("boundary", { config, connection: boundaryConnection(config, args.credentials), vaultTokens: ca?.boundaryTokens, vaultAddress: args.credentials.vaultAddress }, { parent: this })
            : undefined;

        if (config.coder.enabled) {
            new CoderPlatform("coder", { config, namespace: base.platformNamespace! }, { parent: this });
        }

        this.developers = pulumi.all(teams.map((team) => team.developers)).apply((lists) => lists.flat());
        this.connect = connectAll(config, this.developers, access?.targets ?? []);
        this.registerOutputs({ developers: this.developers, connect: this.connect });
    }
}

function boundaryConnection(config: PlatformConfig, credentials: DeployCredentials) {
    return pulumi.secret(pulumi.all([credentials.boundaryToken, credentials.boundaryPassword]).apply(([token, password]) => ({
        address: credentials.boundaryAddress, token, authMethodId: config.boundary.authMethodId, loginName: config.boundary.loginName, password,
    })));
}

function connectAll(config: PlatformConfig, developers: pulumi.Output<DeveloperSandbox[]>, targets: DeveloperTarget[]) {
    const resolved = targets.map((target) => pulumi.all([target.targetId, pulumi.all(target.hostIds ?? {})])
        .apply(([targetId, hostIds]) => ({ ...target, targetId, hostIds: hostIds as Record<number, string> })));
    return pulumi.all([developers, pulumi.all(resolved)]).apply(([sandboxes, known]) => {
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
                sshMount: config.vault.sshMount, namespace: sandbox.namespace, sandbox: sandbox.sandbox,
                targetId: target?.targetId, hostId: sandbox.poolMember !== undefined ? target?.hostIds?.[sandbox.poolMember] : undefined,
                workspacePath: sandbox.workspacePath, ephemeral: sandbox.allocation === "ephemeral", codeServer: sandbox.codeServer,
            });
        }
        return result;
    });
}
