// A small client for Boundary's controller API (/v1), written against
// hashicorp/boundary v0.21.3 (internal/gen/controller.swagger.json and the handlers
// under internal/daemon/controller/handlers/; facts in docs/upstream.md, "Boundary
// API and editions"). Self-contained on purpose: the dynamic provider that uses it is
// serialized into Pulumi state by the SDK's closure serializer, so this file imports
// nothing, relies only on globals (fetch, setTimeout), and defines no Error subclass
// (the serializer rewrites `class X extends Error` so that `this.message` is never
// set): a Boundary error is a plain Error whose message says everything, with its
// fields as an own `boundary` property.

export interface BoundaryConnection {
    /** Boundary controller address, e.g. https://boundary.example.com. */
    address: string;
    /** A token to use as is; or log in with the password auth method below. */
    token?: string;
    authMethodId?: string;
    loginName?: string;
    password?: string;
    /** Retries of transient failures (network, 429, 5xx): attempts in all, first back-off in ms (doubles). */
    retry?: { attempts?: number; backoffMs?: number };
}

/** An item as Boundary returns it: the resource itself (no wrapper). */
export interface BoundaryItem {
    id: string;
    version?: number;
    name?: string;
    [field: string]: unknown;
}

/** What Boundary said when it refused a call (controller.api.v1.Error). */
export interface BoundaryErrorInfo {
    status: number;
    kind: string;
    message: string;
    fields: { name: string; description: string }[];
}

/** The Boundary error carried by an Error thrown by this client, if any. */
export function boundaryErrorOf(error: unknown): BoundaryErrorInfo | undefined {
    const info = (error as { boundary?: BoundaryErrorInfo } | undefined)?.boundary;
    return info && typeof info.status === "number" ? info : undefined;
}

interface FetchResponse { status: number; text(): Promise<string>; headers?: { get(name: string): string | null } }
type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<FetchResponse>;

export interface ClientOptions {
    /** Names the resource in every error message, e.g. `target "alpha-alice"`. */
    subject?: string;
    fetch?: Fetch;
}

/** Collections under /v1 and the field that names each item's parent. */
export const parentField: Record<string, string> = {
    "scopes": "scope_id",
    "users": "scope_id",
    "auth-methods": "scope_id",
    "accounts": "auth_method_id",
    "host-catalogs": "scope_id",
    "hosts": "host_catalog_id",
    "host-sets": "host_catalog_id",
    "credential-stores": "scope_id",
    "credential-libraries": "credential_store_id",
    "targets": "scope_id",
    "roles": "scope_id",
};

interface Outcome { status: number; body: any; text: string; retryAfterMs?: number }

// handlers/errors.go genericUniquenessMsg: a second item with the same unique field (name per parent).
const uniquenessPattern = /must be unique/i;

export class BoundaryClient {
    private token?: string;
    private readonly attempts: number;
    private readonly backoffMs: number;
    private readonly fetchImpl: Fetch;
    private readonly subject: string;

    constructor(private readonly connection: BoundaryConnection, options: ClientOptions = {}) {
        this.token = connection.token;
        this.attempts = Math.max(1, connection.retry?.attempts ?? 5);
        this.backoffMs = connection.retry?.backoffMs ?? 250;
        this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
        this.subject = options.subject ?? "boundary";
    }

    /** One HTTP exchange; a network failure becomes status 0. Never throws for an HTTP status. */
    private async send(method: string, path: string, body: unknown, authenticated: boolean): Promise<Outcome> {
        if (authenticated && !this.token) {
            await this.login();
        }
        const url = `${this.connection.address.replace(/\/+$/, "")}/v1/${path}`;
        try {
            const response = await this.fetchImpl(url, {
                method,
                headers: { "content-type": "application/json", ...(authenticated ? { authorization: `Bearer ${this.token}` } : {}) },
                ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            });
            const text = await response.text();
            let parsed: any = {};
            if (text) {
                try {
                    parsed = JSON.parse(text);
                } catch {
                    parsed = { message: text };
                }
            }
            // The swagger document's info: 429 and 503 carry Retry-After (seconds).
            const retryAfter = Number(response.headers?.get("retry-after") ?? NaN);
            return { status: response.status, body: parsed, text, ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}) };
        } catch (error) {
            return { status: 0, body: { kind: "Unavailable", message: String((error as Error)?.message ?? error) }, text: "" };
        }
    }

    private transient(outcome: Outcome): boolean {
        return outcome.status === 0 || outcome.status === 429 || outcome.status >= 500;
    }

    /** A plain Error naming the resource, the call and Boundary's own kind, message and field details. */
    fail(method: string, path: string, outcome: Outcome, what?: string): Error {
        const details: { name: string; description: string }[] = Array.isArray(outcome.body?.details?.request_fields) ? outcome.body.details.request_fields : [];
        const info: BoundaryErrorInfo = {
            status: outcome.status, kind: String(outcome.body?.kind ?? "Unknown"), message: String(outcome.body?.message ?? outcome.text), fields: details,
        };
        const where = outcome.status === 0 ? "unreachable" : `${info.status} ${info.kind}`;
        const fields = details.length === 0 ? "" : ` (${details.map((field) => `${field.name}: ${field.description}`).join("; ")})`;
        const error = new Error(`${this.subject}: ${what ? `${what}: ` : ""}${method} /v1/${path}: ${where}: ${info.message}${fields}`);
        Object.defineProperty(error, "boundary", { value: info, enumerable: true });
        return error;
    }

    /** Repeats a call while it fails transiently, with back-off; returns the last outcome. */
    private async call(method: string, path: string, body?: unknown, authenticated = true): Promise<Outcome> {
        let outcome: Outcome = { status: 0, body: {}, text: "" };
        for (let attempt = 1; attempt <= this.attempts; attempt++) {
            outcome = await this.send(method, path, body, authenticated);
            if (!this.transient(outcome)) {
                return outcome;
            }
            await this.pause(attempt, outcome);
        }
        return outcome;
    }

    async login(): Promise<void> {
        const { authMethodId, loginName, password } = this.connection;
        if (!authMethodId || !loginName || !password) {
            throw new Error(`${this.subject}: no Boundary token, and no auth method, login name and password to log in with`);
        }
        const path = `auth-methods/${authMethodId}:authenticate`;
        const outcome = await this.call("POST", path, { command: "login", attributes: { login_name: loginName, password } }, false);
        const token = outcome.body?.attributes?.token;
        if (outcome.status !== 200 || typeof token !== "string") {
            throw this.fail("POST", path, outcome, `log in as ${loginName}`);
        }
        this.token = token;
    }

    /** The item, or undefined when Boundary says it does not exist (404). */
    async read(collection: string, id: string): Promise<BoundaryItem | undefined> {
        const path = `${collection}/${id}`;
        const outcome = await this.call("GET", path);
        if (outcome.status === 404) {
            return undefined;
        }
        if (outcome.status !== 200) {
            throw this.fail("GET", path, outcome, "read");
        }
        return outcome.body as BoundaryItem;
    }

    /** Items of a collection under a parent, optionally filtered (go-bexpr over `/item/...`). */
    async list(collection: string, parentId: string, filter?: string): Promise<BoundaryItem[]> {
        const path = `${collection}?${parentField[collection]}=${encodeURIComponent(parentId)}${filter ? `&filter=${encodeURIComponent(filter)}` : ""}`;
        const outcome = await this.call("GET", path);
        if (outcome.status !== 200) {
            throw this.fail("GET", path, outcome, "list");
        }
        // EmitUnpopulated is false (handlers/marshaler.go): an empty list has no `items` at all.
        return Array.isArray(outcome.body?.items) ? outcome.body.items : [];
    }

    /**
     * Creates an item. When an attempt's answer was lost (network failure or 5xx after the
     * controller may have acted) and the retry is refused because the name exists, the item
     * the lost attempt made is adopted; a name taken before this call is an error.
     */
    async create(collection: string, fields: Record<string, unknown>): Promise<BoundaryItem & { adopted?: boolean }> {
        let uncertain = false;
        let outcome: Outcome = { status: 0, body: {}, text: "" };
        for (let attempt = 1; attempt <= this.attempts; attempt++) {
            outcome = await this.send("POST", collection, fields, true);
            if (outcome.status === 200) {
                return outcome.body as BoundaryItem;
            }
            if (this.transient(outcome)) {
                uncertain = true;
                await this.pause(attempt, outcome);
                continue;
            }
            const duplicate = outcome.status === 400 && outcome.body?.kind === "InvalidArgument" && uniquenessPattern.test(String(outcome.body?.message));
            if (duplicate && uncertain) {
                const existing = await this.findByName(collection, fields);
                if (existing) {
                    return { ...existing, adopted: true };
                }
            }
            if (duplicate) {
                throw this.fail("POST", collection, outcome, `create: the name ${JSON.stringify(fields.name)} is taken in ${String(fields[parentField[collection]])} by an item Pulumi did not create (import it or rename)`);
            }
            break;
        }
        throw this.fail("POST", collection, outcome, "create");
    }

    async findByName(collection: string, fields: Record<string, unknown>): Promise<BoundaryItem | undefined> {
        const parentId = fields[parentField[collection]];
        if (typeof fields.name !== "string" || typeof parentId !== "string") {
            return undefined;
        }
        const items = await this.list(collection, parentId, `"/item/name" == ${JSON.stringify(fields.name)}`);
        return items.find((item) => item.name === fields.name);
    }

    /**
     * PATCH at the item's current version. Boundary answers a stale version with 404 "... incorrect
     * version provided" (the same status as a missing item): re-read, and retry while it exists.
     */
    async update(collection: string, id: string, fields: Record<string, unknown>): Promise<BoundaryItem> {
        return this.versioned(collection, id, "PATCH", `${collection}/${id}`, fields, "update");
    }

    /** An item action (`set-host-sources`, `set-principals`, ...) at the item's current version. */
    async action(collection: string, id: string, action: string, fields: Record<string, unknown>): Promise<BoundaryItem> {
        return this.versioned(collection, id, "POST", `${collection}/${id}:${action}`, fields, action);
    }

    /**
     * Sends a versioned mutation. A stale version surfaces as 404 (PATCH, host-set actions) or as
     * 500 Internal (target and role actions), so both re-read the version before the next attempt.
     */
    private async versioned(collection: string, id: string, method: string, path: string, fields: Record<string, unknown>, what: string): Promise<BoundaryItem> {
        let outcome: Outcome = { status: 0, body: {}, text: "" };
        for (let attempt = 1; attempt <= this.attempts; attempt++) {
            const current = await this.read(collection, id);
            if (!current) {
                throw new Error(`${this.subject}: ${what}: ${collection}/${id} no longer exists in Boundary (deleted outside Pulumi); run \`pulumi refresh\` and \`pulumi up\` to recreate it`);
            }
            outcome = await this.send(method, path, { ...fields, version: current.version }, true);
            if (outcome.status === 200) {
                return outcome.body as BoundaryItem;
            }
            if (outcome.status !== 404 && !this.transient(outcome)) {
                break;
            }
            await this.pause(attempt, outcome);
        }
        throw this.fail(method, path, outcome, what);
    }

    /** Deletes an item (204); one that is already gone (404) counts as deleted. */
    async delete(collection: string, id: string): Promise<void> {
        const path = `${collection}/${id}`;
        const outcome = await this.call("DELETE", path);
        if (outcome.status !== 204 && outcome.status !== 200 && outcome.status !== 404) {
            throw this.fail("DELETE", path, outcome, "delete");
        }
    }

    private pause(attempt: number, outcome: Outcome): Promise<void> {
        if (attempt >= this.attempts) {
            return Promise.resolve();
        }
        const delay = Math.min(outcome.retryAfterMs ?? this.backoffMs * 2 ** (attempt - 1), 30_000);
        return new Promise((resolve) => setTimeout(resolve, delay));
    }
}
