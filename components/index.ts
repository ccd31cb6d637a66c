// Public exports of the sandbox-platform component package.
export { Platform, PlatformArgs, PlatformSecrets } from "./platform";
export { ClusterBase, ClusterBaseArgs } from "./cluster/cluster-base";
export { TeamSandboxes, TeamSandboxesArgs, DeveloperSandbox } from "./sandboxes/team-sandboxes";
export { Sandbox, SandboxArgs } from "./sandboxes/sandbox";
export { PoolAssignment, PoolAssignmentArgs } from "./sandboxes/pool-assignment-resource";
export { parsePlatformConfig, rawFromPulumiConfig } from "./config/load";
export { ConfigError } from "./config/errors";
export * from "./config/schema";
export * as versions from "./versions";
// Platform stack (split mode): one per declared team, the identities its team stack deploys with.
export { TeamIdentity, TeamIdentityArgs, TeamIdentityOutputs, deployerAuthMethod, deployerNamespaceResource } from "./access/team-identity-resource";
