// The stack config (contract v1 and its extensions), defined once with zod: the loader
// parses with it, the public config types are its output types (schema.ts), and
// `npm run schema` turns it into schema/stack-config.schema.json for editors.
//
// HOW TO ADD A KEY
//   1. Add it to the section's `strictObject({...})` below with a builder from this file
//      (`flag`, `wholeNumber`, `dnsLabel`, `dnsSubdomain`, `quantity`, `image`, `url`, `duration`,
//      `oneOf`, ...) and `.describe("one line for editors")`. Give it a `.default(...)`
//      unless leaving it out must mean "not set".
//      A new top-level key: add a section to `platformSections`.
//   2. A rule that involves more than one key goes in rules.ts (cross-section) or in the
//      section's `keyRules` (within one section, salvage.ts): it must also run when another
//      key is wrong, so it reads only fields that are there; each issue names its key path.
//   3. Run `npm run schema` and commit schema/stack-config.schema.json (a test fails when
//      it is stale) and `npm run docs:config` (docs/configuration-reference.md, from the
//      descriptions and defaults given here).
// Every builder's error names the value and what is accepted; the key path is added
// by the loader (load.ts).

import { z } from "zod";
import * as versions from "../versions";
import { parseCidr } from "../cluster/cidr";
import { defaultNodeCidrs } from "../cluster/network-policies";
import { egressPresetNames, egressPresetRules } from "../cluster/egress-presets";
import { parseDuration } from "./duration";
import { RuleIssue, keyRules, known } from "./salvage";
import {
    dns1035Label, dns1123Label, dns1123Subdomain, isConfigMapKey, isDnsLabel, isDnsSubdomain, isExactSemver, parseImageReference, parseIpv4Cidr, quantityLimits,
    quantityProblem, vaultMountProblem,
} from "./formats";
import {
    KataShim, allocations, boundaryEditions, distributions, helmModes, kataShims, postgresModes, sandboxBackends, sandboxRuntimes, stackKinds, workspaceModes,
} from "./constants";

/** Developer names become Linux users, principals and parts of object names. */
export const maxDeveloperNameLength = 40;
/** `<team>-<developer>` must stay a 63-character label (Service names, Boundary targets). */
export const maxTeamNameLength = 20;

export function show(value: unknown): string {
    if (typeof value === "number" && !Number.isFinite(value)) {
        return String(value);
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** An object that refuses unknown keys, naming the accepted ones. */
export function strictObject<S extends z.ZodRawShape>(shape: S) {
    const accepted = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue) => issue.code === "unrecognized_keys" ? `unknown key; accepted keys here: ${accepted}` : undefined,
    });
}

/** A string checked by `problem` (which returns what is wrong, or undefined). */
function checkedString(problem: (text: string) => string | undefined) {
    return z.string().superRefine((text, ctx) => {
        const detail = problem(text);
        if (detail !== undefined) {
            ctx.addIssue({ code: "custom", message: `${show(text)} ${detail}`, input: text });
        }
    });
}

/** true/false (YAML booleans, or the strings Pulumi's CLI stores). */
export function flag() {
    return z.union([z.boolean(), z.enum(["true", "false"]).transform((text) => text === "true")], {
        error: (issue) => `expected true or false, got ${show(issue.input)}`,
    });
}

/** A whole number in [min, max] (a number, or digits as text). */
export function wholeNumber(min: number, max: number) {
    const message = (issue: { input?: unknown }) => `expected a whole number from ${min} to ${max}, got ${show(issue.input)}`;
    return z.union([z.number(), z.string().regex(/^-?[0-9]{1,16}$/).transform(Number)], { error: message })
        .pipe(z.number().int({ error: message }).min(min, { error: message }).max(max, { error: message }));
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: (issue) => `${show(issue.input)} is not one of ${values.join(" | ")}` });
}

export function dnsLabel(maxLength = 63) {
    return checkedString((text) => isDnsLabel(text, maxLength) ? undefined
        : `is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`)
        .meta({ pattern: dns1123Label.source, maxLength });
}

export function dns1035(maxLength: number) {
    return checkedString((text) => dns1035Label.test(text) && text.length <= maxLength ? undefined
        : `is not a DNS-1035 label: use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most ${maxLength} characters`)
        .meta({ pattern: dns1035Label.source, maxLength });
}

export function dnsSubdomain() {
    return checkedString((text) => isDnsSubdomain(text) ? undefined
        : "is not a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit, at most 253 characters")
        .meta({ pattern: dns1123Subdomain.source, maxLength: 253 });
}

/** A Kubernetes quantity of CPU ("cpu") or bytes; numbers are read as their decimal text. */
export function quantity(kind: keyof typeof quantityLimits) {
    return z.union([z.string(), z.number().transform((value) => String(value))], {
        error: (issue) => `expected a Kubernetes quantity such as "2" or "8Gi", got ${show(issue.input)}`,
    }).pipe(checkedString((text) => quantityProblem(text, kind)));
}

/** A container image reference with a pinned tag or digest, never `latest`. */
export function image() {
    return checkedString((text) => {
        const reference = parseImageReference(text);
        if (!reference) {
            return "is not a valid image reference ([registry/]repository[:tag][@digest], lowercase repository)";
        }
        if (reference.tag === undefined && reference.digest === undefined) {
            return "must be an image reference with a pinned tag or digest (repo/name:tag or repo/name@sha256:...)";
        }
        if (reference.tag === "latest" && reference.digest === undefined) {
            return "uses the latest tag; pin a version";
        }
        return undefined;
    });
}

export function url() {
    return checkedString((text) => {
        let parsed: URL;
        try {
            parsed = new URL(text);
        } catch {
            return "is not a URL; expected http(s)://host[:port]";
        }
        return parsed.protocol === "https:" || parsed.protocol === "http:" ? undefined : "must use https:// or http://";
    });
}

/** An RFC 3339 date-time, as Kubernetes' metav1.Time takes it: 2027-01-31T18:00:00Z. */
export function dateTime() {
    return checkedString((text) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text))
        ? undefined : "is not an RFC 3339 date-time such as \"2027-01-31T18:00:00Z\" (quote it in YAML)");
}

/** A duration as Vault accepts it: "8h", "1h30m", "2d", or a number of seconds. */
export function duration() {
    return z.union([z.string(), z.number()], {
        error: (issue) => `expected a duration such as "8h" or a number of seconds, got ${show(issue.input)}`,
    }).superRefine((value, ctx) => {
        const seconds = parseDuration(value);
        if (seconds === undefined || seconds < 1) {
            ctx.addIssue({ code: "custom", input: value, message: `${show(value)} is not a positive duration of at least 1s; use forms like 30m, 8h, 1h30m, 2d or a number of seconds` });
        }
    });
}

/** An IPv4 network in canonical form, at most a /8: never "everything". */
export function cidr() {
    return checkedString((text) => {
        const parsed = parseIpv4Cidr(text);
        if (!parsed) {
            return "is not an IPv4 CIDR in canonical form such as 10.42.0.0/16 (no host bits set)";
        }
        return parsed.prefix < 8 ? `covers too much (/${parsed.prefix}); use a prefix of /8 or longer such as 10.42.0.0/16` : undefined;
    });
}

/** A list of IPv4 or IPv6 CIDRs with zero host bits. */
export function cidrList() {
    return z.array(checkedString((text) => parseCidr(text) ? undefined : "is not a CIDR with zero host bits, such as 10.0.0.0/8 or fd00::/8"),
        { error: (issue) => `expected a list of CIDRs, got ${show(issue.input)}` });
}

/** A TCP/UDP port number. */
export function port() {
    return wholeNumber(1, 65535);
}

const labelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Kubernetes labels (validation.IsQualifiedName keys, IsValidLabelValue values). */
export function labels() {
    return z.record(
        checkedString((key) => labelKey.test(key) && key.split("/").pop()!.length <= 63 && key.length <= 253 + 1 + 63 ? undefined : "is not a Kubernetes label key"),
        z.string({ error: (issue) => `expected a label value (text), got ${show(issue.input)}` })
            .pipe(checkedString((value) => labelValue.test(value) && value.length <= 63 ? undefined : "is not a Kubernetes label value (at most 63 letters, digits, '-', '_', '.')")),
    );
}

// ---------------------------------------------------------------- sections

export const clusterSchema = strictObject({
    distribution: oneOf(distributions).default("k3s").describe("k3s | generic: K3s defaults (local-path, traefik) or none"),
    storageClass: dnsSubdomain().optional().describe("StorageClass of every PVC; default local-path on K3s, the cluster default otherwise"),
    ingressClass: dnsSubdomain().optional().describe("IngressClass for Coder; default traefik on K3s, nginx otherwise"),
    domain: dnsSubdomain().optional().describe("Base DNS domain of the environment"),
    apiServerUrl: url().default("https://kubernetes.default.svc").describe("Platform stacks: the Kubernetes API server URL written into each team's deployer kubeconfig (as the team's CI reaches it)"),
    podCidr: cidr().default("10.42.0.0/16").describe("Pod network: sandboxes may reach the internet but never this"),
    serviceCidr: cidr().default("10.43.0.0/16").describe("Service network: sandboxes may reach the internet but never this"),
    nodeCidrs: cidrList().default([...defaultNodeCidrs]).describe("Where the nodes live (IPv4 and IPv6): sandboxes never reach these (kubelets, host services)"),
    maxNodes: wholeNumber(1, 5000).default(10).describe("Upper bound on nodes, for the quota headroom of per-node pre-pull pods"),
    helm: oneOf(helmModes).default("pulumi").describe("pulumi | helm-controller: Pulumi Helm releases or K3s HelmChart objects"),
}).transform((cluster) => ({
    ...cluster,
    storageClass: cluster.storageClass ?? (cluster.distribution === "k3s" ? "local-path" : undefined),
    ingressClass: cluster.ingressClass ?? (cluster.distribution === "k3s" ? "traefik" : "nginx"),
}));

const postgresSchema = keyRules(strictObject({
    mode: oneOf(postgresModes).default("cloudnative-pg").describe("cloudnative-pg | bitnami | external"),
    storage: quantity("bytes").default("10Gi").describe("Database volume size"),
    connectionUrlSecret: strictObject({
        name: dnsSubdomain().describe("Secret in the Coder namespace"),
        key: checkedString((key) => isConfigMapKey(key) ? undefined : "is not a Secret data key (letters, digits, '-', '_', '.')").describe("Key holding the postgres:// URL"),
    }).optional().describe("mode external: the Secret holding the database URL"),
}), (postgres) => {
    const issues: RuleIssue[] = [];
    if (postgres.mode === "external" && postgres.connectionUrlSecret === undefined && known(postgres, "connectionUrlSecret")) {
        issues.push({ path: ["connectionUrlSecret"], message: "is required when coder.postgres.mode is external: { name: <secret>, key: <key holding the postgres:// URL> }" });
    }
    if (postgres.mode !== undefined && postgres.mode !== "external" && postgres.connectionUrlSecret !== undefined) {
        issues.push({ path: ["connectionUrlSecret"], message: `only applies to mode external, not ${postgres.mode}` });
    }
    return issues;
});

export const coderSchema = keyRules(strictObject({
    enabled: flag().default(false).describe("Deploy the Coder control plane"),
    namespace: dnsLabel().default("coder").describe("Namespace of Coder and its database"),
    chartVersion: checkedString((text) => isExactSemver(text) ? undefined : "is not an exact chart version (semver such as 2.33.6; ranges are not pins)")
        .meta({ pattern: "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$" }).default(versions.coderChart.version).describe("Coder Helm chart version, exact"),
    accessUrl: url().optional().describe("Coder's external URL; required when enabled"),
    wildcardAccessUrl: checkedString((text) => /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$/.test(text) ? undefined : "must look like *.coder.example.com")
        .optional().describe("Wildcard host for workspace apps, like *.coder.example.com"),
    postgres: postgresSchema.prefault({}).describe("Coder's database"),
}), (coder) => coder.enabled === true && coder.accessUrl === undefined && known(coder, "accessUrl")
    ? [{ path: ["accessUrl"], message: "is required when coder.enabled is true" }] : []);

const enabledOnly = (what: string) => strictObject({ enabled: flag().default(false).describe(`Install ${what}`) });

export const runtimesSchema = strictObject({
    sysbox: enabledOnly("Sysbox (sysbox-deploy-k8s)").prefault({}),
    kata: keyRules(strictObject({
        enabled: flag().default(false).describe("Install Kata Containers (kata-deploy)"),
        shims: z.array(oneOf(kataShims as unknown as [KataShim, ...KataShim[]]), { error: (issue) => `expected a list of shims, got ${show(issue.input)}` })
            .default(["qemu-runtime-rs"]).describe("Kata shims; the first is the sandboxes' RuntimeClass"),
    }), (kata) => kata.enabled === true && Array.isArray(kata.shims) && kata.shims.length === 0
        ? [{ path: ["shims"], message: `needs at least one shim when kata is enabled; accepted: ${kataShims.join(" | ")}` }] : []).prefault({}),
    gvisor: enabledOnly("the gVisor RuntimeClass").prefault({}),
});

export const gpuSchema = strictObject({
    enabled: flag().default(false).describe("Install the NVIDIA device plugin"),
    timeSlicingReplicas: wholeNumber(1, 64).default(1).describe("Sandboxes sharing one GPU"),
});

export const devicesSchema = strictObject({
    fuse: flag().default(false).describe("Offer /dev/fuse to sandboxes"),
    tun: flag().default(false).describe("Offer /dev/net/tun to sandboxes"),
});

/** How a binding of the admission policies acts on a refused object (validationActions). */
export const admissionActions = ["warn", "audit", "deny"] as const;
export type AdmissionAction = typeof admissionActions[number];

export const admissionSchema = strictObject({
    enabled: flag().default(true).describe("Render the ValidatingAdmissionPolicies that enforce the pack's pod rules in the cluster (Kubernetes 1.30+)"),
    action: oneOf(admissionActions).default("warn").describe("warn (Warn+Audit) | audit (Audit) | deny (Deny+Audit), in sandbox namespaces and coder-workspaces"),
    kubeSystemAction: oneOf(admissionActions).default("warn").describe("The same for kube-system (privileged pods only); deny refuses Helm-installed privileged pods such as kata-deploy"),
});

export const vaultSchema = keyRules(strictObject({
    enabled: flag().default(false).describe("Create the Vault SSH CA"),
    sshMount: checkedString(vaultMountProblem).default("ssh-client-signer").describe("Mount path of the SSH secrets engine"),
    certTtl: duration().default("8h").describe("Certificate TTL: 8h, 1h30m, 2d or seconds"),
    certMaxTtl: duration().default("24h").describe("Longest certificate TTL"),
    address: url().optional().describe("Vault's address as Boundary's workers reach it; defaults to the provider's"),
}), (vault) => {
    const ttl = vault.certTtl === undefined ? undefined : parseDuration(vault.certTtl);
    const max = vault.certMaxTtl === undefined ? undefined : parseDuration(vault.certMaxTtl);
    return ttl !== undefined && max !== undefined && Math.trunc(ttl) > Math.trunc(max)
        ? [{ path: ["certTtl"], message: `${show(String(vault.certTtl))} is longer than vault.certMaxTtl (${vault.certMaxTtl}); a certificate's TTL must not exceed the maximum` }] : [];
}).transform((vault) => ({
    ...vault,
    certTtl: String(vault.certTtl),
    certMaxTtl: String(vault.certMaxTtl),
    certTtlSeconds: Math.trunc(parseDuration(vault.certTtl)!),
    certMaxTtlSeconds: Math.trunc(parseDuration(vault.certMaxTtl)!),
}));

export const boundarySchema = strictObject({
    enabled: flag().default(false).describe("Create Boundary scopes, hosts and targets"),
    edition: oneOf(boundaryEditions).default("community").describe("community | enterprise | hcp"),
    address: url().optional().describe("Boundary's API address; else BOUNDARY_ADDR at deploy time"),
    orgName: z.string().min(1).max(128).default("sandboxes").describe("Name of the Boundary org scope"),
    sessionMaxSeconds: wholeNumber(60, 7 * 86400).default(28800).describe("Longest session, in seconds"),
    authMethodId: checkedString((text) => /^am[a-z]*_[0-9A-Za-z]{10}$/.test(text) ? undefined : "is not a Boundary auth method ID (like ampw_1234567890)")
        .optional().describe("Password auth method the provider logs in with (with the secret boundaryPassword)"),
    loginName: z.string().min(1).optional().describe("Login name for the password auth method"),
});

/** kubernetes-sigs/agent-sandbox: the controller and its CRDs, installed by the platform stack (docs/agent-sandbox.md). */
export const agentSandboxSchema = strictObject({
    enabled: flag().default(false).describe("Install the agent-sandbox controller and CRDs (pinned in components/versions.ts); needed by teams with backend: agent-sandbox"),
});

export const networkSchema = strictObject({
    egressInternet: flag().default(true).describe("Sandboxes may reach the internet (never the cluster networks)"),
    accessFrom: strictObject({
        namespace: dnsLabel().default("boundary").describe("Namespace of the only pods that may reach sandboxes (Boundary workers), selected by kubernetes.io/metadata.name"),
        create: flag().default(true).describe("Create that namespace (true), or require that it already exists (false)"),
        podLabels: labels().default({}).describe("Pods (within that namespace) allowed to reach sandboxes' SSH"),
        proxyPort: port().default(9202).describe("The Boundary worker's proxy listener port, which clients connect to (Boundary's default 9202)"),
        clientCidrs: cidrList().min(1).default(["0.0.0.0/0", "::/0"]).describe("Where clients reach the worker's proxy port from (pod and Service ranges are always excepted)"),
        upstream: strictObject({
            cidrs: cidrList().min(1).optional().describe("Addresses of the worker's upstream (controllers, an upstream worker or HCP Boundary); default: every public address, never a private one"),
            ports: z.array(port()).min(1).default([9201, 9202]).describe("Upstream ports: a controller's cluster listener (9201), an upstream worker's proxy listener (9202)"),
        }).prefault({}).describe("Where the Boundary worker connects to (its initial_upstreams / HCP cluster)"),
    }).prefault({}).describe("The only pods that may reach sandboxes: a namespace the platform owns"),
    apiServer: strictObject({
        cidrs: cidrList().optional().describe("API server endpoints (after Service translation); default cluster.nodeCidrs"),
        port: port().optional().describe("API server port; default 6443 on K3s, 443 otherwise"),
    }).prefault({}).describe("Where the Kubernetes API server's endpoints are"),
    ingressController: strictObject({
        namespace: dnsLabel().optional().describe("Namespace of the ingress controller; default kube-system on K3s, ingress-nginx otherwise"),
        podLabels: labels().optional().describe("Labels of the ingress controller's pods"),
    }).prefault({}).describe("The ingress controller's pods, the only in-cluster clients of coderd besides workspaces"),
});

/** Network defaults that depend on the cluster section (K3s serves the API on every server node's IP, port 6443). */
export function resolveNetwork(network: z.output<typeof networkSchema>, cluster: z.output<typeof clusterSchema>) {
    const k3s = cluster.distribution === "k3s";
    return {
        egressInternet: network.egressInternet,
        accessFrom: network.accessFrom,
        apiServer: { cidrs: network.apiServer.cidrs ?? cluster.nodeCidrs, port: network.apiServer.port ?? (k3s ? 6443 : 443) },
        ingressController: {
            namespace: network.ingressController.namespace ?? (k3s ? "kube-system" : "ingress-nginx"),
            podLabels: network.ingressController.podLabels ?? { "app.kubernetes.io/name": k3s ? "traefik" : "ingress-nginx" },
        },
    };
}

const defaultResources = { cpu: "2", memory: "4Gi", disk: "20Gi", dockerCache: "30Gi" };
const resourcesShape = {
    cpu: quantity("cpu").describe("CPU (cores or millicores)"),
    memory: quantity("bytes").describe("Memory"),
    disk: quantity("bytes").describe("Home volume size"),
    dockerCache: quantity("bytes").describe("Docker cache volume size"),
};
const partialResources = strictObject({
    cpu: resourcesShape.cpu.optional(), memory: resourcesShape.memory.optional(),
    disk: resourcesShape.disk.optional(), dockerCache: resourcesShape.dockerCache.optional(),
});

/** A git clone URL: https://, http://, ssh://, git://, file:// or scp-like user@host:path. */
export function gitUrl() {
    return checkedString((text) => {
        if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/.test(text)) {
            return undefined;
        }
        try {
            const parsed = new URL(text);
            return ["https:", "http:", "ssh:", "git:", "file:"].includes(parsed.protocol) && !/\s/.test(text) ? undefined
                : "must be an https://, ssh://, git://, file:// or user@host:path clone URL";
        } catch {
            return "is not a git clone URL (https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git)";
        }
    });
}

const repoSchema = strictObject({
    url: gitUrl().describe("Clone URL; cloned into the workspace on first start only"),
    ref: z.string().regex(/^[^\s~^:?*[\\]+$/, { error: (issue) => `${show(issue.input)} is not a branch, tag or commit name` }).optional()
        .describe("Branch, tag or commit; the default branch when absent"),
    secret: dnsSubdomain().optional().describe("Secret in the team namespace: ssh-privatekey (+ known_hosts) for a deploy key, or username/password or token"),
}).describe("Repository the sandbox is built from");

// ---------------------------------------------------------------- workspace settings (issue 29)

/** POSIX shell names: what the start-up script, sshd's ~/.ssh/environment and a shell can all carry. */
export const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Names the platform sets itself: envbox's and Coder's agent variables (CODER_*), the
 * start-up script's settings (SANDBOX_*), envbuilder's (ENVBUILDER_*), what sshd and
 * login set for every session, the dynamic loader's, and envbox's bootstrap exec variable.
 */
export const reservedEnvPrefixes = ["CODER_", "SANDBOX_", "ENVBUILDER_", "LD_"] as const;
export const reservedEnvNames = ["HOME", "USER", "LOGNAME", "SHELL", "PATH", "PWD", "MAIL", "SSH_AUTH_SOCK", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "BINARY_DIR"] as const;

/** Why a workspace variable name is refused, or undefined. */
export function envNameProblem(name: string): string | undefined {
    if (!envNamePattern.test(name) || name.length > 128) {
        return "is not an environment variable name: letters, digits and '_', not starting with a digit, at most 128 characters";
    }
    const prefix = reservedEnvPrefixes.find((p) => name.toUpperCase().startsWith(p));
    if (prefix) {
        return `is set by the platform (names starting with ${prefix} belong to ${prefix === "CODER_" ? "envbox and Coder's agent" : prefix === "SANDBOX_" ? "the start-up script" : prefix === "ENVBUILDER_" ? "envbuilder" : "the dynamic loader"}); choose another name`;
    }
    if ((reservedEnvNames as readonly string[]).includes(name)) {
        return `is set by the platform or by sshd for every session; reserved: ${reservedEnvNames.join(", ")}`;
    }
    return undefined;
}

/** A map keyed by workspace variable names; each refused name is reported at its own key. */
function envRecord<V extends z.ZodType>(value: V, error: string) {
    return z.record(z.string(), value, { error: (issue) => `${error}, got ${show(issue.input)}` }).superRefine((map, ctx) => {
        for (const name of Object.keys(map)) {
            const problem = envNameProblem(name);
            if (problem !== undefined) {
                ctx.addIssue({ code: "custom", path: [name], message: `${show(name)} ${problem}`, input: name });
            }
        }
    }).meta({ propertyNames: { pattern: envNamePattern.source, maxLength: 128 } });
}

/** Plain workspace variables: single-line text (numbers and booleans are taken as their text). */
const envMap = envRecord(z.union([z.string(), z.number().transform(String), z.boolean().transform(String)], {
    error: (issue) => `expected a text value, got ${show(issue.input)}`,
}).pipe(checkedString((value) => /[\n\r\0]/.test(value) ? "spans lines; plain workspace variables are single-line (sshd's ~/.ssh/environment carries one per line)" : undefined)),
"expected { NAME: value }")
    .describe("Plain environment variables of the workspace (name: value); never secrets: they are in the render");
/** Secret workspace variables: a key of a Secret in the team's namespace. */
const secretEnvMap = envRecord(strictObject({
    secret: dnsSubdomain().describe("Secret in the team namespace"),
    key: checkedString((key) => isConfigMapKey(key) ? undefined : "is not a Secret data key (letters, digits, '-', '_', '.')").describe("Key of that Secret"),
}), "expected { NAME: { secret, key } }")
    .describe("Secret environment variables (name: { secret, key }); the value never appears in the render");

/** Egress presets for coding agents: published provider ranges (components/cluster/egress-presets.ts). */
export { egressPresetNames } from "../cluster/egress-presets";

const developerName = dnsLabel(maxDeveloperNameLength).describe("Developer name (a DNS label, at most 40 characters)");
const developerObject = strictObject({
    name: developerName,
    gpu: wholeNumber(0, 16).default(0).describe("GPUs for this developer's sandbox (needs gpu.enabled)"),
    image: image().optional().describe("Inner image; defaults to the team's"),
    suspended: flag().default(false).describe("Scale the sandbox to zero, keeping its volumes"),
    resources: partialResources.optional().describe("Overrides of the team's resources"),
    repo: repoSchema.optional().describe("This developer's repository; defaults to the team's"),
    workspace: oneOf(workspaceModes).optional().describe("image | devcontainer | envbuilder; defaults to the team's"),
    env: envMap.optional(),
    secretEnv: secretEnvMap.optional(),
});

type SecretRef = { secret: string; key: string };
interface SettingsLevel { env?: Record<string, string>; secretEnv?: Record<string, SecretRef> }

/**
 * A developer's variables over the team's, by name: a developer's entry replaces the
 * team's of the same name, plain or secret.
 */
function mergeWorkspaceSettings(team: Required<SettingsLevel>, developer: SettingsLevel): Required<SettingsLevel> {
    const names = new Set([...Object.keys(developer.env ?? {}), ...Object.keys(developer.secretEnv ?? {})]);
    const keep = <T>(map: Record<string, T>) => Object.fromEntries(Object.entries(map).filter(([name]) => !names.has(name)));
    return {
        env: { ...keep(team.env), ...developer.env },
        secretEnv: { ...keep(team.secretEnv), ...developer.secretEnv },
    };
}

/**
 * Checks of env and secretEnv across a team: one name is either plain or secret, and a
 * Secret a developer names is that developer's alone. A sandbox mounts exactly the Secrets
 * its own config names, so a developer's Secret stays out of a teammate's sandbox only when
 * nothing that reaches another sandbox names it too: the team's secretEnv, repo.secret or
 * imagePullSecret (in every sandbox), another developer's secretEnv or repo.secret.
 */
function workspaceSettingsIssues(team: {
    name: string; secretEnv: Record<string, SecretRef>; env: Record<string, string>; repo?: { secret?: string }; imagePullSecret?: string;
    developers: (string | { name: string; env?: Record<string, string>; secretEnv?: Record<string, SecretRef>; repo?: { secret?: string } })[];
}): { path: (string | number)[]; message: string }[] {
    const issues: { path: (string | number)[]; message: string }[] = [];
    const both = (level: SettingsLevel, at: (string | number)[]) => Object.keys(level.secretEnv ?? {})
        .filter((name) => Object.prototype.hasOwnProperty.call(level.env ?? {}, name))
        .forEach((name) => issues.push({ path: [...at, "secretEnv", name], message: `${name} is also in env at the same level; a variable is either plain (env) or secret (secretEnv)` }));
    both(team, []);
    const developers = team.developers.map((entry, i) => ({ i, entry: typeof entry === "string" ? { name: entry } as Exclude<typeof entry, string> : entry }));
    developers.forEach(({ i, entry }) => both(entry, ["developers", i]));
    /** Who else names each Secret: every sandbox (team level) or one developer's. */
    const users = new Map<string, string[]>();
    const use = (secret: string | undefined, who: string) => {
        if (secret !== undefined) {
            users.set(secret, [...(users.get(secret) ?? []), who]);
        }
    };
    Object.values(team.secretEnv).forEach((ref) => use(ref.secret, "the team's secretEnv (every sandbox)"));
    use(team.imagePullSecret, "the team's imagePullSecret (every sandbox)");
    developers.forEach(({ entry }) => use(entry.repo?.secret ?? team.repo?.secret, entry.repo?.secret ? `developer ${entry.name}'s repo.secret` : `the team's repo.secret (developer ${entry.name}'s sandbox)`));
    developers.forEach(({ entry }) => new Set(Object.values(entry.secretEnv ?? {}).map((ref) => ref.secret)).forEach((secret) => use(secret, `developer ${entry.name}'s secretEnv`)));
    developers.forEach(({ i, entry }) => Object.entries(entry.secretEnv ?? {}).forEach(([name, ref]) => {
        const own = new Set([`developer ${entry.name}'s secretEnv`, `developer ${entry.name}'s repo.secret`, `the team's repo.secret (developer ${entry.name}'s sandbox)`]);
        const others = [...new Set((users.get(ref.secret) ?? []).filter((who) => !own.has(who)))];
        if (others.length > 0) {
            issues.push({
                path: ["developers", i, "secretEnv", name, "secret"],
                message: `${show(ref.secret)} is also named by ${others.join(", ")}, so it reaches a teammate's sandbox; give developer ${entry.name} a Secret of their own (for example ${show(`${entry.name}-${team.name}-env`)})`,
            });
        }
    }));
    return issues;
}

const teamFields = strictObject({
    name: dns1035(maxTeamNameLength).describe("Team name: DNS-1035 label, at most 20 characters, unique"),
    runtime: oneOf(sandboxRuntimes).default("envbox").describe("envbox | sysbox | kata (sysbox/kata must be enabled under runtimes)"),
    allocation: oneOf(allocations).default("dedicated").describe("dedicated (one sandbox per developer) | pool (a warm pool) | ephemeral (any free member, no persistent home)"),
    backend: oneOf(sandboxBackends).default("deployment").describe("deployment (the platform's own Deployments) | agent-sandbox (kubernetes-sigs/agent-sandbox Sandbox, SandboxTemplate, SandboxWarmPool, SandboxClaim; needs agentSandbox.enabled)"),
    shutdownTime: dateTime().optional().describe("ephemeral teams on backend agent-sandbox: every member stops at this time (claims kept, sandboxes deleted); move or remove it to start them again"),
    poolSize: wholeNumber(0, 500).default(0).describe("Pool members when allocation is pool or ephemeral"),
    idleTtl: duration().default("30m").describe("ephemeral: restart a member clean once its last session has been gone this long"),
    workspace: oneOf(workspaceModes).default("image").describe("image (the image as is) | devcontainer (the repo's devcontainer via the devcontainer CLI) | envbuilder (an image built from the repo's devcontainer.json)"),
    repo: repoSchema.optional(),
    devcontainerImages: z.array(image()).default([]).describe("Devcontainer base images the pre-pull DaemonSet pulls on every node"),
    envbuilder: strictObject({
        cacheRepo: z.string().regex(/^[a-z0-9]+([._\-/:a-z0-9]*[a-z0-9])?$/, { error: (issue) => `${show(issue.input)} is not a registry repository such as registry.example.com/cache/envbuilder` }).optional()
            .describe("Registry repository for envbuilder's layer cache (ENVBUILDER_CACHE_REPO)"),
        fallbackImage: image().optional().describe("Image when the repository has no devcontainer.json or its build fails (ENVBUILDER_FALLBACK_IMAGE)"),
    }).default({}).describe("envbuilder settings (workspace: envbuilder)"),
    image: image().default(versions.defaultWorkspaceImage).describe("Inner (workspace) image, pinned"),
    imagePullSecret: dnsSubdomain().optional().describe("docker-registry Secret in the team namespace for private inner images"),
    resources: partialResources.default({}).describe("Each sandbox's resources"),
    egress: z.array(strictObject({
        cidr: z.string().describe("Destination CIDR (IPv4 or IPv6), zero host bits; never cluster, link-local or metadata ranges"),
        ports: z.array(z.union([port(), strictObject({
            port: port().describe("Port, or first port of a range"),
            endPort: port().optional().describe("Last port of a range"),
            protocol: oneOf(["TCP", "UDP", "SCTP"] as const).default("TCP"),
        })], { error: (issue) => `expected a port or { port, endPort, protocol }, got ${show(issue.input)}` })).default([]).describe("Ports; all ports when empty"),
    }), { error: (issue) => `expected a list of { cidr, ports }, got ${show(issue.input)}` }).default([]).describe("Extra egress beyond the internet (e.g. a private registry)"),
    capacity: strictObject({
        sandboxes: wholeNumber(1, 5000).describe("The most sandboxes (developers, or pool members) the team's stack may run"),
        gpus: wholeNumber(0, 1000).default(0).describe("The most GPUs the team's sandboxes may request in all"),
        images: wholeNumber(1, 50).default(1).describe("The most distinct workspace images the team's sandboxes use (each is pre-pulled on every node)"),
    }).optional().describe("Platform stacks only: what the team's own stack may run; sizes the team's quota (an all-in-one or team stack sizes it from the roster)"),
    egressPresets: z.array(oneOf(egressPresetNames)).default([]).describe("Named egress allowlists added to egress (anthropic: the Claude API's published addresses, HTTPS)"),
    egressInternet: flag().optional().describe("This team's sandboxes may reach the internet; default network.egressInternet (false: only egress, egressPresets and DNS)"),
    env: envMap.default({}),
    secretEnv: secretEnvMap.default({}),
    developers: z.array(z.union([developerName, developerObject], {
        error: (issue) => `expected a developer name or { name, gpu, image, suspended, resources }, got ${show(issue.input)}`,
    }), { error: (issue) => `expected a list, got ${show(issue.input)}` }).default([]).describe("Developers: names or objects"),
});

export const teamSchema = keyRules(teamFields, teamRules).transform((team) => {
    const resources = { ...defaultResources, ...team.resources };
    return {
        ...team,
        egress: [
            ...team.egress.map((rule) => ({
                cidr: rule.cidr,
                ports: rule.ports.map((entry) => typeof entry === "number" ? { protocol: "TCP" as const, port: entry } : entry),
            })),
            ...egressPresetRules(team.egressPresets),
        ],
        resources,
        developers: team.developers.map((entry) => {
            const developer = typeof entry === "string" ? { name: entry, gpu: 0, suspended: false } : entry;
            return {
                repo: ("repo" in developer ? developer.repo : undefined) ?? team.repo,
                workspace: ("workspace" in developer ? developer.workspace : undefined) ?? team.workspace,
                name: developer.name,
                gpu: developer.gpu,
                image: ("image" in developer ? developer.image : undefined) ?? team.image,
                suspended: developer.suspended,
                resources: { ...resources, ...("resources" in developer ? developer.resources : undefined) },
                ...mergeWorkspaceSettings(team, developer as SettingsLevel),
            };
        }),
    };
});

type TeamFields = z.output<typeof teamFields>;
type DeveloperEntry = TeamFields["developers"][number];

/**
 * Rules across a team's keys. On a team that did not parse, unknown fields are absent (or
 * partial: a list with undefined entries, an object with unknown fields), so every rule
 * checks that what it reads is there (salvage.ts).
 */
function teamRules(team: Partial<TeamFields>): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const { allocation, poolSize, workspace, runtime } = team;
    const developers: (DeveloperEntry | undefined)[] | undefined = Array.isArray(team.developers) ? team.developers : undefined;
    const teamHasNoRepo = team.repo === undefined && known(team, "repo");
    const noRepo = (entry: DeveloperEntry | undefined) => entry !== undefined && (typeof entry === "string" || (entry.repo === undefined && known(entry, "repo")));
    if (allocation !== undefined && allocation !== "dedicated" && typeof poolSize === "number" && poolSize < 1) {
        issues.push({ path: ["poolSize"], message: `allocation: ${allocation} needs poolSize of at least 1, got ${poolSize}` });
    }
    if (workspace !== undefined && workspace !== "image" && teamHasNoRepo && developers !== undefined && known(team, "developers") && developers.every(noRepo)) {
        issues.push({ path: ["workspace"], message: `workspace: ${workspace} builds from a repository: set repo: { url } on team ${team.name ?? "(unnamed)"} or its developers` });
    }
    if (workspace === "envbuilder" && runtime === "envbox") {
        issues.push({ path: ["workspace"], message: "envbuilder runs as a sysbox or kata pod: envbox's inner image needs sleep and getent (coder/envbox dockerutil GetImageMetadata), envbuilder's image is FROM scratch; use runtime sysbox or kata, or workspace: devcontainer" });
    }
    if (allocation === "dedicated" && typeof poolSize === "number" && poolSize > 0) {
        issues.push({ path: ["poolSize"], message: `only applies to allocation: pool; team ${team.name ?? "(unnamed)"} is dedicated` });
    }
    if (team.shutdownTime !== undefined && allocation !== undefined && team.backend !== undefined && (allocation !== "ephemeral" || team.backend !== "agent-sandbox")) {
        issues.push({ path: ["shutdownTime"], message: `is the agent-sandbox controller's claim expiry: it needs allocation: ephemeral and backend: agent-sandbox; team ${team.name ?? "(unnamed)"} has allocation: ${allocation}, backend: ${team.backend} (persistent sandboxes are stopped with suspended: true)` });
    }
    const seen = new Map<string, number>();
    (developers ?? []).forEach((entry, i) => {
        if (entry === undefined) {
            return;
        }
        const name = typeof entry === "string" ? entry : entry.name;
        const at: (string | number)[] = typeof entry === "string" ? ["developers", i] : ["developers", i, "name"];
        if (typeof name === "string") {
            if (seen.has(name)) {
                issues.push({ path: at, message: `duplicate developer ${show(name)} (also developers[${seen.get(name)}])` });
            }
            seen.set(name, i);
        }
        if (typeof entry === "string") {
            return;
        }
        if (allocation !== undefined && allocation !== "dedicated" && (entry.gpu > 0 || entry.image !== undefined || entry.resources !== undefined || entry.repo !== undefined || entry.workspace !== undefined)) {
            issues.push({ path: ["developers", i], message: "pool members are identical: gpu, image, resources, repo and workspace can only be set on the team" });
        }
        if (allocation !== undefined && allocation !== "dedicated" && (entry.env !== undefined || entry.secretEnv !== undefined)) {
            // A pool member serves whichever developer is assigned: a developer's variables would reach a teammate.
            issues.push({ path: ["developers", i, entry.secretEnv !== undefined ? "secretEnv" : "env"], message: `pool members serve any developer of team ${team.name ?? "(unnamed)"}: env and secretEnv can only be set on the team` });
        }
        if (entry.workspace === "envbuilder" && runtime === "envbox") {
            issues.push({ path: ["developers", i, "workspace"], message: "envbuilder runs as a sysbox or kata pod (envbox's inner image needs sleep and getent); this team's runtime is envbox" });
        }
        if (entry.workspace !== undefined && entry.workspace !== "image" && noRepo(entry) && teamHasNoRepo) {
            issues.push({ path: ["developers", i, "workspace"], message: `workspace: ${entry.workspace} builds from a repository: set repo: { url } on the developer or the team` });
        }
        if (entry.gpu > 0 && runtime !== undefined && runtime !== "envbox") {
            issues.push({ path: ["developers", i, "gpu"], message: `GPUs are passed only into envbox sandboxes; this team's runtime is ${runtime}` });
        }
    });
    // Who else names a developer's Secret needs the whole team: only when every part of it parsed.
    if (typeof team.name === "string" && team.env !== undefined && team.secretEnv !== undefined && developers !== undefined && developers.every((entry) => entry !== undefined)) {
        issues.push(...workspaceSettingsIssues(team as Parameters<typeof workspaceSettingsIssues>[0]));
    }
    if (allocation === "pool" && typeof poolSize === "number" && poolSize >= 1 && developers !== undefined && developers.length > poolSize) {
        issues.push({ path: ["developers"], message: `team ${team.name ?? "(unnamed)"} has ${developers.length} developers but poolSize ${poolSize}; raise poolSize or move developers` });
    }
    return issues;
}

/** A stack secret: a non-empty string (the offline render sees "[secret]"). */
const secret = z.string({ error: (issue) => `expected a secret string (pulumi config set --secret ...), got ${show(issue.input)}; a misspelt "secure:" is not a secret` })
    .min(1, { error: "is an empty secret; set it with pulumi config set --secret or leave it out" });

/** Every top-level key, in the order errors are reported. */
export const platformSections = {
    environment: dnsLabel().describe("Environment name (a DNS label); required"),
    stack: oneOf(stackKinds).default("all-in-one").describe("all-in-one (a whole environment in one stack) | platform (an environment's shared services, team namespaces and team identities) | team (one team's sandboxes and access, on a platform stack)"),
    platformStack: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/, { error: (issue) => `${show(issue.input)} is not a stack name (<stack>, <project>/<stack> or <org>/<project>/<stack>)` })
        .optional().describe("Team stacks: the platform stack they read (a StackReference name); default: the environment's name"),
    cluster: clusterSchema.prefault({}).describe("Kubernetes distribution, classes, networks"),
    coder: coderSchema.prefault({}).describe("Coder control plane"),
    runtimes: runtimesSchema.prefault({}).describe("Sandbox runtimes to install"),
    gpu: gpuSchema.prefault({}).describe("NVIDIA GPUs"),
    devices: devicesSchema.prefault({}).describe("FUSE and TUN devices"),
    vault: vaultSchema.prefault({}).describe("Vault SSH certificate authority"),
    boundary: boundarySchema.prefault({}).describe("Boundary access"),
    network: networkSchema.prefault({}).describe("Sandbox network access"),
    admission: admissionSchema.prefault({}).describe("In-cluster admission policies (ValidatingAdmissionPolicy)"),
    agentSandbox: agentSandboxSchema.prefault({}).describe("kubernetes-sigs/agent-sandbox controller"),
    teams: z.array(teamSchema, { error: (issue) => `expected a list, got ${show(issue.input)}` }).default([]).describe("Teams and their developers"),
};

/** Stack secrets (set with `pulumi config set --secret`); never decrypted by the offline render. */
export const secretSections = {
    boundaryToken: secret.optional().describe("Boundary token for the provider (secret)"),
    boundaryPassword: secret.optional().describe("Password for boundary.loginName (secret)"),
    boundaryVaultToken: secret.optional().describe("Team stacks, Boundary enterprise/hcp: the Vault token of the team's Boundary credential store, from the platform stack's teamCredentials output (secret)"),
};

/** The sections as the schema parses them; `PlatformConfig` is this after cross-section defaults (load.ts). */
export const platformConfigSchema = strictObject(platformSections);
export const stackConfigSchema = strictObject({ ...platformSections, ...secretSections });

export type PlatformConfigOutput = z.output<typeof platformConfigSchema>;
