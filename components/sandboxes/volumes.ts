// A sandbox's persistent volumes. Their names derive from the sandbox name only
// (team + developer, or team + pool index), never from the runtime, so switching a
// team from envbox to kata or reordering a roster leaves every PVC where it is.

import { ClusterConfig } from "../config/schema";
import { PersistentVolumeClaim } from "../manifest";
import { commonLabels, dockerCacheClaimName, homeClaimName, labels } from "../naming";
import { SandboxPlan } from "./plan";

/**
 * Marks a claim the platform retains on delete. The Pulumi engine does not pass
 * `retainOnDelete` to policy packs, so the retained-volume policy reads this
 * annotation there; the component sets both in one place.
 */
export const retainAnnotation = "sandbox-platform.io/retain-on-delete";

/** Fields Kubernetes will not change on a bound claim; a change must never turn into a replace. */
export const immutableClaimFields = ["spec.storageClassName", "spec.accessModes", "spec.volumeMode", "spec.selector", "spec.volumeName", "spec.dataSource"];

function claim(sandbox: SandboxPlan, name: string, role: string, size: string, cluster: ClusterConfig): PersistentVolumeClaim {
    const claimLabels: Record<string, string> = {
        ...commonLabels("sandbox-volume"),
        [labels.sandbox]: sandbox.name,
        [labels.team]: sandbox.team,
        "sandbox-platform.io/volume": role,
    };
    if (sandbox.developer) {
        claimLabels[labels.developer] = sandbox.developer;
    }
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name, namespace: sandbox.namespace, labels: claimLabels, annotations: { [retainAnnotation]: "true" } },
        spec: {
            accessModes: ["ReadWriteOnce"],
            ...(cluster.storageClass ? { storageClassName: cluster.storageClass } : {}),
            resources: { requests: { storage: size } },
        },
    };
}

export interface SandboxClaims {
    home: PersistentVolumeClaim;
    dockerCache: PersistentVolumeClaim;
}

export function buildSandboxClaims(sandbox: SandboxPlan, cluster: ClusterConfig): SandboxClaims {
    return {
        home: claim(sandbox, homeClaimName(sandbox.name), "home", sandbox.resources.disk, cluster),
        dockerCache: claim(sandbox, dockerCacheClaimName(sandbox.name), "docker-cache", sandbox.resources.dockerCache, cluster),
    };
}
