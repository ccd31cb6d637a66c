// The validated, defaulted stack config (contract v1 in DESIGN.md). Everything
// downstream of the loader reads these types and never the raw config.

export const distributions = ["k3s", "generic"] as const;
export const sandboxRuntimes = ["envbox", "sysbox", "kata"] as const;
export const allocations = ["dedicated", "pool"] as const;
export const postgresModes = ["cloudnative-pg", "bitnami", "external"] as const;
export const boundaryEditions = ["community", "enterprise", "hcp"] as const;
export const helmModes = ["pulumi", "helm-controller"] as const;
/** Kata shims kata-deploy installs, each with the RuntimeClass pod overhead it declares. */
export const kataShimOverheads = {
    "qemu": { cpu: "250m", memory: "320Mi" },
    "qemu-runtime-rs": { cpu: "250m", memory: "320Mi" },
    "clh": { cpu: "250m", memory: "130Mi" },
    "cloud-hypervisor": { cpu: "250m", memory: "130Mi" },
    "dragonball": { cpu: "250m", memory: "130Mi" },
    "fc": { cpu: "250m", memory: "130Mi" },
} as const;
export type KataShim = keyof typeof kataShimOverheads;
export const kataShims = Object.keys(kataShimOverheads) as KataShim[];

export type Distribution = (typeof distributions)[number];
export type SandboxRuntime = (typeof sandboxRuntimes)[number];
export type Allocation = (typeof allocations)[number];
export type PostgresMode = (typeof postgresModes)[number];
export type BoundaryEdition = (typeof boundaryEditions)[number];
export type HelmMode = (typeof helmModes)[number];

export interface ClusterConfig {
    distribution: Distribution;
    /** StorageClass for every PVC; undefined uses the cluster default. */
    storageClass?: string;
    ingressClass: string;
    domain?: string;
    /** Pod and Service CIDRs: sandboxes may reach the internet but never these. */
    podCidr: string;
    serviceCidr: string;
    /** Where the nodes live (IPv4 and IPv6): sandboxes never reach these (kubelets, host services). */
    nodeCidrs: string[];
    /** Upper bound on nodes, for the quota headroom of per-node pre-pull pods. */
    maxNodes: number;
    /** How Helm releases are applied: Pulumi Helm releases, or K3s HelmChart objects. */
    helm: HelmMode;
}

export interface SandboxResources {
    cpu: string;
    memory: string;
    disk: string;
    dockerCache: string;
}

export interface DeveloperConfig {
    name: string;
    gpu: number;
    image: string;
    suspended: boolean;
    resources: SandboxResources;
}

export interface TeamConfig {
    name: string;
    runtime: SandboxRuntime;
    allocation: Allocation;
    poolSize: number;
    image: string;
    /** Name of a docker-registry Secret in the team namespace for private inner images. */
    imagePullSecret?: string;
    resources: SandboxResources;
    developers: DeveloperConfig[];
    /** Extra egress this team's sandboxes may use beyond the internet (e.g. a private registry). */
    egress: EgressAllowRule[];
}

/** One entry of a team's egress allowlist: a CIDR and, optionally, ports (all ports when empty). */
export interface EgressAllowRule {
    cidr: string;
    ports: { protocol: "TCP" | "UDP" | "SCTP"; port: number; endPort?: number }[];
}

export interface PostgresConfig {
    mode: PostgresMode;
    storage: string;
    connectionUrlSecret?: { name: string; key: string };
}

export interface CoderConfig {
    enabled: boolean;
    namespace: string;
    chartVersion: string;
    accessUrl?: string;
    wildcardAccessUrl?: string;
    postgres: PostgresConfig;
}

export interface RuntimesConfig {
    sysbox: { enabled: boolean };
    kata: { enabled: boolean; shims: KataShim[] };
    gvisor: { enabled: boolean };
}

export interface GpuConfig {
    enabled: boolean;
    timeSlicingReplicas: number;
}

export interface DevicesConfig {
    fuse: boolean;
    tun: boolean;
}

export interface VaultConfig {
    enabled: boolean;
    sshMount: string;
    certTtl: string;
    certMaxTtl: string;
    certTtlSeconds: number;
    certMaxTtlSeconds: number;
    /** Vault's address as Boundary's workers reach it (credential store); defaults to the provider's. */
    address?: string;
}

export interface BoundaryConfig {
    enabled: boolean;
    edition: BoundaryEdition;
    address?: string;
    orgName: string;
    sessionMaxSeconds: number;
    /** Password auth method used by the provider to log in (with the secret `boundaryPassword`). */
    authMethodId?: string;
    loginName?: string;
}

export interface NetworkConfig {
    egressInternet: boolean;
    /** The only pods that may reach sandboxes (Boundary workers): a namespace the platform owns. */
    accessFrom: {
        /** Namespace name, selected by its immutable `kubernetes.io/metadata.name` label. */
        namespace: string;
        /** Create the namespace (true), or require that it already exists (false). */
        create: boolean;
        podLabels: Record<string, string>;
    };
    /** Where the Kubernetes API server's endpoints are (after Service translation) and their port. */
    apiServer: { cidrs: string[]; port: number };
    /** The ingress controller's pods, the only in-cluster clients of coderd besides workspaces. */
    ingressController: { namespace: string; podLabels: Record<string, string> };
}

export interface PlatformConfig {
    environment: string;
    cluster: ClusterConfig;
    coder: CoderConfig;
    runtimes: RuntimesConfig;
    gpu: GpuConfig;
    devices: DevicesConfig;
    vault: VaultConfig;
    boundary: BoundaryConfig;
    network: NetworkConfig;
    teams: TeamConfig[];
}

/** Stack secrets (set with `pulumi config set --secret`); never decrypted by the offline render. */
export const secretKeys = ["boundaryToken", "boundaryPassword"] as const;
