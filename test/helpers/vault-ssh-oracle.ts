// What Vault answers to `vault write <mount>/sign/<role> valid_principals=...`, modelled
// from its source so tests can ask "could this token obtain that certificate?":
//  - ACL: the sign endpoint is an update operation (builtin/logical/ssh/path_sign.go,
//    `sign/` + GenericNameWithAtRegex("role"), UpdateOperation); a token needs "update" on
//    the exact path (or a glob) in one of its policies (vault/policy.go path rules).
//  - role lookup: "Unknown role: <name>" when absent (path_sign.go pathSign).
//  - principals: builtin/logical/ssh/path_issue_sign.go calculateValidPrincipals: the
//    requested comma list (or default_user when none is given), de-duplicated; with
//    allowed_users_template the allowed list is rendered from the caller's identity and,
//    without an entity, left as the literal template; "*" allows anything; every requested
//    principal must be in the allowed list, else "<p> is not a valid value for valid_principals".

export interface OracleRole {
    allowedUsers: string;
    defaultUser?: string;
    allowedUsersTemplate?: boolean;
    allowEmptyPrincipals?: boolean;
}

export interface SignRequest {
    /** HCL policies attached to the caller's token. */
    policies: string[];
    mount: string;
    role: string;
    validPrincipals?: string;
    /** The caller's identity, for templated roles: `{{identity.entity.name}}` renders to this. */
    entityName?: string;
}

export type SignResult = { principals: string[] } | { error: string };

/** Path rules of HCL policies: `path "<p>" { capabilities = [...] }`. */
export function policyPaths(hcl: string): { path: string; capabilities: string[] }[] {
    const rules: { path: string; capabilities: string[] }[] = [];
    const block = /path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g;
    for (let match = block.exec(hcl); match; match = block.exec(hcl)) {
        rules.push({ path: match[1], capabilities: [...match[2].matchAll(/"([^"]+)"/g)].map((m) => m[1]) });
    }
    return rules;
}

/** Vault path matching: exact, a trailing `*` prefix glob, or `+` for one segment. */
function pathMatches(rule: string, requested: string): boolean {
    const pattern = rule.split("/").map((segment, i, all) => {
        if (segment === "+") {
            return "[^/]+";
        }
        const escaped = segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        return i === all.length - 1 && segment.endsWith("*") ? `${escaped.slice(0, -2)}.*` : escaped;
    }).join("/");
    return new RegExp(`^${pattern}$`).test(requested);
}

function split(list: string): string[] {
    return [...new Set(list.split(",").map((p) => p.trim()).filter((p) => p !== ""))];
}

export function vaultSign(roles: Record<string, OracleRole>, request: SignRequest): SignResult {
    const path = `${request.mount}/sign/${request.role}`;
    const allowed = request.policies.flatMap(policyPaths).some((rule) => pathMatches(rule.path, path) && rule.capabilities.includes("update") && !rule.capabilities.includes("deny"));
    if (!allowed) {
        return { error: "permission denied" };
    }
    const role = roles[request.role];
    if (!role) {
        return { error: `Unknown role: ${request.role}` };
    }
    const defaultPrincipal = role.defaultUser ?? "";
    let requested = split(request.validPrincipals ?? defaultPrincipal);
    const rendered = role.allowedUsersTemplate && request.entityName !== undefined
        ? role.allowedUsers.replace(/\{\{identity\.entity\.name\}\}/g, request.entityName)
        : role.allowedUsers;
    const allowedPrincipals = split(rendered);
    if (requested.length === 0 && defaultPrincipal !== "") {
        requested = [defaultPrincipal];
    }
    if (requested.length === 0) {
        return role.allowEmptyPrincipals ? { principals: [] } : { error: "empty valid principals not allowed by role" };
    }
    if (allowedPrincipals.length === 0) {
        return { error: "role is not configured to allow any principals" };
    }
    if (role.allowedUsers === "*") {
        return { principals: requested };
    }
    for (const principal of requested) {
        if (!allowedPrincipals.includes(principal)) {
            return { error: `${principal} is not a valid value for valid_principals` };
        }
    }
    return { principals: requested };
}
