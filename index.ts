// The sandbox-platform program: load and validate the stack config, build the platform (an
// all-in-one or platform stack) or one team's part of it (a team stack, on its platform stack).
import * as pulumi from "@pulumi/pulumi";
import { Platform, parsePlatformConfig, rawFromPulumiConfig } from "./components";
import { deployMode, resolveDeployCredentials } from "./components/access/deploy-credentials";
import { Raw } from "./components/config/load";
import { PlatformConfig } from "./components/config/schema";
import {
    PlatformExport, platformExport, platformExportFrom, platformOutputName, platformStackName, teamStackConfig,
} from "./components/config/team-stack";
import { deployTeamStack } from "./components/team-stack";
import { platformName } from "./components/platform";

// The program is a function the module exports: Pulumi's Node.js language host calls an exported
// function after loading the module and takes its result as the stack outputs (cmd/run/run.js in
// @pulumi/pulumi 3.270.0), and the offline render does the same (tools/program-runner.ts). Built
// at module load instead, every resource would be created under the module loader's frames, and
// the SDK captures the whole call stack of every resource it registers (Resource.callsites lifts
// Error.stackTraceLimit) and sends it with the registration: six more frames per resource cost
// about 4% of the render's CPU and 5% of its memory at 1,000 developers (README, Benchmarks).
// A team stack's program is asynchronous: it reads its platform stack's outputs first.
function sandboxPlatform() {
    const raw = rawFromPulumiConfig(pulumi.runtime.allConfig());
    if (raw.stack === "team") {
        return teamStack(raw);
    }
    // The platform is built in this function itself: a frame more lands in every resource's captured stack.
    const config = parsePlatformConfig(raw);
    const platform = new Platform(platformName, { config, credentials: credentialsFor(config) });
    if (config.stack !== "platform") {
        return { environment: config.environment, developers: platform.developers, connect: platform.connect };
    }
    const exported: pulumi.Output<PlatformExport> = platform.teamAccess.apply((access) => platformExport(config, raw, access));
    return { environment: config.environment, [platformOutputName]: exported, teamCredentials: platform.teamCredentials };
}

function credentialsFor(config: PlatformConfig) {
    const secrets = new pulumi.Config("sandbox-platform");
    // Stops `pulumi up` here, before any resource, when a credential or address is missing.
    const credentials = resolveDeployCredentials(config, { config: pulumi.runtime.allConfig(), env: process.env }, deployMode(), {
        boundaryToken: secrets.getSecret("boundaryToken"), boundaryPassword: secrets.getSecret("boundaryPassword"),
        boundaryVaultToken: secrets.getSecret("boundaryVaultToken"),
    });
    for (const warning of credentials.warnings) {
        pulumi.log.warn(warning);
    }
    return credentials;
}

async function teamStack(raw: Raw) {
    const name = platformStackName(raw);
    const reference = new pulumi.StackReference("platform", { name });
    const details = await reference.getOutputDetails(platformOutputName);
    const exported = platformExportFrom(details, name);
    const config = teamStackConfig(raw, exported);
    const { developers, connect } = deployTeamStack({ config, access: exported.access, credentials: credentialsFor(config) });
    return { environment: config.environment, platformStack: name, developers, connect };
}

export = sandboxPlatform;
