// The sandbox-platform program: load and validate the stack config, build the platform.
import * as pulumi from "@pulumi/pulumi";
import { Platform, parsePlatformConfig, rawFromPulumiConfig } from "./components";
import { deployMode, resolveDeployCredentials } from "./components/access/deploy-credentials";

// The program is a function the module exports: Pulumi's Node.js language host calls an exported
// function after loading the module and takes its result as the stack outputs (cmd/run/run.js in
// @pulumi/pulumi 3.270.0), and the offline render does the same (tools/program-runner.ts). Built
// at module load instead, every resource would be created under the module loader's frames, and
// the SDK captures the whole call stack of every resource it registers (Resource.callsites lifts
// Error.stackTraceLimit) and sends it with the registration: six more frames per resource cost
// about 4% of the render's CPU and 5% of its memory at 1,000 developers (README, Benchmarks).
function sandboxPlatform() {
    const config = parsePlatformConfig(rawFromPulumiConfig(pulumi.runtime.allConfig()));
    const secrets = new pulumi.Config("sandbox-platform");
    // Stops `pulumi up` here, before any resource, when a credential or address is missing.
    const credentials = resolveDeployCredentials(config, { config: pulumi.runtime.allConfig(), env: process.env }, deployMode(), {
        boundaryToken: secrets.getSecret("boundaryToken"), boundaryPassword: secrets.getSecret("boundaryPassword"),
    });
    for (const warning of credentials.warnings) {
        pulumi.log.warn(warning);
    }
    const platform = new Platform("sandbox-platform", { config, credentials });

    return { environment: config.environment, developers: platform.developers, connect: platform.connect };
}

export = sandboxPlatform;
