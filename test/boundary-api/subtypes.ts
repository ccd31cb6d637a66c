// The subtypes a Boundary controller registers, per edition, and the JSON Schemas
// of their `attributes`. The swagger document types `attributes` as a bare object,
// so these schemas come from the protobuf messages the controller decodes
// `attributes` into (hashicorp/boundary v0.21.3,
// internal/proto/controller/api/resources/<resource>/v1/<resource>.proto).
// The controller decodes them with protojson.Unmarshal without DiscardUnknown
// (internal/types/subtypes/attribute_transform.go convertAttributesToSubtype →
// handlers.StructToProto), so an unknown key is an error: additionalProperties false.
// protojson also accepts each field's lowerCamelCase JSON name; the provider never
// sends those, so they are left out here (a stricter check than the controller's).

import { boundaryTag } from "./derive";

export type Edition = "community" | "enterprise" | "hcp";
export const editions: Edition[] = ["community", "enterprise", "hcp"];

type Schema = Record<string, unknown>;
const uint32 = { type: "integer", minimum: 0, maximum: 4294967295 };
const stringMap = { type: "object", additionalProperties: { type: "string" } };

export interface Subtype {
    /** Id prefix the controller gives items of this subtype (globals/prefixes.go). */
    prefix: string;
    /** Schema of `attributes` (absent: the subtype takes none). */
    attributes?: Schema;
    /** Where the attribute schema and the registration come from. */
    source: string;
    /** Editions whose controller registers the subtype. */
    editions: Edition[];
}

const all: Edition[] = ["community", "enterprise", "hcp"];
const proto = (path: string, message: string) => `hashicorp/boundary ${boundaryTag} internal/proto/controller/api/resources/${path} ${message}`;

/** Collection → subtype name → what the controller knows about it. */
export const subtypes: Record<string, Record<string, Subtype>> = {
    "auth-methods": {
        password: {
            prefix: "ampw", editions: all, source: proto("authmethods/v1/auth_method.proto", "PasswordAuthMethodAttributes"),
            attributes: { type: "object", additionalProperties: false, properties: { min_login_name_length: uint32, min_password_length: uint32 } },
        },
    },
    "accounts": {
        // internal/auth/password registers the password account subtype in every build.
        password: {
            prefix: "acctpw", editions: all, source: proto("accounts/v1/account.proto", "PasswordAccountAttributes"),
            attributes: { type: "object", additionalProperties: false, properties: { login_name: { type: "string" }, password: { type: ["string", "null"] } } },
        },
    },
    "host-catalogs": {
        // internal/host/static/register.go registers the static subtype in every build.
        static: { prefix: "hcst", editions: all, source: "hashicorp/boundary internal/host/static/register.go" },
    },
    "hosts": {
        static: {
            prefix: "hst", editions: all, source: proto("hosts/v1/host.proto", "StaticHostAttributes"),
            attributes: { type: "object", additionalProperties: false, properties: { address: { type: "string" } } },
        },
    },
    "host-sets": {
        static: { prefix: "hsst", editions: all, source: "hashicorp/boundary internal/host/static/register.go" },
    },
    "credential-stores": {
        // internal/credential/vault/register.go: RegisterStoreSubtype("vault", ...) in every build.
        vault: {
            prefix: "csvlt", editions: all, source: proto("credentialstores/v1/credential_store.proto", "VaultCredentialStoreAttributes"),
            attributes: {
                type: "object", additionalProperties: false,
                properties: {
                    address: { type: "string" }, namespace: { type: "string" }, ca_cert: { type: "string" }, tls_server_name: { type: "string" },
                    tls_skip_verify: { type: "boolean" }, token: { type: "string" }, token_hmac: { type: "string" },
                    client_certificate: { type: "string" }, client_certificate_key: { type: "string" }, client_certificate_key_hmac: { type: "string" },
                    worker_filter: { type: "string" }, token_status: { type: "string" },
                },
            },
        },
    },
    "credential-libraries": {
        // internal/daemon/controller/handlers/credentiallibraries/credentiallibrary_service.go validateCreateRequest
        // accepts vault-generic, vault-ssh-certificate and vault-ldap under a vault store in the public
        // (community) source; docs mark the SSH certificate library "HCP Boundary or Boundary Enterprise"
        // because only their ssh targets can use it (see targets below).
        "vault-ssh-certificate": {
            prefix: "clvsclt", editions: all, source: proto("credentiallibraries/v1/credential_library.proto", "VaultSSHCertificateCredentialLibraryAttributes"),
            attributes: {
                type: "object", additionalProperties: false,
                properties: {
                    path: { type: "string" }, username: { type: "string" }, key_type: { type: "string" }, key_bits: uint32, ttl: { type: "string" },
                    key_id: { type: "string" }, critical_options: stringMap, extensions: stringMap,
                    additional_valid_principals: { type: "array", items: { type: "string" } },
                },
            },
        },
    },
    "targets": {
        // internal/daemon/controller/handlers/targets/tcp/tcp.go init(): targets.Register(tcp.Subtype, ...) is the
        // only target registration in the public source; ssh (SshTargetAttributes exists in target.proto) is
        // registered by the HCP/Enterprise build only (docs: "ssh target type ... HCP Boundary only" in the 0.10.0
        // release notes; credential injection "HCP/ENT" in the credential-management docs).
        tcp: {
            prefix: "ttcp", editions: all, source: proto("targets/v1/target.proto", "TcpTargetAttributes"),
            attributes: { type: "object", additionalProperties: false, properties: { default_port: uint32, default_client_port: uint32 } },
        },
        ssh: {
            prefix: "tssh", editions: ["enterprise", "hcp"], source: proto("targets/v1/target.proto", "SshTargetAttributes"),
            attributes: {
                type: "object", additionalProperties: false,
                properties: { default_port: uint32, default_client_port: uint32, storage_bucket_id: { type: "string" }, enable_session_recording: { type: "boolean" } },
            },
        },
    },
};

/** Id prefixes of typeless collections (globals/prefixes.go). */
export const fixedPrefixes: Record<string, string> = { users: "u", roles: "r" };
