// A small client for Boundary's HTTP API (/v1). Self-contained on purpose: the
// dynamic provider that uses it is serialized into Pulumi state, so this file
// imports nothing and relies only on globals (fetch, URL, setTimeout).

export interface BoundaryConnection {
    /** Boundary controller address, e.g. https://boundary.example.com. */
    address: string;
    /** A token to use as is; or log in with the password auth method below. */
    token?: string;
    authMethodId?: string;
    loginName?: string;
    password?: string;
}

export interface BoundaryItem {
    id: string;
    version?: number;
    name?: string;
    [field: string]: unknown;
}

export class BoundaryApiError extends Error {
    constructor(readonly status: number, readonly kind: string, message: string) {
        super(message);
        this.name = "BoundaryApiError";
    }
}

type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{ status: number; text(): Promise<string> }>;

export interface ClientOptions {
    /** Attempts for a request that fails with a network error, 429 or 5xx. */
    attempts?: number;
    /** First back-off in milliseconds; doubles each retry. */
    backoffMs?: number;
    fetch?: Fetch;
}

/** Collections under /v1 and the field that names each item's parent. */
export const parentField: Record<string, string> = {
    "scopes": "scope_id",
    "auth-methods": "scope_id",
    "host-catalogs": "scope_id",
    "hosts": "host_catalog_id",
    "host-sets": "host_catalog_id",
    "credential-stores": "scope_id",
    "credential-libraries": "credential_store_id",
    "targets": "scope_id",
    "roles": "scope_id",
};

export class BoundaryClient {
    private token?: string;
    private readonly attempts: number;
    private readonly backoffMs: number;
    private readonly fetchImpl: Fetch;

    constructor(private readonly connection: BoundaryConnection, options: ClientOptions = {}) {
        this.token = connection.token;
        this.attempts = options.attempts ?? 4;
        this.backoffMs = options.backoffMs ?? 250;
        this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    }

    /** One API call with retries for transient failures; Boundary's error surfaces as BoundaryApiError. */
    async request(method: string, path: string, body?: unknown, authenticated = true): Promise<any> {
        if (authenticated && !this.token) {
            await this.login();
        }
        const url = `${this.connection.address.replace(/\/+$/, "")}/v1/${path}`;
        let lastError: unknown;
        for (let attempt = 1; attempt <= this.attempts; attempt++) {
            let response: { status: number; text(): Promise<string> };
            try {
                response = await this.fetchImpl(url, {
                    method,
                    headers: { "content-type": "application/json", ...(authenticated ? { authorization: `Bearer ${this.token}` } : {}) },
                    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
                });
            } catch (error) {
                lastError = new Error(`boundary: ${method} /v1/${path}: ${(error as Error).message}`);
                await this.pause(attempt);
                continue;
            }
            const text = await response.text();
            const parsed = text ? safeJson(text) : {};
            if (response.status < 300) {
                return parsed;
            }
            const error = new BoundaryApiError(response.status, String(parsed?.kind ?? "Unknown"),
                `boundary: ${method} /v1/${path}: ${response.status} ${parsed?.kind ?? ""}: ${parsed?.message ?? text}${describeDetails(parsed?.details)}`);
            if (response.status === 429 || response.status >= 500) {
                lastError = error;
                await this.pause(attempt);
                continue;
            }
            throw error;
        }
        throw lastError;
    }

    async login(): Promise<void> {
        const { authMethodId, loginName, password } = this.connection;
        if (!authMethodId || !loginName || !password) {
            throw new Error("boundary: no token, and no auth method, login name and password to log in with");
        }
        const result = await this.request("POST", `auth-methods/${authMethodId}:authenticate`, {
            command: "login", attributes: { login_name: loginName, password },
        }, false);
        const token = result?.attributes?.token;
        if (!token) {
            throw new Error(`boundary: login with auth method ${authMethodId} returned no token`);
        }
        this.token = token;
    }

    async read(collection: string, id: string): Promise<BoundaryItem | undefined> {
        try {
            return (await this.request("GET", `${collection}/${id}`)).item ?? undefined;
        } catch (error) {
            if (error instanceof BoundaryApiError && error.status === 404) {
                return undefined;
            }
            throw error;
        }
    }

    /**
     * Creates an item. If an earlier attempt already created it (a retry after a lost
     * response), Boundary answers that the name exists: the existing item is adopted.
     */
    async create(collection: string, fields: Record<string, unknown>): Promise<BoundaryItem> {
        try {
            return (await this.request("POST", collection, fields)).item;
        } catch (error) {
            const conflict = error instanceof BoundaryApiError && (error.status === 409 || /already exists|unique/i.test(error.message));
            const existing = conflict ? await this.findByName(collection, fields) : undefined;
            if (existing) {
                return existing;
            }
            throw error;
        }
    }

    async findByName(collection: string, fields: Record<string, unknown>): Promise<BoundaryItem | undefined> {
        const parent = parentField[collection];
        const parentId = fields[parent];
        if (typeof fields.name !== "string" || typeof parentId !== "string") {
            return undefined;
        }
        const filter = encodeURIComponent(`"/item/name" == "${fields.name}"`);
        const list = await this.request("GET", `${collection}?${parent}=${encodeURIComponent(parentId)}&filter=${filter}`);
        return (list.items ?? []).find((item: BoundaryItem) => item.name === fields.name);
    }

    /** PATCH with the item's current version; retried once if the version moved underneath. */
    async update(collection: string, id: string, fields: Record<string, unknown>): Promise<BoundaryItem> {
        for (let attempt = 1; ; attempt++) {
            const current = await this.read(collection, id);
            if (!current) {
                throw new BoundaryApiError(404, "NotFound", `boundary: update ${collection}/${id}: it no longer exists`);
            }
            try {
                return (await this.request("PATCH", `${collection}/${id}`, { ...fields, version: current.version })).item;
            } catch (error) {
                if (attempt >= 2 || !(error instanceof BoundaryApiError) || !/version/i.test(error.message)) {
                    throw error;
                }
            }
        }
    }

    /** An item action (`:set-host-sources`, `:set-principals`, ...) at the item's current version. */
    async action(collection: string, id: string, action: string, fields: Record<string, unknown>): Promise<BoundaryItem> {
        const current = await this.read(collection, id);
        if (!current) {
            throw new BoundaryApiError(404, "NotFound", `boundary: ${action} on ${collection}/${id}: it no longer exists`);
        }
        return (await this.request("POST", `${collection}/${id}:${action}`, { ...fields, version: current.version })).item;
    }

    /** Deletes an item; one that is already gone counts as deleted. */
    async delete(collection: string, id: string): Promise<void> {
        try {
            await this.request("DELETE", `${collection}/${id}`);
        } catch (error) {
            if (!(error instanceof BoundaryApiError && error.status === 404)) {
                throw error;
            }
        }
    }

    private pause(attempt: number): Promise<void> {
        return attempt >= this.attempts ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, this.backoffMs * 2 ** (attempt - 1)));
    }
}

function safeJson(text: string): any {
    try {
        return JSON.parse(text);
    } catch {
        return { message: text };
    }
}

function describeDetails(details: any): string {
    const fields: any[] = details?.request_fields ?? [];
    return fields.length === 0 ? "" : ` (${fields.map((f) => `${f.name}: ${f.description}`).join("; ")})`;
}
