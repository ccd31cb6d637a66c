// Plain Kubernetes manifests as policy subjects: each object becomes the props of
// its Pulumi type (`kubernetes:<group>/<version>:<Kind>`), so the pack's rules run
// on YAML exactly as they run on a Pulumi program.

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { PolicySubject } from "./evaluate";

export class ManifestReadError extends Error {}

export function pulumiTypeOf(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
    return `kubernetes:${group}/${version}:${kind}`;
}

export function objectId(manifest: Record<string, any>): string {
    return `${manifest.kind}/${manifest.metadata?.namespace ?? "_cluster"}/${manifest.metadata?.name ?? "(unnamed)"}`;
}

export function manifestSubject(manifest: Record<string, any>): PolicySubject {
    return {
        type: pulumiTypeOf(String(manifest.apiVersion), String(manifest.kind)),
        urn: objectId(manifest),
        name: manifest.metadata?.name ?? "(unnamed)",
        props: manifest,
        opts: { protect: false },
    };
}

function yamlFiles(target: string): string[] {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(target);
    } catch (error) {
        throw new ManifestReadError(`read ${target}: ${(error as Error).message}`);
    }
    if (stat.isDirectory()) {
        return fs.readdirSync(target).sort().flatMap((entry) => {
            const full = path.join(target, entry);
            return fs.statSync(full).isDirectory() || /\.ya?ml$/.test(entry) ? yamlFiles(full) : [];
        });
    }
    return [target];
}

/** Every Kubernetes object in the files and directories given (multi-document YAML, Lists expanded). */
export function readManifests(targets: string[]): Record<string, any>[] {
    const objects: Record<string, any>[] = [];
    for (const file of targets.flatMap(yamlFiles)) {
        let documents: YAML.Document.Parsed[];
        try {
            documents = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
        } catch (error) {
            throw new ManifestReadError(`read ${file}: ${(error as Error).message}`);
        }
        for (const document of documents) {
            if (document.errors.length > 0) {
                throw new ManifestReadError(`parse ${file}: ${document.errors[0].message}`);
            }
            const value = document.toJS();
            if (value === null || value === undefined) {
                continue;
            }
            if (typeof value !== "object" || !value.apiVersion || !value.kind) {
                throw new ManifestReadError(`parse ${file}: a document is not a Kubernetes object (no apiVersion/kind)`);
            }
            objects.push(...(value.kind === "List" || /List$/.test(value.kind) && Array.isArray(value.items) ? value.items : [value]));
        }
    }
    return objects;
}
