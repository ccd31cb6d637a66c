// Typed Boundary resources over the project's dynamic provider.

import * as pulumi from "@pulumi/pulumi";
import { BoundaryConnection } from "./client";
import { dynamicResourceType } from "../../installed-provider";
import { boundaryProviderText } from "./provider-reference";

type Fields = Record<string, pulumi.Input<unknown>>;

/** Boundary refuses `description: ""` ("Cannot set empty string as description", handlers/verifiers.go): leave it out instead. */
function describedAs(description: string | undefined): { description?: string } {
    return description && description.trim() !== "" ? { description } : {};
}

/** Where the provider reaches Boundary: address and token or password login (kept secret). */
export type ConnectionInput = pulumi.Input<BoundaryConnection>;

/** Outputs of every Boundary resource the engine keeps secret (they hold the credentials). */
export const boundarySecretOutputs: readonly string[] = ["connection", "secretAttributes"];

/**
 * One secret Output per connection input, shared by every Boundary resource given that input:
 * the same value and dependencies in each registration, and one Output to resolve instead of one
 * per resource (about 2% of the enterprise render's CPU: docs/operations-scale.md, "Render CPU").
 */
const secretConnections = new WeakMap<object, pulumi.Output<BoundaryConnection>>();
function secretConnection(connection: ConnectionInput): pulumi.Output<BoundaryConnection> {
    if (typeof connection !== "object" || connection === null) {
        return pulumi.secret(connection);
    }
    let found = secretConnections.get(connection);
    if (!found) {
        found = pulumi.secret(connection);
        secretConnections.set(connection, found);
    }
    return found;
}

/**
 * A dynamic resource registered as pulumi.dynamic.Resource registers one (the same type,
 * name, parent, options and inputs, `__provider` last), but with the provider text
 * written by the program (provider-reference.ts boundaryProviderText) instead of one the
 * SDK's closure serializer derives from a provider object at run time.
 */
abstract class BoundaryResource extends pulumi.CustomResource {
    constructor(kind: string, collection: string, name: string, connection: ConnectionInput, fields: Fields,
        actions: Record<string, Fields>, meta: Record<string, unknown>, opts?: pulumi.CustomResourceOptions,
        secretAttributes?: Record<string, pulumi.Input<unknown>>) {
        super(dynamicResourceType, name, {
            boundaryKind: kind, collection, connection: secretConnection(connection), fields, actions, meta,
            ...(secretAttributes ? { secretAttributes: pulumi.secret(secretAttributes) } : {}),
            __provider: boundaryProviderText,
        }, { ...opts, additionalSecretOutputs: [...boundarySecretOutputs] });
    }
}

export interface ScopeArgs { connection: ConnectionInput; parentScopeId: pulumi.Input<string>; name: string; description?: string }
export class Scope extends BoundaryResource {
    constructor(name: string, args: ScopeArgs, opts?: pulumi.CustomResourceOptions) {
        super("scope", "scopes", name, args.connection, { scope_id: args.parentScopeId, name: args.name, ...describedAs(args.description) }, {}, {}, opts);
    }
}

export interface UserArgs {
    connection: ConnectionInput; scopeId: pulumi.Input<string>; name: string; description?: string;
    /** Accounts to link (`:set-accounts`); each must be in an auth method of the user's own scope. */
    accountIds?: pulumi.Input<string>[];
    /** What the user is for, when not a developer (e.g. `{ deployer: team }`); replaces the developer meta. */
    meta?: Record<string, unknown>;
}
/** A Boundary user for a developer; link it to the developer's account(s) in Boundary. */
export class User extends BoundaryResource {
    constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
        super("user", "users", name, args.connection, { scope_id: args.scopeId, name: args.name, ...describedAs(args.description) },
            args.accountIds ? { "set-accounts": { account_ids: args.accountIds } } : {}, args.meta ?? { developer: args.name }, opts);
    }
}

export interface AccountPasswordArgs {
    connection: ConnectionInput; authMethodId: pulumi.Input<string>; name: string; loginName: string;
    /** Initial password (kept secret); Boundary stores only its hash. */
    password: pulumi.Input<string>;
}
/**
 * A password account (hashicorp/boundary internal/proto/controller/api/resources/accounts/v1/account.proto
 * PasswordAccountAttributes: login_name, password on create). Its parent is the auth method.
 */
export class AccountPassword extends BoundaryResource {
    constructor(name: string, args: AccountPasswordArgs, opts?: pulumi.CustomResourceOptions) {
        super("account", "accounts", name, args.connection, {
            auth_method_id: args.authMethodId, name: args.name, type: "password", attributes: { login_name: args.loginName },
        }, {}, {}, opts, { password: args.password });
    }
}

export interface AuthMethodPasswordArgs { connection: ConnectionInput; scopeId: pulumi.Input<string>; name: string; minPasswordLength?: number }
export class AuthMethodPassword extends BoundaryResource {
    constructor(name: string, args: AuthMethodPasswordArgs, opts?: pulumi.CustomResourceOptions) {
        super("auth-method", "auth-methods", name, args.connection, {
            scope_id: args.scopeId, name: args.name, type: "password", attributes: { min_password_length: args.minPasswordLength ?? 12 },
        }, {}, {}, opts);
    }
}

export interface HostCatalogStaticArgs { connection: ConnectionInput; scopeId: pulumi.Input<string>; name: string; description?: string }
export class HostCatalogStatic extends BoundaryResource {
    constructor(name: string, args: HostCatalogStaticArgs, opts?: pulumi.CustomResourceOptions) {
        super("host-catalog", "host-catalogs", name, args.connection, { scope_id: args.scopeId, name: args.name, type: "static", ...describedAs(args.description) }, {}, {}, opts);
    }
}

export interface HostStaticArgs { connection: ConnectionInput; hostCatalogId: pulumi.Input<string>; name: string; address: string }
export class HostStatic extends BoundaryResource {
    constructor(name: string, args: HostStaticArgs, opts?: pulumi.CustomResourceOptions) {
        super("host", "hosts", name, args.connection, { host_catalog_id: args.hostCatalogId, name: args.name, type: "static", attributes: { address: args.address } }, {}, {}, opts);
    }
}

export interface HostSetStaticArgs { connection: ConnectionInput; hostCatalogId: pulumi.Input<string>; name: string; hostIds: pulumi.Input<string>[] }
export class HostSetStatic extends BoundaryResource {
    constructor(name: string, args: HostSetStaticArgs, opts?: pulumi.CustomResourceOptions) {
        super("host-set", "host-sets", name, args.connection, { host_catalog_id: args.hostCatalogId, name: args.name, type: "static" },
            { "set-hosts": { host_ids: args.hostIds } }, {}, opts);
    }
}

export interface CredentialStoreVaultArgs { connection: ConnectionInput; scopeId: pulumi.Input<string>; name: string; vaultAddress: pulumi.Input<string>; vaultToken: pulumi.Input<string> }
export class CredentialStoreVault extends BoundaryResource {
    constructor(name: string, args: CredentialStoreVaultArgs, opts?: pulumi.CustomResourceOptions) {
        super("credential-store", "credential-stores", name, args.connection, {
            scope_id: args.scopeId, name: args.name, type: "vault", attributes: { address: args.vaultAddress },
        }, {}, {}, opts, { token: args.vaultToken });
    }
}

export interface CredentialLibraryVaultSshCertificateArgs {
    connection: ConnectionInput; credentialStoreId: pulumi.Input<string>; name: string;
    /** Vault sign path, `<mount>/sign/<role>`. */
    path: string;
    /** Principal of the certificate: a login name, or a Boundary template such as `{{.User.Name}}` (internal/util/template). */
    username: string;
    /** Developers whose sessions this library signs for (one for a dedicated target, the roster for a pool). */
    developers: string[];
    extensions?: Record<string, string>;
}
export class CredentialLibraryVaultSshCertificate extends BoundaryResource {
    constructor(name: string, args: CredentialLibraryVaultSshCertificateArgs, opts?: pulumi.CustomResourceOptions) {
        super("credential-library", "credential-libraries", name, args.connection, {
            credential_store_id: args.credentialStoreId, name: args.name, type: "vault-ssh-certificate",
            attributes: { path: args.path, username: args.username, key_type: "ed25519", ...(args.extensions ? { extensions: args.extensions } : {}) },
        }, {}, { developers: args.developers }, opts);
    }
}

export interface TargetArgs {
    connection: ConnectionInput; scopeId: pulumi.Input<string>; name: string; type: "tcp" | "ssh"; defaultPort: number;
    sessionMaxSeconds: number; hostSourceIds: pulumi.Input<string>[]; injectedCredentialSourceIds?: pulumi.Input<string>[];
    /** Developers who may use it: one for a dedicated sandbox, the roster for a pool. */
    developers: string[];
}
export class Target extends BoundaryResource {
    constructor(name: string, args: TargetArgs, opts?: pulumi.CustomResourceOptions) {
        const actions: Record<string, Fields> = { "set-host-sources": { host_source_ids: args.hostSourceIds } };
        if (args.injectedCredentialSourceIds) {
            actions["set-credential-sources"] = { injected_application_credential_source_ids: args.injectedCredentialSourceIds };
        }
        super("target", "targets", name, args.connection, {
            scope_id: args.scopeId, name: args.name, type: args.type, session_max_seconds: args.sessionMaxSeconds,
            attributes: { default_port: args.defaultPort },
        }, actions, { developers: args.developers }, opts);
    }
}

export interface RoleArgs {
    connection: ConnectionInput; scopeId: pulumi.Input<string>; name: string; description?: string;
    principalIds: pulumi.Input<string>[]; grantStrings: pulumi.Input<string>[];
    /** Scopes the grants apply to (`:set-grant-scopes`); unset: the role's own scope ("this"). */
    grantScopeIds?: pulumi.Input<string>[];
    /** The target this role opens and the developers it opens it to. */
    target?: string; developers?: string[];
    /** A team deployer's role: the team it serves (policy: typed grants only, never a wildcard type or action). */
    deployer?: string;
}
export class Role extends BoundaryResource {
    constructor(name: string, args: RoleArgs, opts?: pulumi.CustomResourceOptions) {
        const actions: Record<string, Fields> = args.grantScopeIds ? { "set-grant-scopes": { grant_scope_ids: args.grantScopeIds } } : {};
        actions["set-principals"] = { principal_ids: args.principalIds };
        actions["set-grants"] = { grant_strings: args.grantStrings };
        const meta = args.deployer !== undefined ? { deployer: args.deployer } : { target: args.target, developers: args.developers ?? [] };
        super("role", "roles", name, args.connection, { scope_id: args.scopeId, name: args.name, ...describedAs(args.description) }, actions, meta, opts);
    }
}
