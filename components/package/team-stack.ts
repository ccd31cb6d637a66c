// TeamStack: one team stack's resources as a component, for programs in any Pulumi language (the
// multi-language package, provider/). It does what the team stack program (index.ts teamStack)
// does with a stack file: read the platform stack's `platform` output, validate the team stack's
// keys on top of it with the same loader (teamStackConfig), and create the same resources
// (deployTeamStack), here under this component.

import * as pulumi from "@pulumi/pulumi";
import { ConfigError, configNamespace } from "../config/errors";
import { Raw } from "../config/load";
import { PlatformConfig } from "../config/schema";
import { platformExportFrom, platformOutputName, platformStackName, teamStackConfig } from "../config/team-stack";
import { DeployCredentials, deployMode, resolveDeployCredentials } from "../access/deploy-credentials";
import { ConnectInstructions } from "../access/connect";
import { DeveloperSandbox } from "../sandboxes/team-sandboxes";
import { deployTeamStack } from "../team-stack";
import { TeamStackComponentArgs } from "./team-stack-args";
import { invalidArguments, requireKnownArguments } from "./plain-arguments";

/** The component's type token: package `sandbox-platform`, module `index` (the only module a component provider serves). */
export const teamStackType = "sandbox-platform:index:TeamStack";

/** The stack config a team stack file with these arguments would hold (raw, as the loader reads it). */
export function teamStackRaw(args: TeamStackComponentArgs): Raw {
    return {
        ...(args.environment !== undefined ? { environment: args.environment } : {}),
        stack: "team",
        ...(args.platformStack !== undefined ? { platformStack: args.platformStack } : {}),
        teams: args.teams,
    };
}

/**
 * A ConfigError about a component's arguments: each problem names the argument path, which is the
 * stack config key without its namespace (`teams[0].developers[1].name`).
 */
export function argumentsError(kind: string, component: string, error: ConfigError): Error {
    const prefix = `${configNamespace}:`;
    const lines = error.issues.map((issue) => `${issue.key.startsWith(prefix) ? issue.key.slice(prefix.length) : issue.key}: ${issue.detail}`);
    return invalidArguments(kind, component, lines);
}

/** `parse()`, with a ConfigError it throws turned into argumentsError (the component's own words, each problem at its argument path). */
export function parsedArguments<T>(kind: string, component: string, parse: () => T): T {
    try {
        return parse();
    } catch (error) {
        throw error instanceof ConfigError ? argumentsError(kind, component, error) : error;
    }
}

/** The secrets a component takes as arguments, in place of the stack secrets of the same names. */
export type SecretArguments = Partial<Record<"boundaryToken" | "boundaryPassword" | "boundaryVaultToken", pulumi.Input<string>>>;

/**
 * The deploy-time credentials of a component's validated config, as the stack program resolves them:
 * each secret argument given counts as that stack secret being set; the rest come from the stack's
 * config and the environment. What is missing is logged on `resource` as a warning.
 */
export function argumentCredentials(config: PlatformConfig, secrets: SecretArguments, resource: pulumi.Resource): DeployCredentials {
    const given = Object.fromEntries(Object.entries(secrets).filter(([, value]) => value !== undefined).map(([key]) => [`${configNamespace}:${key}`, "(argument)"]));
    const credentials = resolveDeployCredentials(config, { config: { ...pulumi.runtime.allConfig(), ...given }, env: process.env }, deployMode(), secrets);
    for (const warning of credentials.warnings) {
        pulumi.log.warn(warning, resource);
    }
    return credentials;
}

/** One team stack (its developers' sandboxes, Vault roles and Boundary targets) on a platform stack. */
export class TeamStack extends pulumi.ComponentResource {
    /** Every developer's sandbox: team, namespace, sandbox name, Service DNS name, runtime, allocation. */
    public readonly developers: pulumi.Output<DeveloperSandbox[]>;
    /** Per developer, how to connect: steps, an SSH config block, editor links. */
    public readonly connect: pulumi.Output<Record<string, ConnectInstructions>>;
    /** The environment, as the platform stack names it. */
    public readonly environment: pulumi.Output<string>;
    /** The platform stack this team stack reads. */
    public readonly platformStack: pulumi.Output<string>;

    constructor(name: string, args: TeamStackComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        super(teamStackType, name, {}, opts);
        requireKnownArguments("TeamStack", name, args, ["boundaryToken", "boundaryPassword", "boundaryVaultToken"]);
        const own = teamStackRaw(args);
        const stackName = platformStackName(own);
        // Named after the component: two TeamStacks in one program must not share a URN.
        const reference = new pulumi.StackReference(`${name}-platform`, { name: stackName }, { parent: this });
        const deployed = pulumi.output(reference.getOutputDetails(platformOutputName).then((details) => {
            const exported = platformExportFrom(details, stackName);
            const config = parsedArguments("TeamStack", name, () => teamStackConfig(own, exported));
            const credentials = argumentCredentials(config, {
                boundaryToken: args.boundaryToken, boundaryPassword: args.boundaryPassword, boundaryVaultToken: args.boundaryVaultToken,
            }, this);
            const { developers, connect } = deployTeamStack({ config, access: exported.access, credentials }, this);
            return { environment: config.environment, developers, connect };
        }));
        this.developers = deployed.developers;
        this.connect = deployed.connect;
        this.environment = deployed.environment;
        this.platformStack = pulumi.output(stackName);
        this.registerOutputs({ developers: this.developers, connect: this.connect, environment: this.environment, platformStack: this.platformStack });
    }
}
