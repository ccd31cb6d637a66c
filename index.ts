// The sandbox-platform program: load and validate the stack config, build the platform.
import * as pulumi from "@pulumi/pulumi";
import { Platform, parsePlatformConfig, rawFromPulumiConfig } from "./components";

const config = parsePlatformConfig(rawFromPulumiConfig(pulumi.runtime.allConfig()));
const platform = new Platform("sandbox-platform", { config });

export const environment = config.environment;
export const developers = platform.developers;
