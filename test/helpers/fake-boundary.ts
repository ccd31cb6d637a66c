// A loopback stand-in for Boundary's controller API that enforces the semantics the
// provider relies on: bearer auth from a password login, unique names per parent,
// `version` on every update and action, Boundary-shaped errors. Not Boundary itself.

import * as http from "http";
import { AddressInfo } from "net";

export interface FakeItem { id: string; version: number; [field: string]: unknown }

const parents: Record<string, string> = {
    "scopes": "scope_id", "users": "scope_id", "auth-methods": "scope_id", "host-catalogs": "scope_id", "hosts": "host_catalog_id",
    "host-sets": "host_catalog_id", "credential-stores": "scope_id", "credential-libraries": "credential_store_id", "targets": "scope_id", "roles": "scope_id",
};

export class FakeBoundary {
    readonly items = new Map<string, FakeItem & { collection: string }>();
    readonly requests: { method: string; path: string; authorization?: string; body?: any }[] = [];
    /** Next N requests fail with 503 before they are handled. */
    failBefore = 0;
    /** Next N requests are handled and then answered with 503 (a lost response). */
    loseResponses = 0;
    private server?: http.Server;
    private tokens = new Set<string>();
    private counter = 0;
    address = "";

    constructor(readonly login = { authMethodId: "ampw_1234567890", loginName: "admin", password: "correct horse" }) {}

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

    private handle(req: http.IncomingMessage, text: string, res: http.ServerResponse): void {
        const body = text ? JSON.parse(text) : undefined;
        const url = new URL(req.url!, "http://x");
        this.requests.push({ method: req.method!, path: url.pathname + url.search, authorization: req.headers.authorization, body });
        const send = (status: number, payload?: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(payload === undefined ? "" : JSON.stringify(payload));
        };
        if (this.failBefore > 0) {
            this.failBefore--;
            return send(503, { kind: "Unavailable", message: "controller is restarting" });
        }
        const [status, payload] = this.route(req.method!, url, body);
        if (this.loseResponses > 0) {
            this.loseResponses--;
            return send(503, { kind: "Unavailable", message: "gateway lost the response" });
        }
        send(status, payload);
    }

    private route(method: string, url: URL, body: any): [number, unknown] {
        const path = url.pathname.replace(/^\/v1\//, "");
        const authenticate = /^auth-methods\/([^/:]+):authenticate$/.exec(path);
        if (authenticate && method === "POST") {
            const ok = authenticate[1] === this.login.authMethodId && body?.command === "login"
                && body?.attributes?.login_name === this.login.loginName && body?.attributes?.password === this.login.password;
            if (!ok) {
                return [401, { kind: "Unauthenticated", message: "Unable to authenticate." }];
            }
            const token = `at_${++this.counter}`;
            this.tokens.add(token);
            return [200, { attributes: { token } }];
        }
        const bearer = /^Bearer (.+)$/.exec(this.requests[this.requests.length - 1].authorization ?? "")?.[1];
        if (!bearer || !this.tokens.has(bearer)) {
            return [401, { kind: "Unauthenticated", message: "Unauthenticated, or invalid token." }];
        }
        const [collection, rest] = path.split("/");
        const parent = parents[collection];
        if (!parent) {
            return [404, { kind: "NotFound", message: `Unknown collection ${collection}.` }];
        }
        if (rest === undefined) {
            if (method === "POST") {
                return this.create(collection, parent, body);
            }
            if (method === "GET") {
                const wanted = /"\/item\/name" == "([^"]*)"/.exec(url.searchParams.get("filter") ?? "")?.[1];
                const items = [...this.items.values()].filter((item) => item.collection === collection
                    && item[parent] === url.searchParams.get(parent) && (wanted === undefined || item.name === wanted));
                return [200, { items }];
            }
        }
        const [id, action] = (rest ?? "").split(":");
        const item = this.items.get(id);
        if (!item || item.collection !== collection) {
            return [404, { kind: "NotFound", message: "Resource not found." }];
        }
        if (method === "GET") {
            return [200, { item }];
        }
        if (method === "DELETE") {
            this.items.delete(id);
            return [204, undefined];
        }
        if (body?.version === undefined) {
            return [400, { kind: "InvalidArgument", message: "Invalid request.", details: { request_fields: [{ name: "version", description: "Required field." }] } }];
        }
        if (body.version !== item.version) {
            return [400, { kind: "InvalidArgument", message: "Invalid request.", details: { request_fields: [{ name: "version", description: `Version mismatch: have ${item.version}.` }] } }];
        }
        const { version: _version, ...fields } = body;
        if (method === "PATCH" || (method === "POST" && action)) {
            Object.assign(item, fields);
            item.version++;
            return [200, { item }];
        }
        return [405, { kind: "InvalidArgument", message: "Method not allowed." }];
    }

    private create(collection: string, parent: string, body: any): [number, unknown] {
        if (typeof body?.[parent] !== "string") {
            return [400, { kind: "InvalidArgument", message: "Invalid request.", details: { request_fields: [{ name: parent, description: "Required field." }] } }];
        }
        if (body.name && [...this.items.values()].some((item) => item.collection === collection && item[parent] === body[parent] && item.name === body.name)) {
            return [409, { kind: "AlreadyExists", message: `Resource already exists: name ${body.name} is not unique in ${body[parent]}.` }];
        }
        const item = { ...body, id: `${collection.slice(0, 3)}_${++this.counter}`, version: 1, collection };
        this.items.set(item.id, item);
        return [200, { item }];
    }
}
