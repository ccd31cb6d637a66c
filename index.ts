// The sandbox-platform program: load and validate the stack config, build the platform.
import * as pulumi from "@pulumi/pulumi";
import { Platform, parsePlatformConfig, rawFromPulumiConfig } from "./components";

const config = parsePlatformConfig(rawFromPulumiConfig(pulumi.runtime.allConfig()));
const secrets = new pulumi.Config("sandbox-platform");
const platform = new Platform("sandbox-platform", {
    config,
    secrets: { boundaryToken: secrets.getSecret("boundaryToken"), boundaryPassword: secrets.getSecret("boundaryPassword") },
});

export const environment = config.environment;
export const developers = platform.developers;
export const connect = platform.connect;
