// Every rule of the pack, as plain objects (constructing a PolicyPack starts a server).
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { envboxHardening } from "./envbox-hardening";
import { helmReleases, unseenHelmPods } from "./helm";
import { hostPersistentVolumes, preBoundClaims, serviceAccountTokenSecrets } from "./host-volumes";
import { isolatedRuntimePods } from "./isolated-runtimes";
import { namespacePodSecurity } from "./namespaces";
import { pinnedHelmCharts, pinnedImages, pinnedSandboxImages } from "./pinned-versions";
import { podSecurityBaseline } from "./pod-security-baseline";
import { noPrivilegedContainers } from "./privileged";
import { retainedSandboxVolumes, sandboxNamespaceDefaultDeny } from "./stack-rules";
import { vaultSshRoles } from "./vault";
import { boundaryTargets } from "./boundary";

export const resourcePolicies: ResourceValidationPolicy[] = [
    noPrivilegedContainers, envboxHardening, isolatedRuntimePods, podSecurityBaseline,
    hostPersistentVolumes, preBoundClaims, serviceAccountTokenSecrets, helmReleases, unseenHelmPods,
    pinnedSandboxImages, pinnedImages, pinnedHelmCharts, namespacePodSecurity, vaultSshRoles, boundaryTargets,
];
export const stackPolicies: StackValidationPolicy[] = [sandboxNamespaceDefaultDeny, retainedSandboxVolumes];
