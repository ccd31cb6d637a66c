// The arguments of the PlatformStack component: a platform (or all-in-one) stack's config keys as plain
// interfaces the SDK's component analyzer accepts (see team-stack-args.ts for the rules). Where the
// stack file accepts two forms (a port as a number or an object), the arguments take the object form.
// The names are public (schema type tokens, SDK class names): renaming one is a breaking change.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { boundaryEditions, distributions, helmModes, kataShims, postgresModes, secretKeys, stackKinds } from "../config/constants";
import {
    admissionActions, admissionSchema, agentSandboxSchema, boundarySchema, clusterSchema, coderSchema, devicesSchema, gpuSchema, networkSchema,
    platformSections, runtimesSchema, teamSchema, vaultSchema,
} from "../config/stack-schema";
import { EgressPresetName } from "../cluster/egress-presets";
import { Team } from "./team-stack-args";

/** What a PlatformStack holds: a whole environment (all-in-one), or its shared part (platform; teams get team stacks). */
export const StackKind = { AllInOne: "all-in-one", Platform: "platform" } as const;
export type StackKind = typeof StackKind[keyof typeof StackKind];

/** k3s (local-path, traefik defaults) or generic Kubernetes. */
export const Distribution = { K3s: "k3s", Generic: "generic" } as const;
export type Distribution = typeof Distribution[keyof typeof Distribution];

/** How Helm charts are installed: Pulumi Helm releases or K3s HelmChart objects. */
export const HelmMode = { Pulumi: "pulumi", HelmController: "helm-controller" } as const;
export type HelmMode = typeof HelmMode[keyof typeof HelmMode];

/** Where Coder's database comes from. */
export const PostgresMode = { CloudnativePg: "cloudnative-pg", Bitnami: "bitnami", External: "external" } as const;
export type PostgresMode = typeof PostgresMode[keyof typeof PostgresMode];

/** Kata shims kata-deploy installs; the first listed is the sandboxes' RuntimeClass. */
export const KataShim = { Qemu: "qemu", QemuRuntimeRs: "qemu-runtime-rs", Clh: "clh", Dragonball: "dragonball", Fc: "fc" } as const;
export type KataShim = typeof KataShim[keyof typeof KataShim];

/** Boundary edition. */
export const BoundaryEdition = { Community: "community", Enterprise: "enterprise", Hcp: "hcp" } as const;
export type BoundaryEdition = typeof BoundaryEdition[keyof typeof BoundaryEdition];

/** How an admission policy binding acts on a refused object. */
export const AdmissionAction = { Warn: "warn", Audit: "audit", Deny: "deny" } as const;
export type AdmissionAction = typeof AdmissionAction[keyof typeof AdmissionAction];

/** Transport protocol of an egress port. */
export const Protocol = { TCP: "TCP", UDP: "UDP", SCTP: "SCTP" } as const;
export type Protocol = typeof Protocol[keyof typeof Protocol];

/** A component that is only switched on or off. */
export interface Toggle {
    /** Install it. */
    enabled?: boolean;
}

/** Kubernetes distribution, classes and networks. */
export interface ClusterSettings {
    /** k3s (default) or generic. */
    distribution?: Distribution;
    /** StorageClass of every PVC; default local-path on K3s, the cluster default otherwise. */
    storageClass?: string;
    /** IngressClass for Coder; default traefik on K3s, nginx otherwise. */
    ingressClass?: string;
    /** Base DNS domain of the environment. */
    domain?: string;
    /** The Kubernetes API server URL written into each team's deployer kubeconfig. */
    apiServerUrl?: string;
    /** Pod network (IPv4 CIDR); sandboxes never reach it. */
    podCidr?: string;
    /** Service network (IPv4 CIDR); sandboxes never reach it. */
    serviceCidr?: string;
    /** Where the nodes live (IPv4 and IPv6 CIDRs); sandboxes never reach these. */
    nodeCidrs?: string[];
    /** Upper bound on nodes, for the quota headroom of per-node pre-pull pods. */
    maxNodes?: number;
    /** pulumi (default) or helm-controller. */
    helm?: HelmMode;
}

/** A key of a Secret, named by the Secret's name. */
export interface SecretKeyName {
    /** Secret in the Coder namespace. */
    name: string;
    /** Key holding the value. */
    key: string;
}

/** Coder's database. */
export interface PostgresSettings {
    /** cloudnative-pg (default), bitnami or external. */
    mode?: PostgresMode;
    /** Database volume size. */
    storage?: string;
    /** mode external: the Secret key holding the postgres:// URL. */
    connectionUrlSecret?: SecretKeyName;
}

/** The Coder control plane. */
export interface CoderSettings {
    /** Deploy Coder. */
    enabled?: boolean;
    /** Namespace of Coder and its database. */
    namespace?: string;
    /** Coder Helm chart version, exact. */
    chartVersion?: string;
    /** Coder's external URL; required when enabled. */
    accessUrl?: string;
    /** Wildcard host for workspace apps, like *.coder.example.com. */
    wildcardAccessUrl?: string;
    /** Coder's database. */
    postgres?: PostgresSettings;
}

/** Kata Containers. */
export interface KataSettings {
    /** Install Kata Containers (kata-deploy). */
    enabled?: boolean;
    /** Kata shims; the first is the sandboxes' RuntimeClass. */
    shims?: KataShim[];
}

/** Sandbox runtimes to install. */
export interface RuntimesSettings {
    /** Sysbox (sysbox-deploy-k8s). */
    sysbox?: Toggle;
    /** Kata Containers. */
    kata?: KataSettings;
    /** The gVisor RuntimeClass. */
    gvisor?: Toggle;
}

/** NVIDIA GPUs. */
export interface GpuSettings {
    /** Install the NVIDIA device plugin. */
    enabled?: boolean;
    /** Sandboxes sharing one GPU. */
    timeSlicingReplicas?: number;
}

/** FUSE and TUN devices. */
export interface DevicesSettings {
    /** Offer /dev/fuse to sandboxes. */
    fuse?: boolean;
    /** Offer /dev/net/tun to sandboxes. */
    tun?: boolean;
}

/** The Vault SSH certificate authority. */
export interface VaultSettings {
    /** Create the Vault SSH CA. */
    enabled?: boolean;
    /** Mount path of the SSH secrets engine. */
    sshMount?: string;
    /** Certificate TTL: 8h, 1h30m, 2d or seconds. */
    certTtl?: string;
    /** Longest certificate TTL. */
    certMaxTtl?: string;
    /** Vault's address as Boundary's workers reach it; defaults to the provider's. */
    address?: string;
}

/** Boundary access. */
export interface BoundarySettings {
    /** Create Boundary scopes, hosts and targets. */
    enabled?: boolean;
    /** community (default), enterprise or hcp. */
    edition?: BoundaryEdition;
    /** Boundary's API address; else BOUNDARY_ADDR at deploy time. */
    address?: string;
    /** Name of the Boundary org scope. */
    orgName?: string;
    /** Longest session, in seconds. */
    sessionMaxSeconds?: number;
    /** Password auth method the provider logs in with (with the secret boundaryPassword). */
    authMethodId?: string;
    /** Login name for the password auth method. */
    loginName?: string;
}

/** Where the Boundary worker connects to. */
export interface UpstreamSettings {
    /** Addresses of the worker's upstream; default every public address. */
    cidrs?: string[];
    /** Upstream ports. */
    ports?: number[];
}

/** The only pods that may reach sandboxes. */
export interface AccessFromSettings {
    /** Namespace of the only pods that may reach sandboxes (Boundary workers). */
    namespace?: string;
    /** Create that namespace (true), or require that it exists (false). */
    create?: boolean;
    /** Pods (within that namespace) allowed to reach sandboxes' SSH. */
    podLabels?: Record<string, string>;
    /** The Boundary worker's proxy listener port. */
    proxyPort?: number;
    /** Where clients reach the worker's proxy port from. */
    clientCidrs?: string[];
    /** Where the Boundary worker connects to. */
    upstream?: UpstreamSettings;
}

/** Where the Kubernetes API server's endpoints are. */
export interface ApiServerSettings {
    /** API server endpoints (after Service translation); default cluster.nodeCidrs. */
    cidrs?: string[];
    /** API server port; default 6443 on K3s, 443 otherwise. */
    port?: number;
}

/** The ingress controller's pods. */
export interface IngressControllerSettings {
    /** Namespace of the ingress controller. */
    namespace?: string;
    /** Labels of the ingress controller's pods. */
    podLabels?: Record<string, string>;
}

/** Sandbox network access. */
export interface NetworkSettings {
    /** Sandboxes may reach the internet (never the cluster networks). */
    egressInternet?: boolean;
    /** The only pods that may reach sandboxes. */
    accessFrom?: AccessFromSettings;
    /** Where the Kubernetes API server's endpoints are. */
    apiServer?: ApiServerSettings;
    /** The ingress controller's pods. */
    ingressController?: IngressControllerSettings;
}

/** In-cluster admission policies. */
export interface AdmissionSettings {
    /** Render the ValidatingAdmissionPolicies (Kubernetes 1.30+). */
    enabled?: boolean;
    /** In sandbox namespaces and coder-workspaces. */
    action?: AdmissionAction;
    /** In kube-system (privileged pods only). */
    kubeSystemAction?: AdmissionAction;
}

/** A port, or a range of ports, of an egress rule. */
export interface EgressPort {
    /** Port, or first port of a range. */
    port: number;
    /** Last port of a range. */
    endPort?: number;
    /** TCP (default), UDP or SCTP. */
    protocol?: Protocol;
}

/** Extra egress beyond the internet (e.g. a private registry). */
export interface EgressRule {
    /** Destination CIDR (IPv4 or IPv6), zero host bits. */
    cidr: string;
    /** Ports; all ports when empty. */
    ports?: EgressPort[];
}

/** Platform stacks: what a team's own stack may run; sizes the team's quota. */
export interface TeamCapacity {
    /** The most sandboxes the team's stack may run. */
    sandboxes: number;
    /** The most GPUs the team's sandboxes may request in all. */
    gpus?: number;
    /** The most distinct workspace images the team's sandboxes use. */
    images?: number;
}

/** A team as a platform or all-in-one stack declares it: a team stack's keys plus what the platform owns. */
export interface PlatformTeam extends Team {
    /** Platform stacks only: what the team's own stack may run. */
    capacity?: TeamCapacity;
    /** Extra egress beyond the internet. */
    egress?: EgressRule[];
    /**
     * Named egress allowlists added to egress: anthropic (the Claude API's published addresses). A string,
     * not an enum: the analyzer cannot express an enum of one value (it sees a single literal type); the
     * loader refuses any other name.
     */
    egressPresets?: string[];
    /** This team's sandboxes may reach the internet; default network.egressInternet. */
    egressInternet?: boolean;
}

/**
 * The arguments of a PlatformStack: the keys of a platform (or all-in-one) stack's config file.
 * Secrets are inputs; everything else is plain, because it decides which resources exist.
 */
export interface PlatformStackComponentArgs {
    /** Environment name (a DNS label). */
    environment: string;
    /** all-in-one (default) or platform. */
    stack?: StackKind;
    /** Kubernetes distribution, classes, networks. */
    cluster?: ClusterSettings;
    /** Coder control plane. */
    coder?: CoderSettings;
    /** Sandbox runtimes to install. */
    runtimes?: RuntimesSettings;
    /** NVIDIA GPUs. */
    gpu?: GpuSettings;
    /** FUSE and TUN devices. */
    devices?: DevicesSettings;
    /** Vault SSH certificate authority. */
    vault?: VaultSettings;
    /** Boundary access. */
    boundary?: BoundarySettings;
    /** Sandbox network access. */
    network?: NetworkSettings;
    /** In-cluster admission policies. */
    admission?: AdmissionSettings;
    /** kubernetes-sigs/agent-sandbox controller. */
    agentSandbox?: Toggle;
    /** Teams and their developers. */
    teams?: PlatformTeam[];
    /** Boundary token for the provider (else BOUNDARY_TOKEN in the environment). */
    boundaryToken?: pulumi.Input<string>;
    /** Password for boundary.loginName. */
    boundaryPassword?: pulumi.Input<string>;
}

// ------------------------------------------------------------------ drift checks (compile time)

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
/** The explicit interface is accepted by the schema's input, and has exactly its keys. */
type Mirrors<Explicit, Zod> = [Explicit extends Zod ? true : false, Same<keyof Explicit, keyof Zod>] extends [true, true] ? true : false;
type In<S extends z.ZodType> = NonNullable<z.input<S>>;

export type ClusterMirrors = Expect<Mirrors<ClusterSettings, In<typeof clusterSchema>>>;
export type CoderMirrors = Expect<Mirrors<CoderSettings, In<typeof coderSchema>>>;
export type PostgresMirrors = Expect<Mirrors<PostgresSettings, NonNullable<In<typeof coderSchema>["postgres"]>>>;
export type RuntimesMirror = Expect<Mirrors<RuntimesSettings, In<typeof runtimesSchema>>>;
export type KataMirrors = Expect<Mirrors<KataSettings, NonNullable<In<typeof runtimesSchema>["kata"]>>>;
export type GpuMirrors = Expect<Mirrors<GpuSettings, In<typeof gpuSchema>>>;
export type DevicesMirror = Expect<Mirrors<DevicesSettings, In<typeof devicesSchema>>>;
export type VaultMirrors = Expect<Mirrors<VaultSettings, In<typeof vaultSchema>>>;
export type BoundaryMirrors = Expect<Mirrors<BoundarySettings, In<typeof boundarySchema>>>;
export type NetworkMirrors = Expect<Mirrors<NetworkSettings, In<typeof networkSchema>>>;
export type AccessFromMirrors = Expect<Mirrors<AccessFromSettings, NonNullable<In<typeof networkSchema>["accessFrom"]>>>;
export type AdmissionMirrors = Expect<Mirrors<AdmissionSettings, In<typeof admissionSchema>>>;
export type AgentSandboxMirrors = Expect<Mirrors<Toggle, In<typeof agentSandboxSchema>>>;
export type PlatformTeamMirrors = Expect<Mirrors<Omit<PlatformTeam, "egressPresets">, Omit<In<typeof teamSchema>, "egressPresets">>>;
export type EgressPresetsCovered = Expect<Same<EgressPresetName, NonNullable<In<typeof teamSchema>["egressPresets"]>[number]>>;
/** Every section is an argument; platformStack and boundaryVaultToken belong to team stacks (TeamStack). */
export type ArgsCoverSections = Expect<Same<Exclude<keyof typeof platformSections, "platformStack"> | Exclude<typeof secretKeys[number], "boundaryVaultToken">,
    keyof PlatformStackComponentArgs>>;
export type StackKindsMatch = Expect<Same<StackKind, Exclude<typeof stackKinds[number], "team">>>;
export type DistributionsMatch = Expect<Same<Distribution, typeof distributions[number]>>;
export type HelmModesMatch = Expect<Same<HelmMode, typeof helmModes[number]>>;
export type PostgresModesMatch = Expect<Same<PostgresMode, typeof postgresModes[number]>>;
export type KataShimsMatch = Expect<Same<KataShim, typeof kataShims[number]>>;
export type EditionsMatch = Expect<Same<BoundaryEdition, typeof boundaryEditions[number]>>;
export type AdmissionActionsMatch = Expect<Same<AdmissionAction, typeof admissionActions[number]>>;
