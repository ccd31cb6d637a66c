// A Vault ACL evaluator written from hashicorp/vault's own code, used as an oracle for "may
// this token do that". Sources (main branch as stored, read line by line):
//  - vault/policy.go @ 004997b3 parseACLPolicyWithTemplating / parsePaths: a leading "/" is
//    stripped; "+*" is refused; a path is a segment-wildcard path when it is "+", contains
//    "/+" or starts with "+/"; otherwise a trailing "*" is stripped and the rule is a prefix
//    rule; "deny" replaces every other capability; capabilities: create read update delete
//    list sudo patch (and deny); allowed/denied_parameters keys lower-cased; a templated path
//    whose template fails is skipped (`continue`).
//  - vault/acl.go @ 0192881f NewACL: rules for the same path from several policies merge —
//    an existing deny stays, a new deny replaces everything, otherwise capabilities OR
//    together and parameter lists merge (an empty list wins). AllowOperation: exact rule
//    first (LIST also tries the path without its trailing "/"), then
//    CheckAllowedFromNonExactPaths: the longest prefix rule and every matching
//    segment-wildcard rule, ranked by first wildcard position, then non-prefix over prefix,
//    fewer "+" segments, longer path, lexical order — the best one alone decides (no
//    merging across rules). Operations: read→read, list→list, update/revoke/renew→update,
//    create→create, delete→delete, patch→patch. For read/update/create/patch: required
//    parameters, then denied_parameters ("*" denies all), then allowed_parameters ("*"
//    allows the rest; a listed key's value must be in its list; strings match as globs
//    (strutil.GlobbedStringsMatch: "*" prefix/suffix), a comma-separated string must have
//    every element allowed).
//  - sdk/helper/identitytpl/templating.go @ 1bc7e7ce: `{{identity.entity.name}}` and
//    `{{identity.entity.id}}`; no entity, or an empty value, is an error; a result with
//    "*" or "+" is an error.
// Not modelled: namespaces, Sentinel/EGP, control groups, MFA, wrapping TTLs, JSON-pointer
// parameter keys, root (a root token is not what anyone here holds).

export type Capability = "deny" | "create" | "read" | "update" | "delete" | "list" | "sudo" | "patch" | "recover";
export type Operation = "read" | "list" | "update" | "create" | "delete" | "patch" | "revoke" | "renew" | "recover";

interface PathRule {
    path: string;
    capabilities: Set<Capability>;
    isPrefix: boolean;
    hasSegmentWildcards: boolean;
    allowed?: Record<string, unknown[]>;
    denied?: Record<string, unknown[]>;
    required?: string[];
}

export interface Entity { id: string; name: string }

// ---------------------------------------------------------------- policy text

type Value = string | number | boolean | Value[] | { [key: string]: Value } | Array<{ [key: string]: Value }>;

/**
 * The `path` stanzas of a policy, in order (a path may appear twice: NewACL merges them).
 * Reads the HCL subset Vault policies use (labelled blocks, `key = value`, lists, maps,
 * `#` comments) or JSON (`{"path": {"<path>": {...}}}`), both of which hcl.Parse accepts.
 */
export function policyPaths(text: string): [string, { [key: string]: Value }][] {
    const trimmed = text.trim();
    if (trimmed.startsWith("{")) {
        return Object.entries((JSON.parse(trimmed).path ?? {}) as Record<string, { [key: string]: Value }>);
    }
    const found: [string, { [key: string]: Value }][] = [];
    const tokens = tokenize(text);
    let position = 0;
    const peek = () => tokens[position];
    const next = () => tokens[position++];
    const expect = (value: string) => {
        const token = next();
        if (token?.value !== value || token.kind === "string") {
            throw new Error(`HCL: expected ${value}, got ${token?.value}`);
        }
    };
    const parseValue = (): Value => {
        const token = next();
        if (token.kind === "string" || token.kind === "number") {
            return token.kind === "number" ? Number(token.value) : token.value;
        }
        if (token.value === "true" || token.value === "false") {
            return token.value === "true";
        }
        if (token.value === "[") {
            const list: Value[] = [];
            while (peek().value !== "]" || peek().kind === "string") {
                list.push(parseValue());
                if (peek().value === "," && peek().kind !== "string") {
                    next();
                }
            }
            next();
            return list;
        }
        if (token.value === "{") {
            return parseBody("}");
        }
        throw new Error(`HCL: unexpected ${token.value}`);
    };
    const parseBody = (end: string | undefined): { [key: string]: Value } => {
        const body: { [key: string]: any } = {};
        while (position < tokens.length && !(peek().value === end && peek().kind !== "string")) {
            const key = next().value;
            if (peek().value === "=" && peek().kind !== "string") {
                next();
                body[key] = parseValue();
            } else {
                // key "label" { ... }: HCL v1 decodes repeated labelled blocks into a map keyed by label.
                const labels: string[] = [];
                while (peek().kind === "string") {
                    labels.push(next().value);
                }
                expect("{");
                const block = parseBody("}");
                if (end === undefined && key === "path" && labels.length === 1) {
                    found.push([labels[0], block]);
                } else {
                    body[key] = block;
                }
            }
            if (peek()?.value === "," && peek().kind !== "string") {
                next();
            }
        }
        if (end) {
            next();
        }
        return body;
    };
    parseBody(undefined);
    return found;
}

function tokenize(text: string): { kind: "string" | "word" | "number" | "punct"; value: string }[] {
    const tokens: { kind: "string" | "word" | "number" | "punct"; value: string }[] = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) {
            i++;
        } else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
            while (i < text.length && text[i] !== "\n") {
                i++;
            }
        } else if (c === "\"") {
            let value = "";
            i++;
            while (text[i] !== "\"") {
                if (text[i] === "\\") {
                    i++;
                }
                value += text[i++];
            }
            i++;
            tokens.push({ kind: "string", value });
        } else if ("{}[]=,".includes(c)) {
            tokens.push({ kind: "punct", value: c });
            i++;
        } else {
            let value = "";
            while (i < text.length && /[A-Za-z0-9_.\-]/.test(text[i])) {
                value += text[i++];
            }
            if (value === "") {
                throw new Error(`HCL: unexpected character ${c}`);
            }
            tokens.push({ kind: /^-?[0-9.]+$/.test(value) ? "number" : "word", value });
        }
    }
    return tokens;
}

// ---------------------------------------------------------------- templating

/** identitytpl PopulateString in ACL mode, for the entity directives. Throws as Vault errors. */
export function populateTemplate(input: string, entity: Entity | undefined): string {
    const pieces = input.split("{{");
    if (pieces[0].includes("}}")) {
        throw new Error("unbalanced templating characters");
    }
    let out = pieces[0];
    for (const piece of pieces.slice(1)) {
        const parts = piece.split("}}");
        if (parts.length !== 2) {
            throw new Error("unbalanced templating characters");
        }
        const directive = parts[0].trim();
        if (!directive.startsWith("identity.entity.")) {
            throw new Error("no value could be found for one of the template directives");
        }
        if (!entity) {
            throw new Error("string contains entity template directives but no entity was provided");
        }
        const field = directive.slice("identity.entity.".length);
        const value = field === "name" ? entity.name : field === "id" ? entity.id : "";
        if (value === "") {
            throw new Error("no value could be found for one of the template directives");
        }
        if (/[*+]/.test(value)) {
            throw new Error("globs and wildcards are not allowed in template result");
        }
        out += value + parts[1];
    }
    return out;
}

// ---------------------------------------------------------------- ACL

const knownCapabilities = new Set<Capability>(["deny", "create", "read", "update", "delete", "list", "sudo", "patch", "recover"]);

/** policy.go: old-style `policy = "..."` values map onto capabilities. */
const oldStylePolicies: Record<string, Capability[]> = {
    deny: ["deny"],
    read: ["read", "list"],
    write: ["create", "read", "update", "delete", "list"],
    sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

function parsePaths(text: string, entity: Entity | undefined): PathRule[] {
    const rules: PathRule[] = [];
    for (const [rawKey, body] of policyPaths(text)) {
        let key = rawKey;
        if (key.includes("{{")) {
            try {
                key = populateTemplate(key, entity);
            } catch {
                continue; // policy.go: a path whose template cannot be filled is skipped
            }
        }
        let path = key.startsWith("/") ? key.slice(1) : key;
        if (path.includes("+*")) {
            throw new Error(`path "${path}": invalid use of wildcards ('+*' is forbidden)`);
        }
        const hasSegmentWildcards = path === "+" || path.includes("/+") || path.startsWith("+/");
        let isPrefix = false;
        if (path.endsWith("*") && !hasSegmentWildcards) {
            path = path.slice(0, -1);
            isPrefix = true;
        }
        const capabilities = new Set<Capability>();
        const listed = [...((body.capabilities ?? []) as string[])];
        if (typeof body.policy === "string") {
            if (!oldStylePolicies[body.policy]) {
                throw new Error(`path "${key}": invalid policy "${body.policy}"`);
            }
            listed.push(...oldStylePolicies[body.policy]);
        }
        for (const capability of listed) {
            if (!knownCapabilities.has(capability as Capability)) {
                throw new Error(`path "${key}": invalid capability "${capability}"`);
            }
            if (capability === "deny") {
                capabilities.clear();
                capabilities.add("deny");
                break;
            }
            capabilities.add(capability as Capability);
        }
        const lower = (map: Value | undefined) => map === undefined ? undefined
            : Object.fromEntries(Object.entries(map as Record<string, unknown[]>).map(([name, values]) => [name.toLowerCase(), values]));
        const denyOnly = capabilities.has("deny");
        rules.push({
            path, capabilities, isPrefix, hasSegmentWildcards,
            ...(denyOnly ? {} : { allowed: lower(body.allowed_parameters), denied: lower(body.denied_parameters), required: body.required_parameters as string[] | undefined }),
        });
    }
    return rules;
}

function globMatch(pattern: string, value: string): boolean {
    // go-secure-stdlib strutil.GlobbedStringsMatch: "*" alone, "*x", "x*", "*x*", else equality.
    if (pattern === "*") {
        return true;
    }
    if (pattern.length > 1 && pattern.startsWith("*") && pattern.endsWith("*")) {
        return value.includes(pattern.slice(1, -1));
    }
    if (pattern.startsWith("*")) {
        return value.endsWith(pattern.slice(1));
    }
    if (pattern.endsWith("*")) {
        return value.startsWith(pattern.slice(0, -1));
    }
    return pattern === value;
}

function valueInList(value: unknown, list: unknown[]): boolean {
    return list.some((entry) => (entry === null || value === null) ? entry === value
        : typeof entry === "string" ? typeof value === "string" && globMatch(entry, value)
            : JSON.stringify(entry) === JSON.stringify(value));
}

/**
 * Whether a parameter's value meets an allowed (`every`) or denied (`some`) list: an empty list or the
 * value itself in it, or every / some entry of an array, or of a comma-separated string.
 */
function valueMatches(value: unknown, list: unknown[], entries: "every" | "some"): boolean {
    if (list.length === 0 || valueInList(value, list)) {
        return true;
    }
    const parts = Array.isArray(value) ? value : typeof value === "string" ? value.split(",").map((entry) => entry.trim()) : undefined;
    return parts !== undefined && parts[entries]((entry) => valueInList(entry, list));
}

interface Permissions { capabilities: Set<Capability>; allowed?: Record<string, unknown[]>; denied?: Record<string, unknown[]>; required?: string[] }

function mergeParameters(existing: Record<string, unknown[]> | undefined, added: Record<string, unknown[]> | undefined): Record<string, unknown[]> | undefined {
    if (!added || Object.keys(added).length === 0) {
        return existing;
    }
    if (!existing) {
        return { ...added };
    }
    const merged = { ...existing };
    for (const [key, value] of Object.entries(added)) {
        merged[key] = value.length === 0 || (key in merged && merged[key].length === 0) ? [] : [...value, ...(merged[key] ?? [])];
    }
    return merged;
}

export class VaultAcl {
    private readonly exact = new Map<string, Permissions>();
    private readonly prefix = new Map<string, Permissions>();
    private readonly segment = new Map<string, Permissions>();

    /** policies: policy texts (HCL or JSON); entity: the token's identity, for templated paths. */
    constructor(policies: string[], entity?: Entity) {
        for (const text of policies) {
            for (const rule of parsePaths(text, entity)) {
                const tree = rule.hasSegmentWildcards ? this.segment : rule.isPrefix ? this.prefix : this.exact;
                const existing = tree.get(rule.path);
                if (!existing) {
                    tree.set(rule.path, { capabilities: new Set(rule.capabilities), allowed: rule.allowed, denied: rule.denied, required: rule.required });
                    continue;
                }
                if (existing.capabilities.has("deny")) {
                    continue;
                }
                if (rule.capabilities.has("deny")) {
                    tree.set(rule.path, { capabilities: new Set(["deny"]) });
                    continue;
                }
                for (const capability of rule.capabilities) {
                    existing.capabilities.add(capability);
                }
                existing.allowed = mergeParameters(existing.allowed, rule.allowed);
                existing.denied = mergeParameters(existing.denied, rule.denied);
                existing.required = [...new Set([...(existing.required ?? []), ...(rule.required ?? [])])];
            }
        }
    }

    /** acl.go CheckAllowedFromNonExactPaths (bareMount false). */
    private nonExact(path: string): Permissions | undefined {
        interface Candidate { firstWildcard: number; wildcards: number; isPrefix: boolean; path: string; perms: Permissions }
        const candidates: Candidate[] = [];
        let longest: string | undefined;
        for (const key of this.prefix.keys()) {
            if (path.startsWith(key) && (longest === undefined || key.length > longest.length)) {
                longest = key;
            }
        }
        if (longest !== undefined) {
            if (this.segment.size === 0) {
                return this.prefix.get(longest);
            }
            candidates.push({ firstWildcard: longest.length, wildcards: 0, isPrefix: true, path: longest, perms: this.prefix.get(longest)! });
        }
        const parts = path.split("/");
        for (const [full, perms] of this.segment) {
            if (full === "") {
                continue;
            }
            let current = full;
            const candidate: Candidate = { firstWildcard: full.indexOf("+"), wildcards: 0, isPrefix: false, path: "", perms };
            if (current.endsWith("*")) {
                candidate.isPrefix = true;
                current = current.slice(0, -1);
            }
            candidate.path = current;
            const aclParts = current.split("/");
            if (parts.length < aclParts.length || (!candidate.isPrefix && aclParts.length !== parts.length)) {
                continue;
            }
            let matched = true;
            for (const [i, aclPart] of aclParts.entries()) {
                if (aclPart === "+") {
                    candidate.wildcards++;
                } else if (aclPart === parts[i]) {
                    // same segment
                } else if (candidate.isPrefix && i === aclParts.length - 1 && parts[i].startsWith(aclPart)) {
                    // glob in the last segment
                } else {
                    matched = false;
                    break;
                }
            }
            if (matched) {
                candidates.push(candidate);
            }
        }
        if (candidates.length === 0) {
            return undefined;
        }
        const less = (a: Candidate, b: Candidate): number => {
            if (a.firstWildcard !== b.firstWildcard) {
                return a.firstWildcard < b.firstWildcard ? -1 : 1;
            }
            if (a.isPrefix !== b.isPrefix) {
                return a.isPrefix ? -1 : 1;
            }
            if (a.wildcards !== b.wildcards) {
                return a.wildcards > b.wildcards ? -1 : 1;
            }
            if (a.path.length !== b.path.length) {
                return a.path.length < b.path.length ? -1 : 1;
            }
            return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
        };
        candidates.sort(less);
        return candidates[candidates.length - 1].perms;
    }

    private permissionsFor(rawPath: string, operation: Operation): Permissions | undefined {
        const path = rawPath.replace(/^\/+/, "");
        const exact = this.exact.get(path) ?? (operation === "list" ? this.exact.get(path.replace(/\/$/, "")) : undefined);
        if (exact) {
            return exact;
        }
        if (operation === "list" && path.endsWith("/")) {
            const trimmed = this.nonExact(path.slice(0, -1));
            if (trimmed) {
                return trimmed;
            }
        }
        return this.nonExact(path);
    }

    /** The capabilities Vault reports for a path (sys/capabilities-self). */
    capabilities(path: string): Capability[] {
        const perms = this.permissionsFor(path, "list");
        if (!perms || perms.capabilities.has("deny") || perms.capabilities.size === 0) {
            return ["deny"];
        }
        return [...perms.capabilities].sort();
    }

    /** acl.go AllowOperation for a request with its body (`data`). */
    allowed(operation: Operation, path: string, data: Record<string, unknown> = {}): boolean {
        const perms = this.permissionsFor(path, operation);
        if (!perms || perms.capabilities.has("deny")) {
            return false;
        }
        const needed: Capability = operation === "revoke" || operation === "renew" ? "update" : operation;
        if (!perms.capabilities.has(needed)) {
            return false;
        }
        if (!["read", "update", "create", "patch"].includes(operation)) {
            return true;
        }
        for (const parameter of perms.required ?? []) {
            if (!(parameter.toLowerCase() in data)) {
                return false;
            }
        }
        const keys = Object.keys(data);
        if (keys.length === 0) {
            return true;
        }
        const denied = perms.denied ?? {};
        if (Object.keys(denied).length > 0) {
            if ("*" in denied) {
                return false;
            }
            for (const key of keys) {
                const list = denied[key.toLowerCase()];
                if (list && valueMatches(data[key], list, "some")) {
                    return false;
                }
            }
        }
        const allowed = perms.allowed ?? {};
        if (Object.keys(allowed).length === 0) {
            return true;
        }
        const allowedAll = "*" in allowed;
        if (Object.keys(allowed).length === 1 && allowedAll) {
            return true;
        }
        for (const key of keys) {
            const list = allowed[key.toLowerCase()];
            if (!list && !allowedAll) {
                return false;
            }
            if (list && !valueMatches(data[key], list, "every")) {
                return false;
            }
        }
        return true;
    }
}
