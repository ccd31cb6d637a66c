// The sandbox-platform program: load and validate the stack config, build the platform.
import * as pulumi from "@pulumi/pulumi";
import { Platform, parsePlatformConfig, rawFromPulumiConfig } from "./components";
import { deployMode, resolveDeployCredentials } from "./components/access/deploy-credentials";

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

export const environment = config.environment;
export const developers = platform.developers;
export const connect = platform.connect;
