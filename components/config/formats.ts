// Value formats as the systems that receive them define them. Each pattern names its
// upstream source; docs/upstream.md records them with the tests that encode them.

import { parseQuantity } from "./quantity";

/** DNS-1123 label (k8s.io/apimachinery validation.IsDNS1123Label): namespaces, most object names. */
export const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1035 label (validation.IsDNS1035Label): Service names, which must start with a letter. */
export const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain (validation.IsDNS1123Subdomain): StorageClass, IngressClass, Secret names. */
export const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const maxLabelLength = 63;
export const maxSubdomainLength = 253;

export function isDnsLabel(text: string, maxLength = maxLabelLength): boolean {
    return text.length <= maxLength && dns1123Label.test(text);
}

export function isDnsSubdomain(text: string): boolean {
    return text.length <= maxSubdomainLength && dns1123Subdomain.test(text);
}

/** Secret/ConfigMap data keys (validation.IsConfigMapKey). */
export function isConfigMapKey(text: string): boolean {
    return text.length <= maxSubdomainLength && /^[-._a-zA-Z0-9]+$/.test(text) && text !== "." && text !== ".." && !text.startsWith("..");
}

// Image references: the grammar of distribution/reference (reference.go, regexp.go).
const alphaNumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const pathComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = "\\[(?:[a-fA-F0-9:]+)\\]";
const domain = `(?:${domainName}|${ipv6})(?::[0-9]+)?`;
const tag = "[\\w][\\w.-]{0,127}";
const digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const referencePattern = new RegExp(`^((?:${domain}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tag}))?(?:@(${digest}))?$`);
/** distribution/reference NameTotalLengthMax. */
const maxImageNameLength = 255;

export interface ImageReference { name: string; tag?: string; digest?: string }

/** An image reference as docker/containerd parse it, or undefined. */
export function parseImageReference(text: string): ImageReference | undefined {
    const match = referencePattern.exec(text);
    if (!match || match[1].length > maxImageNameLength) {
        return undefined;
    }
    return { name: match[1], tag: match[2], digest: match[3] };
}

// Semantic Versioning 2.0.0 (semver.org, the recommended regular expression): Helm
// treats anything else as a constraint (a range), which is not a pin.
const semverPattern = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isExactSemver(text: string): boolean {
    return text.length <= 256 && semverPattern.test(text);
}

/** An IPv4 CIDR in canonical form (no host bits set, no leading zeros), or undefined. */
export function parseIpv4Cidr(text: string): { address: number; prefix: number } | undefined {
    const match = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\/(0|[1-9][0-9]?)$/.exec(text);
    if (!match) {
        return undefined;
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((octet) => octet > 255) || prefix > 32) {
        return undefined;
    }
    const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const hostMask = prefix === 32 ? 0 : (2 ** (32 - prefix)) - 1;
    if ((address & hostMask) >>> 0 !== 0) {
        return undefined;
    }
    return { address, prefix };
}

/**
 * Vault refuses to mount under these paths (hashicorp/vault vault/mount.go protectedMounts:
 * audit/, auth/, sys/, cubbyhole/, identity/); `token` is a singleton auth type.
 */
export const vaultReservedMountPrefixes = ["audit/", "auth/", "sys/", "cubbyhole/", "identity/"] as const;

export function vaultMountProblem(path: string): string | undefined {
    if (!/^[A-Za-z0-9][-A-Za-z0-9_.]*(\/[A-Za-z0-9][-A-Za-z0-9_.]*)*$/.test(path) || path.length > 128) {
        return "is not a Vault mount path (segments of letters, digits, '-', '_', '.', separated by '/', no leading or trailing '/')";
    }
    const withSlash = `${path}/`;
    const reserved = vaultReservedMountPrefixes.find((prefix) => withSlash.startsWith(prefix));
    if (reserved) {
        return `is under ${reserved}, which Vault reserves (reserved prefixes: ${vaultReservedMountPrefixes.join(", ")})`;
    }
    return undefined;
}

/** Upper bounds on quantities: beyond these nothing schedules and numbers stop being exact. */
export const quantityLimits = {
    /** Cores: Kubernetes stores CPU in millicores; no node has more. */
    cpu: { min: 0.001, max: 10_000 },
    /** Bytes: 1 EiB. */
    bytes: { min: 1, max: 2 ** 60 },
} as const;

export function quantityProblem(text: string, kind: keyof typeof quantityLimits): string | undefined {
    const value = parseQuantity(text);
    if (value !== undefined && !Number.isFinite(value)) {
        return "overflows: its exponent makes it infinite; give a quantity such as \"8Gi\" or \"2\"";
    }
    if (value === 0 && /[1-9]/.test(text)) {
        return "underflows to zero: its exponent is too small; give a quantity such as \"500m\"";
    }
    if (value === undefined || value <= 0) {
        return "is not a positive Kubernetes quantity (examples: \"500m\", \"2\", \"8Gi\", \"512Mi\")";
    }
    const { min, max } = quantityLimits[kind];
    if (value < min || value > max) {
        return kind === "cpu"
            ? `is outside the accepted range for CPU (1m to ${max} cores)`
            : `is outside the accepted range for a size (1 byte to 1Ei)`;
    }
    return undefined;
}
