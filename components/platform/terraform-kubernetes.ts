// Kubernetes objects as the typed resources of Terraform's kubernetes provider
// (hashicorp/terraform-provider-kubernetes: `kubernetes_deployment`,
// `kubernetes_persistent_volume_claim`), in Terraform JSON syntax. Typed resources need
// no API access at plan time, unlike `kubernetes_manifest`. Pure.
//
// Rules (the provider's schema, kubernetes/schema_*.go): field names in snake_case;
// nested objects are blocks; lists of objects are repeated blocks with a singular name
// (`containers` → `container`, `volumeMounts` → `volume_mount`, ...); maps whose keys are
// data (labels, annotations, resource quantities, selectors, node selectors) stay maps
// with their keys untouched; Deployment `replicas` is a string.

/** Kubernetes list fields whose provider block name differs from snake_case. */
const blockNames: Record<string, string> = {
    containers: "container",
    initContainers: "init_container",
    volumes: "volume",
    volumeMounts: "volume_mount",
    ports: "port",
    tolerations: "toleration",
    imagePullSecrets: "image_pull_secrets",
    envFrom: "env_from",
    env: "env",
};

/** Fields whose value is a map of data: kept as a Terraform map, keys untouched. */
const mapFields = new Set(["labels", "annotations", "requests", "limits", "matchLabels", "nodeSelector", "data"]);

/** Fields the provider types as strings although Kubernetes uses numbers. */
const stringFields = new Set(["replicas"]);

export function snakeCase(name: string): string {
    return name.replace(/([a-z0-9])([A-Z]+)/g, "$1_$2").toLowerCase();
}

function convertValue(key: string, value: unknown): unknown {
    if (mapFields.has(key) || value === null || typeof value !== "object") {
        return stringFields.has(key) && typeof value === "number" ? String(value) : value;
    }
    if (Array.isArray(value)) {
        return value.every((item) => item !== null && typeof item === "object")
            ? value.map((item) => convertObject(item as Record<string, unknown>))
            : value;
    }
    return [convertObject(value as Record<string, unknown>)];
}

/** One Kubernetes object (or sub-object) as a provider block body. */
export function convertObject(object: Record<string, unknown>): Record<string, unknown> {
    const block: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object)) {
        if (value === undefined) {
            continue;
        }
        const name = blockNames[key] ?? snakeCase(key);
        block[name] = convertValue(key, value);
    }
    return block;
}

/** A Kubernetes manifest as the body of its typed resource (apiVersion and kind are the resource type). */
export function typedResourceBody(manifest: Record<string, unknown>): Record<string, unknown> {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = manifest;
    return convertObject(rest);
}

/** The reverse, for tests: a provider block body back to the Kubernetes shape (camelCase names from a reference object). */
export function blockToObject(block: Record<string, unknown>, reference: Record<string, unknown>): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (const [key, refValue] of Object.entries(reference)) {
        if (refValue === undefined) {
            continue;
        }
        const name = blockNames[key] ?? snakeCase(key);
        const value = block[name];
        if (mapFields.has(key) || refValue === null || typeof refValue !== "object") {
            object[key] = stringFields.has(key) && typeof refValue === "number" ? Number(value) : value;
        } else if (Array.isArray(refValue)) {
            object[key] = refValue.every((item) => item !== null && typeof item === "object")
                ? (value as Record<string, unknown>[]).map((item, i) => blockToObject(item, refValue[i] as Record<string, unknown>))
                : value;
        } else {
            object[key] = blockToObject((value as Record<string, unknown>[])[0], refValue as Record<string, unknown>);
        }
    }
    return object;
}
