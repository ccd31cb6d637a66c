// Turns a render result into the files of the offline-render contract.

import { CapturedResource } from "./program-runner";
import { redacted } from "./mock-outputs";
import { RenderResult } from "./render-stack";

export const helmReleaseType = "kubernetes:helm.sh/v3:Release";

export function isKubernetesObject(resource: CapturedResource): boolean {
    return resource.custom && resource.type.startsWith("kubernetes:") && !resource.type.startsWith("kubernetes:helm.sh/");
}

/** The object as `kubectl apply` takes it; Secret payloads never leave the render. */
export function kubernetesManifest(resource: CapturedResource): Record<string, any> {
    const manifest = { ...resource.inputs };
    if (manifest.kind === "Secret") {
        for (const field of ["data", "stringData"]) {
            if (manifest[field]) {
                manifest[field] = Object.fromEntries(Object.keys(manifest[field]).map((key) => [key, redacted]));
            }
        }
    }
    return manifest;
}

export function manifestPath(manifest: Record<string, any>): string {
    const namespace = manifest.metadata?.namespace ?? "_cluster";
    return `kubernetes/${namespace}/${String(manifest.kind).toLowerCase()}-${manifest.metadata?.name}.yaml`;
}

export interface HelmReleaseFile {
    release: string;
    chart: string;
    repository?: string;
    version?: string;
    namespace?: string;
    values: Record<string, unknown>;
    via: "pulumi-helm-release" | "k3s-helm-controller";
}

export function helmReleases(resources: CapturedResource[]): HelmReleaseFile[] {
    const releases: HelmReleaseFile[] = [];
    for (const resource of resources) {
        if (resource.type === helmReleaseType) {
            const inputs = resource.inputs;
            releases.push({
                release: inputs.name ?? resource.name, chart: inputs.chart, repository: inputs.repositoryOpts?.repo,
                version: inputs.version, namespace: inputs.namespace, values: inputs.values ?? {}, via: "pulumi-helm-release",
            });
        } else if (isKubernetesObject(resource) && resource.inputs.kind === "HelmChart") {
            const spec = resource.inputs.spec ?? {};
            releases.push({
                release: resource.inputs.metadata?.name, chart: spec.chart, repository: spec.repo, version: spec.version,
                namespace: spec.targetNamespace, values: spec.valuesContent ? { valuesContent: spec.valuesContent } : {}, via: "k3s-helm-controller",
            });
        }
    }
    return releases;
}

/** Vault resources as `{kind, name, type, ...inputs}` items. */
export function vaultItems(resources: CapturedResource[]): Record<string, unknown>[] {
    return resources.filter((resource) => resource.custom && resource.type.startsWith("vault:")).map((resource) => ({
        kind: vaultKind(resource.type), resource: resource.name, ...resource.inputs,
    }));
}

function vaultKind(type: string): string {
    const kinds: Record<string, string> = {
        "vault:index/mount:Mount": "mount",
        "vault:ssh/secretBackendCa:SecretBackendCa": "ssh-ca",
        "vault:ssh/secretBackendRole:SecretBackendRole": "ssh-role",
        "vault:index/policy:Policy": "policy",
        "vault:index/token:Token": "token",
    };
    return kinds[type] ?? type;
}

/** Boundary resources (the project's dynamic provider) as `{kind, name, type, scope, attributes, ...}` items, fields named as in the API. */
export function boundaryItems(resources: CapturedResource[]): Record<string, unknown>[] {
    return resources
        .filter((resource) => typeof resource.inputs.boundaryKind === "string")
        .map((resource) => {
            const { boundaryKind, fields = {}, actions = {}, meta = {}, secretAttributes } = resource.inputs;
            const { name, type, scope_id, host_catalog_id, credential_store_id, attributes, ...rest } = fields;
            const item: Record<string, unknown> = {
                kind: boundaryKind, name, type, scope: scope_id ?? host_catalog_id ?? credential_store_id, resource: resource.name,
            };
            if (host_catalog_id) {
                item.host_catalog_id = host_catalog_id;
            }
            if (credential_store_id) {
                item.credential_store_id = credential_store_id;
            }
            const allAttributes = { ...(attributes ?? {}), ...(secretAttributes ? { token: secretAttributes } : {}) };
            if (Object.keys(allAttributes).length > 0) {
                item.attributes = allAttributes;
            }
            Object.assign(item, rest);
            for (const payload of Object.values(actions as Record<string, Record<string, unknown>>)) {
                Object.assign(item, payload);
            }
            if (Object.keys(meta).length > 0) {
                item.platform = meta;
            }
            return item;
        });
}

export function planJson(result: RenderResult): Record<string, unknown> {
    return {
        stack: result.stack,
        resources: result.run.resources.map((resource) => ({
            urn: resource.urn, type: resource.type, name: resource.name, parent: resource.parent, custom: resource.custom,
            options: { protect: resource.options.protect, retainOnDelete: resource.options.retainOnDelete, dependsOn: resource.options.dependsOn },
            inputs: resource.inputs,
        })),
        outputs: result.run.outputs,
        policy: { violations: result.violations },
        durationMs: Math.round(result.durationMs),
    };
}
