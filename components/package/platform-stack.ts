// PlatformStack: a platform stack (or an all-in-one stack) as a component, for programs in any Pulumi
// language (the multi-language package, provider/). It does what the program (index.ts) does with a
// platform or all-in-one stack file: validate the keys with the same loader (parsePlatformConfig),
// resolve the deploy-time credentials, and build the Platform component, here under this component.

import * as pulumi from "@pulumi/pulumi";
import { Raw, parsePlatformConfig } from "../config/load";
import { platformExport } from "../config/team-stack";
import { ConnectInstructions } from "../access/connect";
import { DeveloperSandbox } from "../sandboxes/team-sandboxes";
import { Platform } from "../platform";
import { argumentCredentials, parsedArguments } from "./team-stack";
import { PlatformStackComponentArgs } from "./platform-stack-args";
import { requireKnownArguments } from "./plain-arguments";

/** The component's type token (module `index`, the only module a component provider serves). */
export const platformStackType = "sandbox-platform:index:PlatformStack";

const secretArguments = ["boundaryToken", "boundaryPassword"] as const;

/** The stack config a platform or all-in-one stack file with these arguments would hold (raw, secrets left out). */
export function platformStackRaw(args: PlatformStackComponentArgs): Raw {
    return Object.fromEntries(Object.entries(args).filter(([key, value]) => value !== undefined && !(secretArguments as readonly string[]).includes(key)));
}

/**
 * A whole environment (stack: all-in-one) or its shared part (stack: platform): cluster base, runtimes,
 * Coder, admission policies, Vault and Boundary, and per team its namespace and quota (plus its
 * sandboxes in an all-in-one stack, or its deploy identities in a platform stack).
 */
export class PlatformStack extends pulumi.ComponentResource {
    /** The environment. */
    public readonly environment: pulumi.Output<string>;
    /** All-in-one: every developer's sandbox (empty for a platform stack, whose teams have their own stacks). */
    public readonly developers: pulumi.Output<DeveloperSandbox[]>;
    /** All-in-one: per developer, how to connect. */
    public readonly connect: pulumi.Output<Record<string, ConnectInstructions>>;
    /** Platform stacks: what team stacks read; export it as the stack output `platform` (an empty object for an all-in-one stack). */
    public readonly platform: pulumi.Output<any>;
    /** Platform stacks: per team, the secrets its team stack deploys with (secret; hand them over out of band). */
    public readonly teamCredentials: pulumi.Output<any>;

    constructor(name: string, args: PlatformStackComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        super(platformStackType, name, {}, opts);
        requireKnownArguments("PlatformStack", name, args, secretArguments);
        const raw = platformStackRaw(args);
        const config = parsedArguments("PlatformStack", name, () => parsePlatformConfig(raw));
        const credentials = argumentCredentials(config, { boundaryToken: args.boundaryToken, boundaryPassword: args.boundaryPassword }, this);
        const platform = new Platform(name, { config, credentials }, { parent: this });
        this.environment = pulumi.output(config.environment);
        this.developers = platform.developers;
        this.connect = platform.connect;
        this.platform = config.stack === "platform" ? platform.teamAccess.apply((access) => platformExport(config, raw, access)) : pulumi.output({});
        this.teamCredentials = platform.teamCredentials;
        this.registerOutputs({
            environment: this.environment, developers: this.developers, connect: this.connect, platform: this.platform, teamCredentials: this.teamCredentials,
        });
    }
}
