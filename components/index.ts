// Public exports of the sandbox-platform component package.
//
// Which component belongs to which stack (docs/stacks.md):
//   all-in-one and platform stacks: Platform (ClusterBase, Runtimes, CoderPlatform, BoundaryAccess with
//     the org and team projects, VaultSshCa (all-in-one) or one TeamSshCa per declared team (platform));
//   team stacks (deployTeamStack): TeamSandboxes (Sandbox, PoolAssignment), VaultTeamRoles, BoundaryTeam;
//   all-in-one stacks run the team stacks' components inside Platform; AgentSandboxInstall and
//     AdmissionPolicies are platform (or all-in-one) parts too.
//   any Pulumi language (provider/, docs/package.md): PlatformStack (a platform or all-in-one stack) and
//     TeamStack (a team stack), the same wiring as index.ts with a stack file's keys as arguments.
export { Platform, PlatformArgs, PlatformSecrets } from "./platform";
export { ClusterBase, ClusterBaseArgs } from "./cluster/cluster-base";
export { Runtimes, RuntimesArgs } from "./runtimes/runtimes";
export { CoderPlatform, CoderPlatformArgs } from "./platform/coder-platform";
export { AgentSandboxInstall, AgentSandboxInstallArgs } from "./agent-sandbox/agent-sandbox-install";
export { TeamSandboxes, TeamSandboxesArgs, DeveloperSandbox, SandboxSettings } from "./sandboxes/team-sandboxes";
export { Sandbox, SandboxArgs } from "./sandboxes/sandbox";
export { PoolAssignment, PoolAssignmentArgs } from "./sandboxes/pool-assignment-resource";
export { TeamSshCa, TeamSshCaArgs, VaultTeamRoles, VaultTeamRolesArgs } from "./access/team-ssh-ca";
export { BoundaryAccess, BoundaryAccessArgs, BoundaryTeam, BoundaryTeamArgs } from "./access/boundary-access";
export { deployTeamStack, TeamStackArgs, TeamStackOutputs } from "./team-stack";
export { teamStackConfig, PlatformExport, DeclaredTeam, platformOutputName } from "./config/team-stack";
export { AdmissionPolicies, AdmissionPoliciesArgs } from "./admission/admission-policies";
export { buildAdmissionPolicies } from "./admission/policies";
export { parsePlatformConfig, rawFromPulumiConfig } from "./config/load";
export { ConfigError } from "./config/errors";
export * from "./config/schema";
export * as versions from "./versions";
// Platform stack (split mode): one per declared team, the identities its team stack deploys with.
export { TeamIdentity, TeamIdentityArgs, TeamIdentityOutputs, deployerAuthMethod, deployerNamespaceResource } from "./access/team-identity-resource";
// The multi-language package's component (provider/, docs/package.md): a team stack for programs in any language.
export { TeamStack, teamStackType } from "./package/team-stack";
export * as teamStackArgs from "./package/team-stack-args";
export { PlatformStack, platformStackType } from "./package/platform-stack";
export * as platformStackArgs from "./package/platform-stack-args";
