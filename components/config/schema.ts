// The validated, defaulted stack config (contract v1 in DESIGN.md). Everything
// downstream of the loader reads these types and never the raw config. The types are
// the output types of the one schema in stack-schema.ts: add keys there.

import { z } from "zod";
import type {
    agentSandboxSchema, boundarySchema, clusterSchema, coderSchema, devicesSchema, gpuSchema, platformConfigSchema, runtimesSchema, teamSchema,
    vaultSchema,
} from "./stack-schema";
import type { resolveNetwork } from "./stack-schema";

export * from "./constants";
import { allocations, boundaryEditions, distributions, helmModes, postgresModes, sandboxBackends, sandboxRuntimes } from "./constants";

export type Distribution = (typeof distributions)[number];
export type SandboxRuntime = (typeof sandboxRuntimes)[number];
export type Allocation = (typeof allocations)[number];
export type SandboxBackend = (typeof sandboxBackends)[number];
export type PostgresMode = (typeof postgresModes)[number];
export type BoundaryEdition = (typeof boundaryEditions)[number];
export type HelmMode = (typeof helmModes)[number];

export type ClusterConfig = z.output<typeof clusterSchema>;
export type TeamConfig = z.output<typeof teamSchema>;
export type DeveloperConfig = TeamConfig["developers"][number];
export type SandboxResources = TeamConfig["resources"];
export type CoderConfig = z.output<typeof coderSchema>;
export type PostgresConfig = CoderConfig["postgres"];
export type RuntimesConfig = z.output<typeof runtimesSchema>;
export type GpuConfig = z.output<typeof gpuSchema>;
export type DevicesConfig = z.output<typeof devicesSchema>;
export type VaultConfig = z.output<typeof vaultSchema>;
export type BoundaryConfig = z.output<typeof boundarySchema>;
export type AgentSandboxConfig = z.output<typeof agentSandboxSchema>;
/** Network settings with the defaults that depend on the cluster section filled in. */
export type NetworkConfig = ReturnType<typeof resolveNetwork>;
/** One entry of a team's egress allowlist: a CIDR and, optionally, ports (all ports when empty). */
export type EgressAllowRule = TeamConfig["egress"][number];
export type PlatformConfig = Omit<z.output<typeof platformConfigSchema>, "network"> & { network: NetworkConfig };
