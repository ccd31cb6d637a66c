// CIDR arithmetic for IPv4 and IPv6, enough to check NetworkPolicy ipBlocks: parse,
// contain, overlap. Pure.

export interface Cidr {
    family: 4 | 6;
    /** Network address as an integer (host bits cleared). */
    base: bigint;
    prefix: number;
    text: string;
}

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        return undefined;
    }
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
    if (!/^[0-9a-fA-F:.]+$/.test(text) || (text.match(/::/g) ?? []).length > 1) {
        return undefined;
    }
    let head = text;
    let tailV4: bigint | undefined;
    const lastColon = text.lastIndexOf(":");
    if (text.slice(lastColon + 1).includes(".")) {
        tailV4 = parseIpv4(text.slice(lastColon + 1));
        if (tailV4 === undefined) {
            return undefined;
        }
        head = `${text.slice(0, lastColon + 1)}0:0`;
    }
    const [left, right] = head.includes("::") ? head.split("::") : [head, undefined];
    const leftGroups = left === "" ? [] : left.split(":");
    const rightGroups = right === undefined || right === "" ? [] : right.split(":");
    const missing = 8 - leftGroups.length - rightGroups.length;
    if ((right === undefined && missing !== 0) || (right !== undefined && missing < 1)) {
        return undefined;
    }
    const groups = [...leftGroups, ...Array(right === undefined ? 0 : missing).fill("0"), ...rightGroups];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
        return undefined;
    }
    let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
    if (tailV4 !== undefined) {
        value = (value & ~0xffffffffn) | tailV4;
    }
    return value;
}

/** Parses an address (IPv4 dotted quad or IPv6) into family and integer. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
    const v4 = parseIpv4(text);
    if (v4 !== undefined) {
        return { family: 4, value: v4 };
    }
    const v6 = text.includes(":") ? parseIpv6(text) : undefined;
    return v6 === undefined ? undefined : { family: 6, value: v6 };
}

function bits(family: 4 | 6): number {
    return family === 4 ? 32 : 128;
}

/** Parses `addr/prefix`; undefined when malformed. Host bits must be zero (as Kubernetes validation wants). */
export function parseCidr(text: string): Cidr | undefined {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
    const ip = match ? parseIp(match[1]) : undefined;
    if (!match || !ip) {
        return undefined;
    }
    const prefix = Number(match[2]);
    if (prefix > bits(ip.family)) {
        return undefined;
    }
    const hostBits = BigInt(bits(ip.family) - prefix);
    if ((ip.value & ((1n << hostBits) - 1n)) !== 0n) {
        return undefined;
    }
    return { family: ip.family, base: ip.value, prefix, text };
}

export function mustParseCidr(text: string): Cidr {
    const cidr = parseCidr(text);
    if (!cidr) {
        throw new Error(`${JSON.stringify(text)} is not a CIDR with zero host bits (e.g. 10.0.0.0/8 or fd00::/8)`);
    }
    return cidr;
}

function lastAddress(cidr: Cidr): bigint {
    return cidr.base | ((1n << BigInt(bits(cidr.family) - cidr.prefix)) - 1n);
}

/** Whether `inner` lies entirely inside `outer` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    return outer.family === inner.family && outer.prefix <= inner.prefix && inner.base >= outer.base && lastAddress(inner) <= lastAddress(outer);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    return a.family === b.family && a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

export function ipInCidr(ip: string, cidr: Cidr): boolean {
    const parsed = parseIp(ip);
    return parsed !== undefined && parsed.family === cidr.family && parsed.value >= cidr.base && parsed.value <= lastAddress(cidr);
}

/** The n-th address of a CIDR as text (IPv4 only; used for the first Service IP). */
export function ipv4At(cidr: Cidr, offset: number): string {
    const value = cidr.base + BigInt(offset);
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
}
