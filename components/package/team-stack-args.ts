// The arguments of the TeamStack component, written out as plain interfaces so that the Node.js SDK's
// component analyzer (@pulumi/pulumi provider/experimental/analyzer) can turn them into a package
// schema, and through it into an SDK in every Pulumi language. The analyzer accepts interfaces,
// strings, numbers, booleans, arrays, string-keyed maps, Input<T> and string enums declared as an
// `as const` object with a type of the same name; it refuses other unions, intersections and
// function types, so nothing here is inferred from the zod schema. The shape mirrors a team stack's
// config keys (docs/configuration.md) one to one, and the checks at the end of this file make the
// compiler refuse a drift between the two.
//
// The names of these interfaces and enums are public: they become the schema's type tokens
// (`sandbox-platform:index:<Name>`) and the class names of every generated SDK. Renaming one is a
// breaking change (docs/package.md).

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { allocations, sandboxBackends, sandboxRuntimes, secretKeys, workspaceModes } from "../config/constants";
import { teamSchema } from "../config/stack-schema";
import { platformOwnedTeamKeys, teamStackKeys } from "../config/team-stack";

/** What runs a team's sandboxes. The platform stack decides it; a team stack may only repeat it. */
export const SandboxRuntime = { Envbox: "envbox", Sysbox: "sysbox", Kata: "kata" } as const;
export type SandboxRuntime = typeof SandboxRuntime[keyof typeof SandboxRuntime];

/** dedicated: one sandbox per developer; pool: a warm pool; ephemeral: any free member, no persistent home. */
export const Allocation = { Dedicated: "dedicated", Pool: "pool", Ephemeral: "ephemeral" } as const;
export type Allocation = typeof Allocation[keyof typeof Allocation];

/** What runs the sandboxes: the platform's own Deployments, or kubernetes-sigs/agent-sandbox resources. */
export const SandboxBackend = { Deployment: "deployment", AgentSandbox: "agent-sandbox" } as const;
export type SandboxBackend = typeof SandboxBackend[keyof typeof SandboxBackend];

/** How a workspace is made: the image as is, the repository's devcontainer, or an envbuilder-built image. */
export const WorkspaceMode = { Image: "image", Devcontainer: "devcontainer", Envbuilder: "envbuilder" } as const;
export type WorkspaceMode = typeof WorkspaceMode[keyof typeof WorkspaceMode];

/** Kubernetes quantities of one sandbox. */
export interface SandboxResources {
    /** CPU (cores or millicores, e.g. "2" or "500m"). */
    cpu?: string;
    /** Memory (e.g. "8Gi"). */
    memory?: string;
    /** Size of the home volume (e.g. "30Gi"). */
    disk?: string;
    /** Size of the Docker cache volume (e.g. "50Gi"). */
    dockerCache?: string;
}

/** The repository a sandbox is built from. */
export interface Repository {
    /** Clone URL (https://, ssh://, git://, file:// or user@host:path); cloned into the workspace on first start only. */
    url: string;
    /** Branch, tag or commit; the default branch when absent. */
    ref?: string;
    /** Secret in the team namespace with a deploy key (ssh-privatekey) or username/password or token. */
    secret?: string;
}

/** A key of a Secret in the team's namespace. */
export interface SecretKeyRef {
    /** Secret in the team namespace. */
    secret: string;
    /** Key of that Secret. */
    key: string;
}

/** envbuilder settings (workspace: envbuilder). */
export interface EnvbuilderSettings {
    /** Registry repository for envbuilder's layer cache (ENVBUILDER_CACHE_REPO). */
    cacheRepo?: string;
    /** Image when the repository has no devcontainer.json or its build fails (ENVBUILDER_FALLBACK_IMAGE). */
    fallbackImage?: string;
}

/** One developer of a team and their sandbox's settings (a stack file may also give a bare name). */
export interface Developer {
    /** Developer name: a DNS label, at most 40 characters, unique in the team. */
    name: string;
    /** GPUs for this developer's sandbox (needs gpu.enabled on the platform stack). */
    gpu?: number;
    /** Inner (workspace) image; defaults to the team's. */
    image?: string;
    /** Scale the sandbox to zero, keeping its volumes. */
    suspended?: boolean;
    /** Overrides of the team's resources. */
    resources?: SandboxResources;
    /** This developer's repository; defaults to the team's. */
    repo?: Repository;
    /** How the workspace is made; defaults to the team's. */
    workspace?: WorkspaceMode;
    /** Plain environment variables of the workspace (never secrets: they are in the render). */
    env?: Record<string, string>;
    /** Secret environment variables: a key of a Secret in the team's namespace per name. */
    secretEnv?: Record<string, SecretKeyRef>;
}

/** A team of the team stack: its roster and workspaces (the platform stack owns its capacity and egress). */
export interface Team {
    /** Team name, as the platform stack declares it (a DNS-1035 label, at most 20 characters). */
    name: string;
    /** The runtime the platform stack declares for the team; may be left out. */
    runtime?: SandboxRuntime;
    /** dedicated (default), pool or ephemeral. */
    allocation?: Allocation;
    /** deployment (default) or agent-sandbox (needs agentSandbox.enabled on the platform stack). */
    backend?: SandboxBackend;
    /** ephemeral teams on backend agent-sandbox: every member stops at this time (RFC 3339). */
    shutdownTime?: string;
    /** Pool members when allocation is pool or ephemeral. */
    poolSize?: number;
    /** ephemeral: restart a member clean once its last session has been gone this long (e.g. "30m"). */
    idleTtl?: string;
    /** image (default), devcontainer or envbuilder. */
    workspace?: WorkspaceMode;
    /** The repository sandboxes are built from. */
    repo?: Repository;
    /** Devcontainer base images the pre-pull DaemonSet pulls on every node. */
    devcontainerImages?: string[];
    /** envbuilder settings (workspace: envbuilder). */
    envbuilder?: EnvbuilderSettings;
    /** Inner (workspace) image, pinned by tag or digest. */
    image?: string;
    /** docker-registry Secret in the team namespace for private inner images. */
    imagePullSecret?: string;
    /** Each sandbox's resources (at most what the platform stack sized for one sandbox of the team). */
    resources?: SandboxResources;
    /** Plain environment variables of every workspace of the team. */
    env?: Record<string, string>;
    /** Secret environment variables of every workspace of the team. */
    secretEnv?: Record<string, SecretKeyRef>;
    /** The team's developers. */
    developers?: Developer[];
}

/**
 * The arguments of a TeamStack: the keys of a team stack's config file, as component arguments.
 * Secrets are inputs (an Output from `config.require_secret` stays secret); everything else is plain,
 * because it decides which resources exist.
 */
export interface TeamStackComponentArgs {
    /** The platform stack to read (`<stack>`, `<project>/<stack>` or `<org>/<project>/<stack>`); default: the environment's name. */
    platformStack?: string;
    /** The environment; when given, it must be the platform stack's. */
    environment?: string;
    /** The teams this stack deploys, each declared by the platform stack. */
    teams: Team[];
    /** Boundary token for the provider (else BOUNDARY_TOKEN in the environment). */
    boundaryToken?: pulumi.Input<string>;
    /** Password for the platform's boundary.loginName. */
    boundaryPassword?: pulumi.Input<string>;
    /** Boundary enterprise/hcp: the Vault token of the team's Boundary credential store (from the platform stack's teamCredentials output). */
    boundaryVaultToken?: pulumi.Input<string>;
}

// ------------------------------------------------------------------ drift checks (compile time)
// Each fails `npm run typecheck` when the explicit interfaces and the stack config schema disagree.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
type ZodTeam = z.input<typeof teamSchema>;
type ZodDeveloper = Exclude<NonNullable<ZodTeam["developers"]>[number], string>;
type PlatformOwnedKey = typeof platformOwnedTeamKeys[number];

/** A Team as written is a team a team stack file may hold (the schema accepts it). */
export type TeamIsConfig = Expect<Team extends Omit<ZodTeam, PlatformOwnedKey> ? true : false>;
/** Every team key a team stack may set is a Team argument (a new config key needs an argument too). */
export type TeamCoversConfig = Expect<Same<Exclude<keyof ZodTeam, PlatformOwnedKey>, keyof Team>>;
export type DeveloperIsConfig = Expect<Developer extends ZodDeveloper ? true : false>;
export type DeveloperCoversConfig = Expect<Same<keyof ZodDeveloper, keyof Developer>>;
/** The top-level arguments are the team stack's keys (less `stack`, which the component implies). */
export type ArgsCoverConfig = Expect<Same<Exclude<typeof teamStackKeys[number], "stack">, keyof TeamStackComponentArgs>>;
export type SecretsAreInputs = Expect<Same<typeof secretKeys[number], Extract<keyof TeamStackComponentArgs, `boundary${string}`>>>;
/** The enums list exactly the schema's accepted values. */
export type RuntimesMatch = Expect<Same<SandboxRuntime, typeof sandboxRuntimes[number]>>;
export type AllocationsMatch = Expect<Same<Allocation, typeof allocations[number]>>;
export type BackendsMatch = Expect<Same<SandboxBackend, typeof sandboxBackends[number]>>;
export type WorkspaceModesMatch = Expect<Same<WorkspaceMode, typeof workspaceModes[number]>>;
