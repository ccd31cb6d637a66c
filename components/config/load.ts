// Stack config contract v1: load, validate and fill defaults. Pure: no Pulumi resources.

import * as versions from "../versions";
import { parseDuration } from "./duration";
import { parseCidr } from "../cluster/cidr";
import { defaultNodeCidrs, egressAllowProblem } from "../cluster/network-policies";
import { configNamespace } from "./errors";
import {
    Raw, configFail, isPlainObject, readBoolean, readDns1035Label, readDnsLabel, readEnum, readInteger, readLabels, readList,
    readObject, readOptionalString, readQuantity, readString, readUrl,
} from "./reader";
import {
    BoundaryConfig, ClusterConfig, CoderConfig, DeveloperConfig, DevicesConfig, EgressAllowRule, GpuConfig, KataShim, NetworkConfig, PlatformConfig,
    RuntimesConfig, SandboxResources, TeamConfig, VaultConfig, allocations, boundaryEditions, distributions, helmModes, kataShims,
    postgresModes, sandboxRuntimes, secretKeys,
} from "./schema";

/** Developer names become Linux users, principals and parts of object names. */
export const maxDeveloperNameLength = 40;
/** `<team>-<developer>` must stay a 63-character label (Service names, Boundary targets). */
export const maxTeamNameLength = 20;

const topLevelKeys = [
    "environment", "cluster", "coder", "runtimes", "gpu", "devices", "vault", "boundary", "network", "teams", ...secretKeys,
];

/**
 * Turns Pulumi's flat config map (`"sandbox-platform:teams"` to a JSON string, as in
 * PULUMI_CONFIG) into the raw object the loader reads. Other namespaces are ignored.
 */
export function rawFromPulumiConfig(all: Record<string, string>): Raw {
    const raw: Raw = {};
    const prefix = `${configNamespace}:`;
    for (const [key, text] of Object.entries(all)) {
        if (!key.startsWith(prefix)) {
            continue;
        }
        const shortKey = key.slice(prefix.length);
        raw[shortKey] = /^\s*[[{]/.test(text) ? parseStructured(text) : text;
    }
    return raw;
}

/** Structured values arrive JSON-encoded; anything else (e.g. "[secret]") stays text. */
function parseStructured(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** Validates the whole stack config; throws a ConfigError naming the first bad key. */
export function parsePlatformConfig(input: Raw): PlatformConfig {
    for (const key of Object.keys(input)) {
        if (!topLevelKeys.includes(key)) {
            configFail(key, `unknown key; accepted keys: ${topLevelKeys.join(", ")}`);
        }
    }
    const environment = readDnsLabel("environment", input.environment, 63);
    const cluster = parseCluster(input.cluster);
    const runtimes = parseRuntimes(input.runtimes);
    const gpu = parseGpu(input.gpu);
    const devices = parseDevices(input.devices);
    const vault = parseVault(input.vault);
    const boundary = parseBoundary(input.boundary, vault);
    const coder = parseCoder(input.coder);
    const network = parseNetwork(input.network, cluster);
    const teams = parseTeams(input.teams, runtimes, gpu, cluster);
    if (boundary.enabled && input.boundaryToken === undefined && input.boundaryPassword === undefined) {
        configFail("boundaryToken", "Boundary is enabled but neither the secret boundaryToken nor boundaryPassword (with boundary.authMethodId and boundary.loginName) is set");
    }
    if (input.boundaryPassword !== undefined && (!boundary.authMethodId || !boundary.loginName)) {
        configFail("boundary.authMethodId", "boundaryPassword needs boundary.authMethodId and boundary.loginName to log in");
    }
    return { environment, cluster, coder, runtimes, gpu, devices, vault, boundary, network, teams };
}

function parseCluster(value: unknown): ClusterConfig {
    const raw = readObject("cluster", value, ["distribution", "storageClass", "ingressClass", "domain", "podCidr", "serviceCidr", "nodeCidrs", "maxNodes", "helm"]);
    const distribution = readEnum("cluster.distribution", raw.distribution, distributions, "k3s");
    const k3s = distribution === "k3s";
    const storageClass = readOptionalString("cluster.storageClass", raw.storageClass) ?? (k3s ? "local-path" : undefined);
    return {
        distribution,
        storageClass,
        ingressClass: readString("cluster.ingressClass", raw.ingressClass, k3s ? "traefik" : "nginx"),
        domain: readOptionalString("cluster.domain", raw.domain),
        podCidr: readCidr("cluster.podCidr", raw.podCidr, "10.42.0.0/16"),
        serviceCidr: readCidr("cluster.serviceCidr", raw.serviceCidr, "10.43.0.0/16"),
        nodeCidrs: readCidrList("cluster.nodeCidrs", raw.nodeCidrs, defaultNodeCidrs),
        maxNodes: readInteger("cluster.maxNodes", raw.maxNodes, 10, 1, 5000),
        helm: readEnum("cluster.helm", raw.helm, helmModes, "pulumi"),
    };
}

function readCidr(path: string, value: unknown, fallback: string): string {
    const text = readString(path, value, fallback);
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
    if (!match || match.slice(1, 5).some((octet) => Number(octet) > 255) || Number(match[5]) > 32) {
        configFail(path, `${JSON.stringify(text)} is not an IPv4 CIDR such as 10.42.0.0/16`);
    }
    return text;
}

function readCidrList(path: string, value: unknown, fallback: string[]): string[] {
    if (value === undefined) {
        return fallback;
    }
    return readList(path, value).map((entry, i) => {
        const text = readString(`${path}[${i}]`, entry);
        if (!parseCidr(text)) {
            configFail(`${path}[${i}]`, `${JSON.stringify(text)} is not a CIDR with zero host bits, such as 10.0.0.0/8 or fd00::/8`);
        }
        return text;
    });
}

function parseRuntimes(value: unknown): RuntimesConfig {
    const raw = readObject("runtimes", value, ["sysbox", "kata", "gvisor"]);
    const sysbox = readObject("runtimes.sysbox", raw.sysbox, ["enabled"]);
    const kata = readObject("runtimes.kata", raw.kata, ["enabled", "shims"]);
    const gvisor = readObject("runtimes.gvisor", raw.gvisor, ["enabled"]);
    const shimList = kata.shims === undefined ? ["qemu-runtime-rs"] : readList("runtimes.kata.shims", kata.shims);
    const shims = shimList.map((shim, i) => readEnum<KataShim>(`runtimes.kata.shims[${i}]`, shim, kataShims));
    const kataEnabled = readBoolean("runtimes.kata.enabled", kata.enabled, false);
    if (kataEnabled && shims.length === 0) {
        configFail("runtimes.kata.shims", `needs at least one shim when kata is enabled; accepted: ${kataShims.join(" | ")}`);
    }
    return {
        sysbox: { enabled: readBoolean("runtimes.sysbox.enabled", sysbox.enabled, false) },
        kata: { enabled: kataEnabled, shims },
        gvisor: { enabled: readBoolean("runtimes.gvisor.enabled", gvisor.enabled, false) },
    };
}

function parseGpu(value: unknown): GpuConfig {
    const raw = readObject("gpu", value, ["enabled", "timeSlicingReplicas"]);
    return {
        enabled: readBoolean("gpu.enabled", raw.enabled, false),
        timeSlicingReplicas: readInteger("gpu.timeSlicingReplicas", raw.timeSlicingReplicas, 1, 1, 64),
    };
}

function parseDevices(value: unknown): DevicesConfig {
    const raw = readObject("devices", value, ["fuse", "tun"]);
    return { fuse: readBoolean("devices.fuse", raw.fuse, false), tun: readBoolean("devices.tun", raw.tun, false) };
}

function parseVault(value: unknown): VaultConfig {
    const raw = readObject("vault", value, ["enabled", "sshMount", "certTtl", "certMaxTtl", "address"]);
    const certTtl = readString("vault.certTtl", raw.certTtl, "8h");
    const certMaxTtl = readString("vault.certMaxTtl", raw.certMaxTtl, "24h");
    const certTtlSeconds = readDuration("vault.certTtl", certTtl);
    const certMaxTtlSeconds = readDuration("vault.certMaxTtl", certMaxTtl);
    if (certTtlSeconds > certMaxTtlSeconds) {
        configFail("vault.certTtl", `${certTtl} is longer than vault.certMaxTtl (${certMaxTtl}); a certificate's TTL must not exceed the maximum`);
    }
    const sshMount = readString("vault.sshMount", raw.sshMount, "ssh-client-signer");
    if (!/^[A-Za-z0-9][-A-Za-z0-9_/]*[A-Za-z0-9]$/.test(sshMount)) {
        configFail("vault.sshMount", `${JSON.stringify(sshMount)} is not a Vault mount path (letters, digits, '-', '_', '/')`);
    }
    return {
        enabled: readBoolean("vault.enabled", raw.enabled, false),
        sshMount, certTtl, certMaxTtl, certTtlSeconds, certMaxTtlSeconds,
        address: readUrl("vault.address", raw.address, false),
    };
}

function readDuration(path: string, text: string): number {
    const seconds = parseDuration(text);
    if (seconds === undefined || seconds <= 0) {
        configFail(path, `${JSON.stringify(text)} is not a positive duration; use forms like 30m, 8h, 1h30m or a number of seconds`);
    }
    return seconds;
}

function parseBoundary(value: unknown, vault: VaultConfig): BoundaryConfig {
    const raw = readObject("boundary", value, ["enabled", "edition", "address", "orgName", "sessionMaxSeconds", "authMethodId", "loginName"]);
    const enabled = readBoolean("boundary.enabled", raw.enabled, false);
    const edition = readEnum("boundary.edition", raw.edition, boundaryEditions, "community");
    if (enabled && edition !== "community" && !vault.enabled) {
        configFail("boundary.edition", `${edition} injects Vault-signed SSH certificates and needs vault.enabled: true (or use edition: community)`);
    }
    if (enabled && edition !== "community" && !vault.address) {
        configFail("vault.address", `Boundary ${edition} injects certificates through a Vault credential store: set vault.address to Vault's address as Boundary's workers reach it`);
    }
    const authMethodId = readOptionalString("boundary.authMethodId", raw.authMethodId);
    return {
        enabled,
        edition,
        address: readUrl("boundary.address", raw.address, enabled),
        orgName: readString("boundary.orgName", raw.orgName, "sandboxes"),
        sessionMaxSeconds: readInteger("boundary.sessionMaxSeconds", raw.sessionMaxSeconds, 28800, 60, 7 * 86400),
        authMethodId,
        loginName: readOptionalString("boundary.loginName", raw.loginName),
    };
}

function parseCoder(value: unknown): CoderConfig {
    const raw = readObject("coder", value, ["enabled", "namespace", "chartVersion", "accessUrl", "wildcardAccessUrl", "postgres"]);
    const enabled = readBoolean("coder.enabled", raw.enabled, false);
    const postgres = readObject("coder.postgres", raw.postgres, ["mode", "storage", "connectionUrlSecret"]);
    const mode = readEnum("coder.postgres.mode", postgres.mode, postgresModes, "cloudnative-pg");
    let connectionUrlSecret: { name: string; key: string } | undefined;
    if (mode === "external") {
        if (postgres.connectionUrlSecret === undefined) {
            configFail("coder.postgres.connectionUrlSecret", "is required when coder.postgres.mode is external: { name: <secret>, key: <key holding the postgres:// URL> }");
        }
        const secret = readObject("coder.postgres.connectionUrlSecret", postgres.connectionUrlSecret, ["name", "key"]);
        connectionUrlSecret = {
            name: readDnsLabel("coder.postgres.connectionUrlSecret.name", secret.name, 253),
            key: readString("coder.postgres.connectionUrlSecret.key", secret.key),
        };
    } else if (postgres.connectionUrlSecret !== undefined) {
        configFail("coder.postgres.connectionUrlSecret", `only applies to mode external, not ${mode}`);
    }
    const wildcardAccessUrl = readOptionalString("coder.wildcardAccessUrl", raw.wildcardAccessUrl);
    if (wildcardAccessUrl !== undefined && !/^\*\.[a-z0-9.-]+(:[0-9]+)?$/.test(wildcardAccessUrl)) {
        configFail("coder.wildcardAccessUrl", `${JSON.stringify(wildcardAccessUrl)} must look like *.coder.example.com`);
    }
    return {
        enabled,
        namespace: readDnsLabel("coder.namespace", raw.namespace, 63, "coder"),
        chartVersion: readString("coder.chartVersion", raw.chartVersion, versions.coderChart.version),
        accessUrl: readUrl("coder.accessUrl", raw.accessUrl, enabled),
        wildcardAccessUrl,
        postgres: { mode, storage: readQuantity("coder.postgres.storage", postgres.storage, "10Gi"), connectionUrlSecret },
    };
}

function parseNetwork(value: unknown, cluster: ClusterConfig): NetworkConfig {
    const raw = readObject("network", value, ["egressInternet", "accessFrom", "apiServer", "ingressController"]);
    const accessFrom = readObject("network.accessFrom", raw.accessFrom, ["namespace", "create", "podLabels"]);
    const apiServer = readObject("network.apiServer", raw.apiServer, ["cidrs", "port"]);
    const ingress = readObject("network.ingressController", raw.ingressController, ["namespace", "podLabels"]);
    const k3s = cluster.distribution === "k3s";
    return {
        egressInternet: readBoolean("network.egressInternet", raw.egressInternet, true),
        accessFrom: {
            namespace: readDnsLabel("network.accessFrom.namespace", accessFrom.namespace, 63, "boundary"),
            create: readBoolean("network.accessFrom.create", accessFrom.create, true),
            podLabels: readLabels("network.accessFrom.podLabels", accessFrom.podLabels, {}),
        },
        // K3s serves the API on every server node's IP, port 6443 (the `kubernetes` Service's endpoints).
        apiServer: {
            cidrs: readCidrList("network.apiServer.cidrs", apiServer.cidrs, cluster.nodeCidrs),
            port: readInteger("network.apiServer.port", apiServer.port, k3s ? 6443 : 443, 1, 65535),
        },
        ingressController: {
            namespace: readDnsLabel("network.ingressController.namespace", ingress.namespace, 63, k3s ? "kube-system" : "ingress-nginx"),
            podLabels: readLabels("network.ingressController.podLabels", ingress.podLabels,
                { "app.kubernetes.io/name": k3s ? "traefik" : "ingress-nginx" }),
        },
    };
}

function parseEgressAllow(path: string, value: unknown, cluster: ClusterConfig): EgressAllowRule[] {
    if (value === undefined) {
        return [];
    }
    return readList(path, value).map((entry, i) => {
        const at = `${path}[${i}]`;
        const raw = readObject(at, entry, ["cidr", "ports"]);
        const cidr = readString(`${at}.cidr`, raw.cidr);
        const problem = egressAllowProblem(cidr, { cluster });
        if (problem) {
            configFail(`${at}.cidr`, problem);
        }
        const ports = raw.ports === undefined ? [] : readList(`${at}.ports`, raw.ports).map((p, j) => {
            const portPath = `${at}.ports[${j}]`;
            const port = typeof p === "number" ? { port: p } : readObject(portPath, p, ["port", "endPort", "protocol"]);
            const number = readInteger(`${portPath}.port`, port.port, 0, 1, 65535);
            const endPort = port.endPort === undefined ? undefined : readInteger(`${portPath}.endPort`, port.endPort, 0, number, 65535);
            return { protocol: readEnum(`${portPath}.protocol`, port.protocol, ["TCP", "UDP", "SCTP"] as const, "TCP"), port: number, ...(endPort ? { endPort } : {}) };
        });
        return { cidr, ports };
    });
}

const defaultResources: SandboxResources = { cpu: "2", memory: "4Gi", disk: "20Gi", dockerCache: "30Gi" };
const resourceKeys = ["cpu", "memory", "disk", "dockerCache"] as const;

function parseResources(path: string, value: unknown, base: SandboxResources): SandboxResources {
    const raw = readObject(path, value, resourceKeys);
    const result = { ...base };
    for (const key of resourceKeys) {
        result[key] = readQuantity(`${path}.${key}`, raw[key], base[key]);
    }
    return result;
}

function parseTeams(value: unknown, runtimes: RuntimesConfig, gpu: GpuConfig, cluster: ClusterConfig): TeamConfig[] {
    if (value === undefined) {
        return [];
    }
    const seen = new Map<string, number>();
    return readList("teams", value).map((entry, i) => {
        const path = `teams[${i}]`;
        const raw = readObject(path, entry, ["name", "runtime", "allocation", "poolSize", "image", "imagePullSecret", "resources", "developers", "egress"]);
        const name = readDns1035Label(`${path}.name`, raw.name, maxTeamNameLength);
        if (seen.has(name)) {
            configFail(`${path}.name`, `duplicate team name ${JSON.stringify(name)} (also teams[${seen.get(name)}].name)`);
        }
        seen.set(name, i);
        const runtime = readEnum(`${path}.runtime`, raw.runtime, sandboxRuntimes, "envbox");
        if (runtime !== "envbox" && !runtimes[runtime].enabled) {
            configFail(`${path}.runtime`, `${runtime} is used by team ${name} but runtimes.${runtime}.enabled is not true; enable it or use envbox`);
        }
        const allocation = readEnum(`${path}.allocation`, raw.allocation, allocations, "dedicated");
        const poolSize = readInteger(`${path}.poolSize`, raw.poolSize, 0, 0, 500);
        if (allocation === "pool" && poolSize < 1) {
            configFail(`${path}.poolSize`, `allocation: pool needs poolSize of at least 1, got ${poolSize}`);
        }
        if (allocation === "dedicated" && poolSize > 0) {
            configFail(`${path}.poolSize`, `only applies to allocation: pool; team ${name} is dedicated`);
        }
        const image = readImage(`${path}.image`, raw.image, versions.defaultWorkspaceImage);
        const resources = parseResources(`${path}.resources`, raw.resources, defaultResources);
        const developers = parseDevelopers(`${path}.developers`, raw.developers, { image, resources, runtime, allocation, gpu });
        if (allocation === "pool" && developers.length > poolSize) {
            configFail(`${path}.developers`, `team ${name} has ${developers.length} developers but poolSize ${poolSize}; raise poolSize or move developers`);
        }
        const imagePullSecret = raw.imagePullSecret === undefined ? undefined : readDnsLabel(`${path}.imagePullSecret`, raw.imagePullSecret, 253);
        const egress = parseEgressAllow(`${path}.egress`, raw.egress, cluster);
        return { name, runtime, allocation, poolSize, image, imagePullSecret, resources, developers, egress };
    });
}

interface TeamDefaults {
    image: string;
    resources: SandboxResources;
    runtime: TeamConfig["runtime"];
    allocation: TeamConfig["allocation"];
    gpu: GpuConfig;
}

function parseDevelopers(path: string, value: unknown, team: TeamDefaults): DeveloperConfig[] {
    const seen = new Map<string, number>();
    return readList(path, value).map((entry, i) => {
        const at = `${path}[${i}]`;
        const raw: Raw = typeof entry === "string" ? { name: entry } : readObject(at, entry, ["name", "gpu", "image", "suspended", "resources"]);
        const namePath = isPlainObject(entry) ? `${at}.name` : at;
        const name = readDnsLabel(namePath, raw.name, maxDeveloperNameLength);
        if (seen.has(name)) {
            configFail(namePath, `duplicate developer ${JSON.stringify(name)} (also ${path}[${seen.get(name)}])`);
        }
        seen.set(name, i);
        const gpu = readInteger(`${at}.gpu`, raw.gpu, 0, 0, 16);
        if (gpu > 0 && !team.gpu.enabled) {
            configFail(`${at}.gpu`, `developer ${name} asks for ${gpu} GPU(s) but gpu.enabled is not true`);
        }
        if (gpu > 0 && team.runtime !== "envbox") {
            configFail(`${at}.gpu`, `GPUs are passed only into envbox sandboxes; this team's runtime is ${team.runtime}`);
        }
        if (team.allocation === "pool" && (raw.gpu !== undefined || raw.image !== undefined || raw.resources !== undefined)) {
            configFail(at, "pool members are identical: gpu, image and resources can only be set on the team");
        }
        return {
            name,
            gpu,
            image: readImage(`${at}.image`, raw.image, team.image),
            suspended: readBoolean(`${at}.suspended`, raw.suspended, false),
            resources: parseResources(`${at}.resources`, raw.resources, team.resources),
        };
    });
}

const imagePattern = /^[a-z0-9]+([._\-/:a-z0-9]*[a-z0-9])?(@sha256:[a-f0-9]{64})?$/i;

function readImage(path: string, value: unknown, fallback: string): string {
    const image = readString(path, value, fallback);
    const lastSegment = image.split("/").pop() ?? image;
    if (!imagePattern.test(image) || (!lastSegment.includes(":") && !image.includes("@sha256:"))) {
        configFail(path, `${JSON.stringify(image)} must be an image reference with a pinned tag or digest (repo/name:tag or repo/name@sha256:...)`);
    }
    if (/:latest$/.test(image)) {
        configFail(path, `${JSON.stringify(image)} uses the latest tag; pin a version`);
    }
    return image;
}
