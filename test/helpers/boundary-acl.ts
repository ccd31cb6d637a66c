// A Boundary ACL evaluator written from hashicorp/boundary v0.21.3 internal/perms/acl.go
// (NewACL, Allowed), on top of the grant grammar in test/boundary-api/grants.ts. Used as an
// oracle for "may this Boundary user do that". Sources:
//  - internal/perms/acl.go: grants are indexed by grant scope — a scope id directly,
//    "children" by the role's scope (applies to resources whose parent scope is the role's
//    scope), "descendants" (every scope but global); Allowed collects the grants of the
//    resource's scope and matches, in order: an action in the grant's set, or the parent
//    action of a sub-action (`read` covers `read:self`), or `*`; then one of the forms —
//    case 2 `ids=<id>` (no create/list; type, if given, must be the id's), case 3
//    `type=<t>` without ids for create/list on a top-level collection, case 4
//    `ids=*;type=<t or *>`, case 5 `ids=<pin>;type=<t>` for a non-top-level type whose parent
//    is the pin. Anonymous users (u_anon, or no user) only get case 1 (list/no-op on scopes,
//    list/no-op/authenticate on auth methods).
//  - internal/perms/grants.go Parse: `{{.User.Id}}`/`{{user.id}}` and `{{.Account.Id}}`
//    become the caller's ids.
//  - internal/types/resource/resource.go TopLevelType; globals/prefixes.go
//    ResourceInfoFromPrefix (the id's type from its prefix).
//  - internal/daemon/controller/handlers/roles/role_service.go: a project role's grant scope
//    can only be itself ("this"); an org role's: this, itself, a project, or "children".
// Output fields are not modelled (they never authorize by themselves).

import { parseGrant, prefixTypes } from "../boundary-api/grants";

export const globalScope = "global";
export const anonymousUser = "u_anon";
export const anyAuthenticatedUser = "u_auth";

const topLevelTypes = new Set(["auth-method", "auth-token", "credential-store", "group", "host-catalog", "role", "scope", "session",
    "session-recording", "target", "user", "storage-bucket", "policy", "alias", "worker"]);

export interface RoleSpec {
    /** The scope the role lives in. */
    scopeId: string;
    /** That scope's parent ("global" for an org, the org for a project; "" for global). */
    parentScopeId: string;
    /** "this", "children", "descendants" or scope ids; a role without any grants to "this". */
    grantScopeIds: string[];
    grants: string[];
    /** User ids (and the special u_anon / u_auth). */
    principals: string[];
}

/** A resource as a handler presents it to the ACL (perms.Resource). */
export interface BoundaryResource { scopeId: string; parentScopeId: string; type?: string; id?: string; pin?: string }

interface AclGrant { id: string; type?: string; actions: Set<string> }

export class BoundaryAcl {
    private readonly direct = new Map<string, AclGrant[]>();
    private readonly children = new Map<string, AclGrant[]>();
    private readonly descendants: AclGrant[] = [];

    /** The ACL of `userId` (with account `accountId`) from every role naming it, u_anon or u_auth. */
    constructor(roles: RoleSpec[], readonly userId: string, accountId = "") {
        const authenticated = userId !== anonymousUser && userId !== "";
        for (const role of roles) {
            const applies = role.principals.includes(userId) || role.principals.includes(anonymousUser) || (authenticated && role.principals.includes(anyAuthenticatedUser));
            if (!applies) {
                continue;
            }
            const scopes = role.grantScopeIds.length === 0 ? ["this"] : role.grantScopeIds;
            for (const grant of role.grants) {
                const parsed = parseGrant(grant);
                const ids = parsed.ids.length === 0 ? [""] : parsed.ids.map((id) => {
                    const template = /^\{\{\s*(\S+?)\s*\}\}$/.exec(id)?.[1];
                    return template === "user.id" || template === ".User.Id" ? userId : template === "account.id" || template === ".Account.Id" ? accountId : id;
                });
                for (const id of ids) {
                    const entry: AclGrant = { id, type: parsed.type, actions: new Set(parsed.actions) };
                    for (const scope of scopes) {
                        if (scope === "descendants") {
                            this.descendants.push(entry);
                        } else if (scope === "children") {
                            this.children.set(role.scopeId, [...(this.children.get(role.scopeId) ?? []), entry]);
                        } else {
                            const scopeId = scope === "this" ? role.scopeId : scope;
                            this.direct.set(scopeId, [...(this.direct.get(scopeId) ?? []), entry]);
                        }
                    }
                }
            }
        }
    }

    allowed(resource: BoundaryResource, action: string): boolean {
        const grants = [...(this.direct.get(resource.scopeId) ?? []), ...(this.children.get(resource.parentScopeId) ?? [])];
        if (resource.scopeId !== globalScope) {
            grants.push(...this.descendants);
        }
        const parentAction = action.includes(":") ? action.split(":")[0] : undefined;
        const isList = action === "list" || action.startsWith("list:");
        const isCreate = action === "create" || action.startsWith("create:");
        for (const grant of grants) {
            if (grant.actions.size === 0) {
                continue;
            }
            if (!grant.actions.has(action) && !(parentAction && grant.actions.has(parentAction)) && !grant.actions.has("*")) {
                continue;
            }
            if (this.userId === anonymousUser || this.userId === "") {
                if ((grant.type === resource.type && grant.type === "scope" && (action === "list" || action === "no-op"))
                    || (grant.type === resource.type && grant.type === "auth-method" && ["list", "no-op", "authenticate"].includes(action))) {
                    return true;
                }
                continue;
            }
            const id = resource.id ?? "";
            const idType = prefixTypes[grant.id.split("_")[0]];
            if (grant.id === id && grant.id !== "" && grant.id !== "*" && (grant.type === undefined || grant.type === idType) && !isList && !isCreate) {
                return true; // case 2
            }
            if (grant.id === "" && id === "" && grant.type === resource.type && grant.type !== undefined && topLevelTypes.has(resource.type ?? "") && (isList || isCreate)) {
                return true; // case 3
            }
            if (grant.id === "*" && grant.type !== undefined && (grant.type === resource.type || grant.type === "*")) {
                return true; // case 4
            }
            if (grant.id !== "" && grant.id === resource.pin && grant.type !== undefined && (grant.type === resource.type || grant.type === "*") && !topLevelTypes.has(resource.type ?? "")) {
                return true; // case 5
            }
        }
        return false;
    }
}
