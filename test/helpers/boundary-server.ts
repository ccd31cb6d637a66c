// A loopback Boundary controller derived from Boundary's own source and API document,
// hashicorp/boundary v0.21.3 (handlers: internal/daemon/controller/handlers/, shapes:
// internal/gen/controller.swagger.json via test/boundary-api/schemas.json). It is
// not Boundary: it keeps items in memory and models only what the provider touches,
// but every behaviour below cites where the real controller does it. Marked GUESS
// where no source was found. Every request and response is validated against the
// derived schemas; a response that fails its schema is a bug in this server and is
// recorded in `violations` (tests assert there are none).

import * as http from "http";
import { AddressInfo } from "net";
import { parseGrant } from "../boundary-api/grants";
import { Edition, fixedPrefixes, subtypes } from "../boundary-api/subtypes";
import { declaredFields, operationKey, schemaErrors, schemas } from "../boundary-api/validator";

const H = "hashicorp/boundary v0.21.3 internal/daemon/controller/handlers";

export interface StoredItem { id: string; version: number; collection: string; [field: string]: unknown }
export interface RecordedRequest { method: string; path: string; authorization?: string; body?: any; discarded: string[] }
type Reply = [number, unknown];

interface Collection {
    /** Field naming the parent (scope or catalog/store). */
    parent: "scope_id" | "host_catalog_id" | "credential_store_id";
    /** Resource definition in the swagger document. */
    definition: string;
    /** The name the handler's not-found-or-version message uses. */
    label: string;
    /** The 404 text of a PATCH whose version is stale (`rowsUpdated == 0` in each handler's updateInRepo). */
    versionMessage: (id: string) => string;
}

const collections: Record<string, Collection> = {
    "scopes": { parent: "scope_id", definition: "controller.api.resources.scopes.v1.Scope", label: "Scope",
        versionMessage: (id) => `Scope "${id}" doesn't exist or incorrect version provided.` }, // scopes/scope_service.go updateInRepo
    "users": { parent: "scope_id", definition: "controller.api.resources.users.v1.User", label: "User",
        versionMessage: (id) => `User "${id}" doesn't exist or incorrect version provided.` }, // users/user_service.go
    "auth-methods": { parent: "scope_id", definition: "controller.api.resources.authmethods.v1.AuthMethod", label: "AuthMethod",
        versionMessage: (id) => `AuthMethod "${id}" doesn't exist or incorrect version provided.` }, // authmethods/password.go
    "host-catalogs": { parent: "scope_id", definition: "controller.api.resources.hostcatalogs.v1.HostCatalog", label: "Host Catalog",
        versionMessage: (id) => `Host Catalog "${id}" doesn't exist or incorrect version provided.` }, // host_catalogs/host_catalog_service.go
    "hosts": { parent: "host_catalog_id", definition: "controller.api.resources.hosts.v1.Host", label: "Host",
        versionMessage: (id) => `Host "${id}" doesn't exist or incorrect version provided.` }, // hosts/host_service.go
    "host-sets": { parent: "host_catalog_id", definition: "controller.api.resources.hostsets.v1.HostSet", label: "Host Set",
        versionMessage: (id) => `Host Set "${id}" doesn't exist or incorrect version provided.` }, // host_sets/host_set_service.go
    "credential-stores": { parent: "scope_id", definition: "controller.api.resources.credentialstores.v1.CredentialStore", label: "Credential Store",
        versionMessage: (id) => `Credential Store "${id}" doesn't exist or incorrect version provided.` }, // credentialstores/credentialstore_service.go
    "credential-libraries": { parent: "credential_store_id", definition: "controller.api.resources.credentiallibraries.v1.CredentialLibrary", label: "Credential Library",
        versionMessage: (id) => `Credential Library "${id}" doesn't exist or incorrect version provided.` }, // credentiallibraries/credentiallibrary_service.go
    "targets": { parent: "scope_id", definition: "controller.api.resources.targets.v1.Target", label: "Target",
        versionMessage: (id) => `Target "${id}" not found or incorrect version provided.` }, // targets/target_service.go:1372 (note: "not found", not "doesn't exist")
    "roles": { parent: "scope_id", definition: "controller.api.resources.roles.v1.Role", label: "Role",
        versionMessage: (id) => `Role "${id}" doesn't exist or incorrect version provided.` }, // roles/role_service.go:795
};

// handlers/errors.go
const uniquenessMessage = "Invalid request.  Request attempted to make second resource with the same field value that must be unique.";
const notFound: Reply = [404, { kind: "NotFound", message: "Resource not found." }]; // errors.go NotFoundError(), returned by each authResult
const unauthenticated: Reply = [401, { kind: "Unauthenticated", message: "Unauthenticated, or invalid token." }]; // errors.go unauthenticatedError

/** handlers/errors.go InvalidArgumentErrorf: 400, kind InvalidArgument, request_fields sorted by name. */
function invalidArgument(message: string, fields: Record<string, string> = {}): Reply {
    const names = Object.keys(fields).sort();
    return [400, { kind: "InvalidArgument", message, ...(names.length > 0 ? { details: { request_fields: names.map((name) => ({ name, description: fields[name] })) } } : {}) }];
}
/** handlers/errors.go ApiErrorWithCodeAndMessage(codes.Internal, ...): 500, kind Internal. */
const internal = (message: string): Reply => [500, { kind: "Internal", message }];

const base62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export interface ServerOptions {
    /** community (the public build), enterprise or hcp: decides which subtypes are registered. */
    edition?: Edition;
    login?: { authMethodId: string; loginName: string; password: string };
}

export class BoundaryConformanceServer {
    readonly edition: Edition;
    readonly login: { authMethodId: string; loginName: string; password: string };
    readonly items = new Map<string, StoredItem>();
    readonly requests: RecordedRequest[] = [];
    /** Responses of this server that fail their derived schema, and requests of a client that failed theirs. */
    readonly violations: string[] = [];
    /** Next N requests fail with 503 before they are handled (the documented rate-limit 503 of the swagger's info). */
    failBefore = 0;
    /** Next N requests are handled, then answered with 502 as a proxy that lost the controller's answer would (GUESS: any proxy). */
    loseResponses = 0;
    address = "";
    private server?: http.Server;
    private readonly tokens = new Set<string>();
    private counter = 0;

    constructor(options: ServerOptions = {}) {
        this.edition = options.edition ?? "community";
        this.login = options.login ?? { authMethodId: "ampw_1234567890", loginName: "admin", password: "correct horse" };
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            let text = "";
            req.on("data", (chunk) => { text += chunk; });
            req.on("end", () => this.handle(req, text, res));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.address = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
        return this.address;
    }

    async stop(): Promise<void> {
        await new Promise((resolve) => this.server?.close(resolve));
    }

    /** A token as `boundary authenticate` would hand out (for tests that pass one directly). */
    issueToken(): string {
        const token = `at_${this.newId()}_${this.counter}`;
        this.tokens.add(token);
        return token;
    }

    /** An org `engineering` and its project `alpha`, made through the HTTP API as an admin would; returns the project's id. */
    async seedProject(): Promise<string> {
        const token = this.issueToken();
        const post = async (collection: string, body: unknown) => (await (await fetch(`${this.address}/v1/${collection}`, {
            method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body),
        })).json()) as { id: string };
        const org = await post("scopes", { scope_id: "global", name: "engineering" });
        return (await post("scopes", { scope_id: org.id, name: "alpha" })).id;
    }

    /** Someone else changes an item (its version moves). */
    touch(id: string, fields: Record<string, unknown> = {}): void {
        const item = this.items.get(id)!;
        Object.assign(item, fields);
        item.version++;
        item.updated_time = new Date().toISOString();
    }

    byName(collection: string, name: string): StoredItem[] {
        return [...this.items.values()].filter((item) => item.collection === collection && item.name === name);
    }

    private newId(): string {
        let id = "";
        for (let i = 0; i < 10; i++) {
            id += base62[Math.floor(Math.random() * base62.length)];
        }
        return id;
    }

    private handle(req: http.IncomingMessage, text: string, res: http.ServerResponse): void {
        const url = new URL(req.url!, "http://x");
        const recorded: RecordedRequest = { method: req.method!, path: url.pathname + url.search, authorization: req.headers.authorization, discarded: [] };
        this.requests.push(recorded);
        const send = ([status, payload]: Reply) => {
            // interceptor.go statusCodeInterceptor: a handler returning nothing (delete) answers 204 with no body.
            res.writeHead(status, status === 204 ? {} : { "content-type": "application/json" });
            res.end(status === 204 || payload === undefined ? "" : JSON.stringify(payload));
        };
        if (this.failBefore > 0) {
            this.failBefore--;
            return send([503, { kind: "Unavailable", message: "rate limit quota could not be stored" }]);
        }
        let reply: Reply;
        try {
            recorded.body = text ? JSON.parse(text) : undefined;
            reply = this.route(req.method!, url, recorded);
        } catch (error) {
            // grpc-gateway refuses a body it cannot decode with InvalidArgument (GUESS at the exact text).
            reply = invalidArgument(`failed to decode request body: ${(error as Error).message}`);
        }
        if (this.loseResponses > 0) {
            this.loseResponses--;
            return send([502, { kind: "Unavailable", message: "bad gateway: upstream closed the connection" }]);
        }
        send(reply);
    }

    private authenticated(recorded: RecordedRequest): boolean {
        const bearer = /^Bearer (.+)$/.exec(recorded.authorization ?? "")?.[1];
        return bearer !== undefined && this.tokens.has(bearer);
    }

    /** Decode like grpc-gateway with DiscardUnknown (handlers/marshaler.go): unknown top-level fields dropped, wrong types refused. */
    private decode(definition: string, key: string, recorded: RecordedRequest): { body: Record<string, any>; error?: Reply } {
        const raw = recorded.body ?? {};
        if (typeof raw !== "object" || Array.isArray(raw)) {
            return { body: {}, error: invalidArgument("failed to decode request body: not a JSON object") };
        }
        const known = declaredFields(definition);
        const body: Record<string, any> = {};
        for (const [field, value] of Object.entries(raw)) {
            if (known.has(field)) {
                body[field] = value;
            } else {
                recorded.discarded.push(field);
            }
        }
        // protojson reads a JSON null as "unset" for wrapper and message fields (an update clears them).
        const withoutNulls = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
        const errors = schemaErrors(definition, withoutNulls);
        if (errors.length > 0) {
            this.violations.push(`request ${key}: ${errors.join("; ")}`);
            return { body, error: invalidArgument(`failed to decode request body: ${errors.join("; ")}`) };
        }
        return { body };
    }

    private respond(key: string, reply: Reply): Reply {
        const [status, payload] = reply;
        const operation = schemas.operations[key];
        if (operation && status === 200) {
            const errors = schemaErrors(operation.response, payload);
            if (errors.length > 0) {
                this.violations.push(`response ${key}: ${errors.join("; ")}`);
            }
        } else if (operation && status >= 400) {
            const errors = schemaErrors(operation.error, payload);
            if (errors.length > 0) {
                this.violations.push(`error ${key}: ${errors.join("; ")}`);
            }
        }
        return reply;
    }

    private route(method: string, url: URL, recorded: RecordedRequest): Reply {
        const path = url.pathname.replace(/^\/v1\//, "");
        const [collection, rest] = path.split("/");
        const [id, action] = rest === undefined ? [undefined, undefined] : rest.split(":");
        const key = operationKey(method, collection, id, action);
        if (!schemas.operations[key]) {
            // handlers/errors.go backendErrorToApiError: runtime.ErrNotMatch → 404 "Not Found".
            return [404, { kind: "NotFound", message: "Not Found" }];
        }
        if (collection === "auth-methods" && action === "authenticate") {
            return this.respond(key, this.authenticate(id!, key, recorded));
        }
        if (!this.authenticated(recorded)) {
            return this.respond(key, unauthenticated);
        }
        const spec = collections[collection];
        if (id === undefined) {
            return this.respond(key, method === "POST" ? this.create(collection, spec, key, recorded) : this.list(collection, spec, url));
        }
        const item = this.items.get(id);
        if (!item || item.collection !== collection) {
            return this.respond(key, notFound);
        }
        switch (method) {
            case "GET":
                return this.respond(key, [200, this.present(item)]);
            case "DELETE":
                this.remove(item);
                return this.respond(key, [204, undefined]);
            case "PATCH":
                return this.respond(key, this.update(spec, item, key, recorded));
            default:
                return this.respond(key, this.action(item, action!, key, recorded));
        }
    }

    /** authmethods/password.go authenticateWithPassword; the response is the auth token in `attributes`. */
    private authenticate(id: string, key: string, recorded: RecordedRequest): Reply {
        const { body, error } = this.decode(schemas.operations[key].request!, key, recorded);
        if (error) {
            return error;
        }
        if (id !== this.login.authMethodId) {
            return notFound;
        }
        if (body.attributes?.login_name !== this.login.loginName || body.attributes?.password !== this.login.password) {
            return [401, { kind: "Unauthenticated", message: "Unable to authenticate." }];
        }
        const token = this.issueToken();
        return [200, { command: body.command ?? "login", type: "token", attributes: { id: token.split("_").slice(0, 2).join("_"), token, auth_method_id: id } }];
    }

    private typeOf(collection: string, body: Record<string, any>): string | undefined {
        if (collection === "hosts" || collection === "host-sets") {
            // hosts/host_service.go, host_sets/host_set_service.go: the type follows the catalog's.
            return (this.items.get(body.host_catalog_id)?.type as string | undefined) ?? body.type;
        }
        return body.type;
    }

    private create(collection: string, spec: Collection, key: string, recorded: RecordedRequest): Reply {
        const { body, error } = this.decode(spec.definition, key, recorded);
        if (error) {
            return error;
        }
        const bad: Record<string, string> = {};
        // handlers/verifiers.go ValidateCreateRequest
        if (body.id !== undefined) {
            bad.id = "This is a read only field.";
        }
        if (body.name !== undefined && body.name.trim() === "") {
            bad.name = "Cannot set empty string as name";
        }
        if (body.description !== undefined && body.description.trim() === "") {
            bad.description = "Cannot set empty string as description";
        }
        for (const field of ["created_time", "updated_time"]) {
            if (body[field] !== undefined) {
                bad[field] = "This is a read only field.";
            }
        }
        if (body.version !== undefined && body.version !== 0) {
            bad.version = "Cannot specify this field in a create request.";
        }
        const parentId = body[spec.parent];
        const parent = typeof parentId === "string" ? this.items.get(parentId) : undefined;
        let type: string | undefined;
        let prefix = fixedPrefixes[collection];
        switch (collection) {
            case "scopes":
                // scopes/scope_service.go validateCreateRequest: orgs under global, projects under an org.
                if (parentId === "global") {
                    type = "org";
                    prefix = "o";
                } else if (parent?.type === "org") {
                    type = "project";
                    prefix = "p";
                } else if (parent?.type === "project") {
                    bad.type = "Project scopes can only be created under an org scope.";
                } else {
                    bad.scope_id = "Missing value for scope_id.";
                }
                break;
            case "users":
                // users/user_service.go validateCreateRequest
                if (!(parentId === "global" || parent?.type === "org")) {
                    bad.scope_id = "Must be 'global' or a valid org scope id.";
                }
                break;
            case "roles":
                if (body.grant_strings !== undefined) {
                    bad.grant_strings = "This is a read only field.";
                }
                if (body.principals !== undefined) {
                    bad.principals = "This is a read only field.";
                }
                if (!(parentId === "global" || parent?.collection === "scopes")) {
                    bad.scope_id = "This field is missing or improperly formatted.";
                }
                break;
            default: {
                type = this.typeOf(collection, body);
                const registered = type === undefined ? undefined : subtypes[collection]?.[type];
                const parentOk = spec.parent === "scope_id" ? parent?.type === "project" || collection === "auth-methods" : parent !== undefined;
                if (!parentOk) {
                    bad[spec.parent] = spec.parent === "scope_id" ? "This field must be a valid project scope id." : "The field is incorrectly formatted.";
                }
                if (type === undefined || type === "") {
                    bad.type = "This is a required field.";
                } else if (!registered || !registered.editions.includes(this.edition)) {
                    // targets/target_service.go validateCreateRequest: subtypeRegistry.get fails → "Unknown type provided."
                    bad.type = "Unknown type provided.";
                } else {
                    prefix = registered.prefix;
                    Object.assign(bad, this.attributeErrors(collection, type, body.attributes, "create"));
                }
                if ((collection === "hosts" || collection === "host-sets") && body.type !== undefined && parent && body.type !== parent.type) {
                    bad.type = "Doesn't match the parent resource's type.";
                }
            }
        }
        if (collection === "targets" && body.session_max_seconds === 0) {
            bad.session_max_seconds = "This must be greater than zero.";
        }
        if (collection === "targets" && (body.name === undefined || body.name === "")) {
            bad.name = "This field is required.";
        }
        if (Object.keys(bad).length > 0) {
            // The attribute transformer interceptor (internal/types/subtypes/interceptor.go) and the handlers
            // both answer "Error in provided request." for create.
            return invalidArgument("Error in provided request.", bad);
        }
        if (!parent && parentId !== "global") {
            return notFound;
        }
        if (body.name !== undefined && this.siblings(collection, spec, parentId).some((item) => item.name === body.name.trim())) {
            // errors.go backendErrorToApiError: errors.IsUniqueError → InvalidArgument, no details.
            return invalidArgument(uniquenessMessage);
        }
        const now = new Date().toISOString();
        const item: StoredItem = {
            ...this.stored(body), id: `${prefix}_${this.newId()}`, version: 1, collection, created_time: now, updated_time: now,
            ...(type ? { type } : {}),
        };
        if (typeof item.name === "string") {
            item.name = item.name.trim();
        }
        if (collection === "roles") {
            item.grant_scope_ids = ["this"]; // roles/role_service.go: a new role's grant scope defaults to "this"
        }
        if (collection === "credential-stores") {
            const attributes = item.attributes as Record<string, unknown>;
            item.secret = { token: attributes.token };
            delete attributes.token;
            attributes.token_hmac = `hmac-${this.newId()}`;
            attributes.token_status = "current";
        }
        this.items.set(item.id, item);
        return [200, this.present(item)];
    }

    /** The attribute checks of the registered subtype's Vet (create) or VetForUpdate. */
    private attributeErrors(collection: string, type: string, attributes: unknown, mode: "create" | "update"): Record<string, string> {
        const registered = subtypes[collection][type];
        if (attributes !== undefined && registered.attributes) {
            if (schemaErrors(registered.attributes, attributes).length > 0) {
                return { attributes: "Attribute fields do not match the expected format." }; // types/subtypes/interceptor.go
            }
        }
        const attrs = (attributes ?? {}) as Record<string, any>;
        const bad: Record<string, string> = {};
        const required = (field: string, message: string) => {
            if (mode === "create" ? attrs[field] === undefined || attrs[field] === "" : field in attrs && (attrs[field] === null || attrs[field] === "")) {
                bad[`attributes.${field}`] = message;
            }
        };
        switch (`${collection}/${type}`) {
            case "targets/tcp": case "targets/ssh":
                // targets/tcp/tcp.go attribute.Vet / VetForUpdate
                if (mode === "create" && attrs.default_port === undefined) {
                    bad["attributes.default_port"] = "This field is required.";
                } else if (attrs.default_port === 0) {
                    bad["attributes.default_port"] = mode === "create" ? "This field cannot be set to zero." : "This cannot be set to zero.";
                } else if (attrs.default_port > 65535) {
                    bad["attributes.default_port"] = "Value is greater than maximum port number.";
                }
                break;
            case "hosts/static":
                // hosts/host_service.go validateCreateRequest: address between 3 and 255 characters.
                if (mode === "create" && attributes === undefined) {
                    bad.attributes = "This is a required field.";
                } else if (attrs.address !== undefined && (String(attrs.address).length < 3 || String(attrs.address).length > 255)) {
                    bad["attributes.address"] = "Address length must be between 3 and 255 characters.";
                }
                break;
            case "credential-stores/vault":
                // credentialstores/credentialstore_service.go validateCreateRequest
                if (mode === "create" && attributes === undefined) {
                    bad.attributes = "Attributes are required for creating a vault credential store";
                }
                required("address", "Field required for creating a vault credential store.");
                required("token", "Field required for creating a vault credential store.");
                if (attrs.token_hmac !== undefined) {
                    bad["attributes.token_hmac"] = "This is a read only field.";
                }
                break;
            case "credential-libraries/vault-ssh-certificate":
                // credentiallibraries/credentiallibrary_service.go validateCreateRequest / validateUpdateRequest
                required("path", mode === "create" ? "This is a required field." : "This is a required field and cannot be set to empty.");
                required("username", mode === "create" ? "This is a required field." : "This is a required field and cannot be set to empty.");
                if (attrs.key_type !== undefined && !["ed25519", "ecdsa", "rsa"].includes(attrs.key_type)) {
                    bad["attributes.key_type"] = "If set, value must be 'ed25519', 'ecdsa', or 'rsa'.";
                }
                if (attrs.username !== undefined && !usernameTemplateParses(String(attrs.username))) {
                    // credential/vault/private_library.go parses username with internal/util/template at issue time;
                    // the handler does not (GUESS that a bad template is caught only when a session starts): refused here
                    // so that the provider never ships one.
                    bad["attributes.username"] = "template does not parse (internal/util/template)";
                }
                break;
            default:
                break;
        }
        return bad;
    }

    private siblings(collection: string, spec: Collection, parentId: unknown): StoredItem[] {
        return [...this.items.values()].filter((item) => item.collection === collection && item[spec.parent] === parentId);
    }

    /** Fields kept from a request: everything but read-only output. */
    private stored(body: Record<string, any>): Record<string, unknown> {
        const { id: _id, version: _version, created_time: _c, updated_time: _u, ...rest } = body;
        return JSON.parse(JSON.stringify(rest));
    }

    /** What GET answers: the item itself (swagger: response_body "item"), EmitUnpopulated false (handlers/marshaler.go). */
    private present(item: StoredItem): Record<string, unknown> {
        const { collection, secret: _secret, ...fields } = item;
        const out: Record<string, unknown> = { ...fields };
        const parentScope = collections[collection].parent === "scope_id" ? this.items.get(item.scope_id as string) : undefined;
        if (collections[collection].parent === "scope_id") {
            out.scope = item.scope_id === "global"
                ? { id: "global", type: "global", name: "global", description: "Global Scope" }
                : { id: item.scope_id, type: parentScope?.type, name: parentScope?.name, parent_scope_id: parentScope?.scope_id };
        }
        if (collection === "targets") {
            const sources = (item.host_source_ids as string[] | undefined) ?? [];
            if (sources.length > 0) {
                out.host_sources = sources.map((id) => ({ id, host_catalog_id: this.items.get(id)?.host_catalog_id }));
            }
            for (const purpose of ["brokered", "injected_application"]) {
                const ids = (item[`${purpose}_credential_source_ids`] as string[] | undefined) ?? [];
                if (ids.length > 0) {
                    out[`${purpose}_credential_sources`] = ids.map((id) => ({
                        id, credential_store_id: this.items.get(id)?.credential_store_id, type: this.items.get(id)?.type,
                    }));
                }
            }
        }
        if (collection === "roles") {
            const principals = (item.principal_ids as string[] | undefined) ?? [];
            if (principals.length > 0) {
                out.principals = principals.map((id) => ({ id, type: id.startsWith("u_") ? "user" : "group", scope_id: this.items.get(id)?.scope_id }));
            }
            const grants = (item.grant_strings as string[] | undefined) ?? [];
            if (grants.length > 0) {
                out.grants = grants.map((raw) => {
                    const parsed = parseGrant(raw);
                    return { raw, canonical: raw, json: { ids: parsed.ids, ...(parsed.type ? { type: parsed.type } : {}), actions: parsed.actions } };
                });
            }
        }
        for (const [field, value] of Object.entries(out)) {
            if (value === undefined || (Array.isArray(value) && value.length === 0)) {
                delete out[field];
            }
        }
        return JSON.parse(JSON.stringify(out));
    }

    /** List: `{items}` (omitted when empty), filter by go-bexpr over `/item/...` (handlers/filtering.go). */
    private list(collection: string, spec: Collection, url: URL): Reply {
        const parentId = url.searchParams.get(spec.parent);
        if (!parentId) {
            // e.g. targets/target_service.go validateListRequest
            return invalidArgument("Improperly formatted identifier.", { [spec.parent]: "This field must be a valid project scope ID or the list operation must be recursive." });
        }
        let matches: (item: Record<string, unknown>) => boolean = () => true;
        const filter = url.searchParams.get("filter");
        if (filter) {
            const parsed = parseFilter(filter);
            if (typeof parsed === "string") {
                return invalidArgument("Improperly formatted identifier.", { filter: `This field could not be parsed. ${parsed}` });
            }
            matches = parsed;
        }
        const items = this.siblings(collection, spec, parentId).map((item) => this.present(item)).filter((item) => matches({ item }));
        // ListTargetsResponse et al.: response_type "complete", sort_by created_time, sort_dir desc, a list_token.
        return [200, {
            ...(items.length > 0 ? { items: items.reverse() } : {}), response_type: "complete", list_token: `lt_${this.newId()}`,
            sort_by: "created_time", sort_dir: "desc", est_item_count: items.length,
        }];
    }

    private update(spec: Collection, item: StoredItem, key: string, recorded: RecordedRequest): Reply {
        const { body, error } = this.decode(spec.definition, key, recorded);
        if (error) {
            return error;
        }
        // handlers/verifiers.go ValidateUpdateRequest
        const bad: Record<string, string> = {};
        if (body.name !== undefined && body.name !== null && String(body.name).trim() === "") {
            bad.name = "Cannot set empty string as name";
        }
        if (body.description !== undefined && body.description !== null && String(body.description).trim() === "") {
            bad.description = "Cannot set empty string as description";
        }
        if (!body.version) {
            bad.version = "Existing resource version is required for an update.";
        }
        if (body.id !== undefined) {
            bad.id = "This is a read only field and cannot be specified in an update request.";
        }
        for (const field of ["created_time", "updated_time"]) {
            if (body[field] !== undefined) {
                bad[field] = "This is a read only field and cannot be specified in an update request.";
            }
        }
        if (body.type !== undefined && body.type !== item.type) {
            bad.type = "Cannot modify the resource type.";
        }
        if (item.type && subtypes[item.collection]?.[item.type as string] && body.attributes !== undefined && body.attributes !== null) {
            Object.assign(bad, this.attributeErrors(item.collection, item.type as string, body.attributes, "update"));
        }
        if (item.collection === "roles") {
            for (const field of ["principal_ids", "principals", "grants", "grant_strings"]) {
                if (body[field] !== undefined) {
                    bad[field] = "This is a read only field and cannot be specified in an update request.";
                }
            }
        }
        if (Object.keys(bad).length > 0) {
            return invalidArgument("Error in provided request.", bad);
        }
        const { version, scope_id: _scope, host_catalog_id: _catalog, credential_store_id: _store, type: _type, ...changes } = body;
        if (Object.keys(changes).length === 0) {
            // e.g. targets/target_service.go updateInRepo: an empty update mask.
            return invalidArgument("No valid fields included in the update mask.", { update_mask: "No valid paths provided in the update mask." });
        }
        if (version !== item.version) {
            return [404, { kind: "NotFound", message: spec.versionMessage(item.id) }];
        }
        if (typeof changes.name === "string" && this.siblings(item.collection, spec, item[spec.parent])
            .some((other) => other.id !== item.id && other.name === changes.name.trim())) {
            return invalidArgument(uniquenessMessage);
        }
        // The update mask is the set of fields present in the body (grpc-gateway FieldMaskFromRequestBody);
        // a null clears a field; attributes merge key by key.
        for (const [field, value] of Object.entries(changes)) {
            if (field === "attributes" && value && typeof value === "object") {
                const attributes = { ...(item.attributes as Record<string, unknown> ?? {}) };
                for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
                    if (entry === null) {
                        delete attributes[name];
                    } else if (item.collection === "credential-stores" && name === "token") {
                        item.secret = { token: entry };
                        attributes.token_hmac = `hmac-${this.newId()}`;
                    } else {
                        attributes[name] = entry;
                    }
                }
                item.attributes = attributes;
            } else if (value === null) {
                delete item[field];
            } else {
                item[field] = typeof value === "string" && (field === "name" || field === "description") ? value.trim() : value;
            }
        }
        item.version++;
        item.updated_time = new Date().toISOString();
        return [200, this.present(item)];
    }

    private action(item: StoredItem, action: string, key: string, recorded: RecordedRequest): Reply {
        const { body, error } = this.decode(schemas.operations[key].request!, key, recorded);
        if (error) {
            return error;
        }
        const [verb, ...nouns] = action.split("-");
        const noun = nouns.join("-");
        const bad: Record<string, string> = {};
        if (!body.version) {
            bad.version = "Required field.";
        }
        const field = ({ "host-sources": "host_source_ids", "hosts": "host_ids", "principals": "principal_ids", "grants": "grant_strings" } as Record<string, string>)[noun];
        const ids: string[] = noun === "credential-sources" ? [] : body[field] ?? [];
        const brokered: string[] = body.brokered_credential_source_ids ?? [];
        const injected: string[] = body.injected_application_credential_source_ids ?? [];
        switch (noun) {
            case "host-sources":
                // targets/target_service.go validate{Add,Set,Remove}HostSourcesRequest
                if (verb !== "set" && ids.length === 0) {
                    bad.host_source_ids = "Must be non-empty.";
                }
                for (const id of ids) {
                    if (!/^(hsst|hsplg|hs)_[A-Za-z0-9]+$/.test(id)) {
                        bad.host_source_ids = `Incorrectly formatted host source identifier "${id}".`;
                        break;
                    }
                }
                break;
            case "credential-sources":
                // targets/target_service.go validate{Add,Set}CredentialSourcesRequest: the SSH certificate
                // library prefix is accepted only as an injected application source.
                if (verb !== "set" && brokered.length + injected.length === 0) {
                    bad.brokered_credential_source_ids = "Brokered or Injected Application Credential Source IDs must be provided.";
                    bad.injected_application_credential_source_ids = "Brokered or Injected Application Credential Source IDs must be provided.";
                }
                for (const id of brokered) {
                    if (!/^(clvlt|clvllt|credup|credupd|cred|credp|credspk|credjson)_[A-Za-z0-9]+$/.test(id)) {
                        bad.brokered_credential_source_ids = `Incorrectly formatted credential source identifier "${id}".`;
                        break;
                    }
                }
                for (const id of injected) {
                    if (!/^(clvlt|clvsclt|clvllt|credup|credupd|cred|credspk)_[A-Za-z0-9]+$/.test(id)) {
                        bad.injected_application_credential_source_ids = `Incorrectly formatted credential source identifier "${id}".`;
                        break;
                    }
                }
                break;
            case "hosts":
                for (const id of ids) {
                    if (!/^hst_[A-Za-z0-9]+$/.test(id)) {
                        bad.host_ids = `Incorrectly formatted host identifier "${id}".`; // GUESS at the wording
                        break;
                    }
                }
                break;
            case "principals":
                // roles/role_service.go validateSetRolePrincipalsRequest
                for (const id of ids) {
                    if (!/^(u|g|mgoidc|mgldap)_[A-Za-z0-9]+$/.test(id)) {
                        bad.principal_ids = "Must only have valid user, group, and/or managed group ids.";
                    }
                    if (id === "u_recovery") {
                        bad.principal_ids = "u_recovery cannot be assigned to a role";
                    }
                }
                break;
            case "grants":
                // roles/role_service.go validateSetRoleGrantsRequest → perms.Parse
                for (const grant of ids) {
                    if (grant === "") {
                        bad.grant_strings = "Grant strings must not be empty.";
                        break;
                    }
                    try {
                        parseGrant(grant);
                    } catch (parseError) {
                        bad.grant_strings = `Improperly formatted grant "${grant}": ${(parseError as Error).message}.`;
                        break;
                    }
                }
                break;
            default:
                return [405, { kind: "Unimplemented", message: `unknown action ${action}` }];
        }
        if (Object.keys(bad).length > 0) {
            return invalidArgument("Errors in provided fields.", bad);
        }
        if (body.version !== item.version) {
            return staleAction(item.collection, verb, noun);
        }
        const references = noun === "credential-sources" ? [...brokered, ...injected] : noun === "grants" ? [] : ids;
        const missing = references.find((id) => !this.items.has(id));
        if (missing) {
            // A foreign key violation in the repository surfaces as the handler's Internal error (GUESS at the %v text).
            return internal(`${actionFailure(item.collection, verb, noun)}: reference ${missing} not found.`);
        }
        if (noun === "credential-sources" && injected.length > 0 && item.type === "tcp") {
            // internal/target/tcp/register.go VetCredentialSources
            return internal(`${actionFailure(item.collection, verb, noun)}: tcp.VetCredentialSources: tcp.Target only supports credential purpose: "brokered": parameter violation: error #100.`);
        }
        const apply = (name: string, values: string[]) => {
            const current = (item[name] as string[] | undefined) ?? [];
            item[name] = verb === "set" ? [...new Set(values)] : verb === "add" ? [...new Set([...current, ...values])] : current.filter((entry) => !values.includes(entry));
        };
        if (noun === "credential-sources") {
            if (verb === "set" || brokered.length > 0) {
                apply("brokered_credential_source_ids", brokered);
            }
            if (verb === "set" || injected.length > 0) {
                apply("injected_application_credential_source_ids", injected);
            }
        } else {
            apply(field, ids);
        }
        item.version++;
        item.updated_time = new Date().toISOString();
        return [200, this.present(item)];
    }

    private remove(item: StoredItem): void {
        this.items.delete(item.id);
        // Deleting a parent deletes its children (database cascades); references to it disappear.
        for (const other of [...this.items.values()]) {
            const spec = collections[other.collection];
            if (other[spec.parent] === item.id) {
                this.remove(other);
            }
            for (const field of ["host_source_ids", "host_ids", "principal_ids", "brokered_credential_source_ids", "injected_application_credential_source_ids"]) {
                if (Array.isArray(other[field]) && (other[field] as string[]).includes(item.id)) {
                    other[field] = (other[field] as string[]).filter((id) => id !== item.id);
                }
            }
        }
    }
}

/** The handler message of an action that failed in the repository. */
function actionFailure(collection: string, verb: string, noun: string): string {
    const messages: Record<string, string> = {
        "targets add host-sources": "Failed to add target host sources",
        "targets set host-sources": "Failed to set target host sources",
        "targets remove host-sources": "Unable to remove host sources from target",
        "targets add credential-sources": "Unable to add credential sources to target",
        "targets set credential-sources": "Unable to set credential sources in target",
        "targets remove credential-sources": "Unable to remove credential sources from target",
        "roles add principals": "Unable to add principals to role",
        "roles set principals": "Unable to set principals on role",
        "roles remove principals": "Unable to remove principals from role",
        "roles add grants": "Unable to add grants to role",
        "roles set grants": "Unable to set grants on role",
        "roles remove grants": "Unable to remove grants from role",
    };
    return messages[`${collection} ${verb} ${noun}`] ?? `Unable to ${verb} ${noun}`;
}

/**
 * An action at a stale version. Targets: the repository's version-guarded update touches 0 rows and
 * returns MultipleRecords (internal/target/repository_host_source.go), which the handler turns into 500
 * Internal. Host sets: updateVersion returns RecordNotFound (internal/host/static/repository_host_set_member.go)
 * → 404 "Unable to find requested resource." (errors.go genericNotFoundMsg). Roles: 500 with the handler's
 * message (roles/role_service.go; the repository path is not traced here: GUESS that it fails the same way).
 */
function staleAction(collection: string, verb: string, noun: string): Reply {
    if (collection === "host-sets") {
        return [404, { kind: "NotFound", message: "Unable to find requested resource." }];
    }
    const failure = actionFailure(collection, verb, noun);
    return internal(noun === "host-sources" && verb !== "remove" ? failure : `${failure}: version mismatch.`);
}

/** Parses Boundary username templates as internal/util/template does (text/template with .User/.Account fields). */
function usernameTemplateParses(template: string): boolean {
    const fields = new Set(["Id", "Name", "LoginName", "FullName", "Email", "Subject"]);
    for (const match of template.matchAll(/\{\{(.*?)\}\}/g)) {
        const expression = match[1].trim();
        const field = /^\.(User|Account)\.(\w+)$/.exec(expression);
        if (!field || !fields.has(field[2]) || (field[1] === "User" && field[2] === "Subject")) {
            // truncateFrom/coalesce pipelines are valid upstream but not modelled: refused (stricter).
            return false;
        }
    }
    return !/\{\{|\}\}/.test(template.replace(/\{\{(.*?)\}\}/g, ""));
}

/**
 * A subset of go-bexpr as Boundary applies it to `{"item": ...}` (handlers/filtering.go): clauses
 * `"/item/<field>" == "<value>"` joined by `and`. Anything else is refused instead of guessed.
 */
function parseFilter(filter: string): ((value: Record<string, unknown>) => boolean) | string {
    const clauses = filter.split(/\s+and\s+/);
    const tests: ((value: Record<string, unknown>) => boolean)[] = [];
    for (const clause of clauses) {
        const match = /^\s*"(\/item(?:\/[A-Za-z0-9_]+)+)"\s*==\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(clause);
        if (!match) {
            return `unsupported by this conformance server: ${clause}`;
        }
        const pointer = match[1].split("/").slice(1);
        const wanted = JSON.parse(`"${match[2]}"`);
        tests.push((value) => pointer.reduce<any>((node, key) => node?.[key], value) === wanted);
    }
    return (value) => tests.every((test) => test(value));
}

export { H as handlersSource };
