// Boundary's grant-string grammar, as hashicorp/boundary v0.21.3 internal/perms/grants.go
// (Grant.unmarshalText and Parse) checks it when a role's grants are set
// (internal/daemon/controller/handlers/roles/role_service.go validateSetRoleGrantsRequest,
// which also refuses the deprecated `id=` field). Covered: the `k=v;k=v` segment syntax,
// `id`/`ids`/`type`/`actions`/`output_fields`, id prefixes of a known resource type,
// one resource type per `ids`, wildcards, templates {{.User.Id}}/{{.Account.Id}},
// known action names, and the rule that a grant must authorize something. The last one
// is approximated: an action must apply to the id's resource type (the real check
// evaluates an ACL; see grantAuthorizesSomething).

/** Id prefix → resource type (internal/globals/prefixes.go, only the types this project touches plus common ones). */
export const prefixTypes: Record<string, string> = {
    ttcp: "target", tssh: "target", trdp: "target",
    hsst: "host-set", hsplg: "host-set", hst: "host", hplg: "host", hcst: "host-catalog", hcplg: "host-catalog",
    csvlt: "credential-store", csst: "credential-store", clvlt: "credential-library", clvsclt: "credential-library", clvllt: "credential-library",
    r: "role", u: "user", g: "group", o: "scope", p: "scope", ampw: "auth-method", amoidc: "auth-method", amldap: "auth-method",
    s: "session", at: "auth-token", acctpw: "account", w: "worker",
};

/** Resource types (internal/types/resource/resource.go Map keys). */
const resourceTypes = new Set(["*", "scope", "user", "group", "role", "auth-method", "account", "auth-token", "host-catalog", "host-set", "host",
    "target", "session", "credential-store", "credential-library", "credential", "worker", "managed-group", "storage-bucket", "session-recording",
    "policy", "alias", "billing"]);

/** Actions each resource type answers to by id (the IdActions sets of the handlers under internal/daemon/controller/handlers/). */
const idActions: Record<string, string[]> = {
    "target": ["no-op", "read", "update", "delete", "add-host-sources", "set-host-sources", "remove-host-sources",
        "add-credential-sources", "set-credential-sources", "remove-credential-sources", "authorize-session"],
    "host-set": ["no-op", "read", "update", "delete", "add-hosts", "set-hosts", "remove-hosts"],
    "host": ["no-op", "read", "update", "delete"],
    "host-catalog": ["no-op", "read", "update", "delete"],
    "role": ["no-op", "read", "update", "delete", "add-principals", "set-principals", "remove-principals", "add-grants", "set-grants", "remove-grants",
        "add-grant-scopes", "set-grant-scopes", "remove-grant-scopes"],
    "user": ["no-op", "read", "update", "delete", "add-accounts", "set-accounts", "remove-accounts", "list-resolvable-aliases"],
    "session": ["no-op", "read", "read:self", "cancel", "cancel:self"],
};

/** Every action name Boundary knows (internal/types/action/action.go Map). */
const knownActions = new Set(["*", "create", "list", "no-op", "read", "read:self", "update", "delete", "delete:self", "authenticate", "authorize-session",
    "add-host-sources", "set-host-sources", "remove-host-sources", "add-credential-sources", "set-credential-sources", "remove-credential-sources",
    "add-hosts", "set-hosts", "remove-hosts", "add-principals", "set-principals", "remove-principals", "add-grants", "set-grants", "remove-grants",
    "add-grant-scopes", "set-grant-scopes", "remove-grant-scopes", "add-accounts", "set-accounts", "remove-accounts", "change-password",
    "set-password", "change-state", "cancel", "cancel:self", "list-keys", "rotate-keys", "list-resolvable-aliases", "download", "reapply-storage-policy"]);

export interface ParsedGrant { ids: string[]; type?: string; actions: string[]; outputFields?: string[] }

/** Parses a grant string; throws an Error whose message follows grants.go's wording. */
export function parseGrant(grant: string): ParsedGrant {
    let id: string | undefined;
    let ids: string[] | undefined;
    let type: string | undefined;
    let actions: string[] = [];
    let outputFields: string[] | undefined;
    for (const segment of grant.split(";")) {
        const kv = segment.split("=");
        if (kv.length !== 2) {
            throw new Error(`segment "${segment}" not formatted correctly, wrong number of equal signs`);
        }
        if (kv[0] === "") {
            throw new Error(`segment "${segment}" not formatted correctly, missing key`);
        }
        if (kv[1] === "" && kv[0] !== "output_fields") {
            throw new Error(`segment "${segment}" not formatted correctly, missing value`);
        }
        switch (kv[0]) {
            case "id":
                id = kv[1];
                break;
            case "ids":
                ids = kv[1].split(",");
                if (ids.some((entry) => entry === "")) {
                    throw new Error("empty ID provided");
                }
                break;
            case "type":
                type = kv[1].toLowerCase();
                if (!resourceTypes.has(type)) {
                    throw new Error(`unknown type specifier "${type}"`);
                }
                break;
            case "actions":
                actions = kv[1].split(",").map((action) => {
                    if (action === "") {
                        throw new Error("empty action found");
                    }
                    return action.toLowerCase();
                });
                break;
            case "output_fields":
                outputFields = kv[1] === "" ? [] : kv[1].split(",");
                break;
            default:
                // unmarshalText's switch has no default: an unknown key is ignored.
                break;
        }
    }
    if (id !== undefined && ids !== undefined) {
        throw new Error(`input grant string "${grant}" contains both "id" and "ids" fields`);
    }
    if (id !== undefined) {
        throw new Error(`Grant "${grant}" uses the "id" field which is no longer supported. Please use "ids" instead.`);
    }
    const grantIds = ids ?? [];
    if (grantIds.length > 1 && grantIds.includes("*")) {
        throw new Error(`input grant string "${grant}" contains both wildcard and non-wildcard values in "ids" field`);
    }
    // grants.go Parse substitutes a dummy of the template's own type: a user id, or an account id.
    const resolved = grantIds.map((entry) => /^\{\{\s*(user\.id|\.User\.Id)\s*\}\}$/.test(entry) ? "u_template"
        : /^\{\{\s*(account\.id|\.Account\.Id)\s*\}\}$/.test(entry) ? "acctpw_template" : entry);
    for (const entry of resolved) {
        if (/^\{\{/.test(entry)) {
            throw new Error(`unknown template "${entry}" in grant "ids" value`);
        }
    }
    const idTypes = resolved.filter((entry) => entry !== "*").map((entry) => prefixTypes[entry.split("_")[0]]);
    if (new Set(idTypes).size > 1) {
        throw new Error(`input grant string "${grant}" contains ids of differently-typed resources`);
    }
    for (const action of actions) {
        if (!knownActions.has(action)) {
            throw new Error(`unknown action "${action}"`);
        }
    }
    if (actions.includes("*") && actions.length > 1) {
        throw new Error(`"*" cannot be specified with other actions`);
    }
    for (const [index, entry] of resolved.entries()) {
        if (entry === "*") {
            if (!type) {
                throw new Error(`parsed grant string "${grant}" contains wildcard id and no specified type`);
            }
            continue;
        }
        const idType = idTypes[index];
        if (!idType) {
            throw new Error(`parsed grant string "${grant}" contains an id "${entry}" of an unknown resource type`);
        }
        if (!type && (actions.includes("create") || actions.includes("list"))) {
            throw new Error(`parsed grant string "${grant}" contains create or list action in a format that does not allow these`);
        }
        if (!type && !grantAuthorizesSomething(idType, actions)) {
            throw new Error(`parsed grant string "${grant}" would not result in any action being authorized`);
        }
    }
    if (resolved.length === 0) {
        if (!type) {
            throw new Error(`parsed grant string "${grant}" contains no id or type`);
        }
        if (type === "*") {
            throw new Error(`parsed grant string "${grant}" contains wildcard type with no id value`);
        }
        const allowed = ["create", "list"];
        if (actions.length > 2 || actions.some((action) => !allowed.includes(action))) {
            throw new Error(`parsed grant string "${grant}" contains non-create or non-list action in a format that only allows these`);
        }
    }
    return { ids: grantIds, type, actions, outputFields };
}

/** Approximation of the ACL evaluation at the end of perms.Parse: some action applies to the id's type. */
function grantAuthorizesSomething(idType: string, actions: string[]): boolean {
    if (actions.includes("*")) {
        return true;
    }
    const applicable = idActions[idType];
    return applicable === undefined ? actions.length > 0 : actions.some((action) => applicable.includes(action));
}
