import type { ResourceValidationPolicy } from "@pulumi/policy";

const secretTokenType = "kubernetes.io/service-account-token";

/**
 * The one namespace where the platform keeps its team deployers' token Secrets
 * (components/access/team-identity.ts deployerNamespace; a test holds the two equal): no
 * team may create anything there, so no pod of a team can mount them.
 */
export const deployerTokenNamespace = "sandbox-deployers";

/** Host storage a pod reaches without naming it in its own spec: a claim bound to a hostPath PV is the host's directory. */
export const hostPersistentVolumes: ResourceValidationPolicy = {
    name: "no-host-persistent-volumes",
    description: "No hostPath or local PersistentVolumes: a claim bound to one is the node's filesystem.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = args.type.split(":")[2] ?? "";
        const items: any[] = kind.endsWith("List") && Array.isArray(args.props.items) ? args.props.items : [args.props];
        const itemKind = kind.endsWith("List") ? kind.slice(0, -4) : kind.replace(/Patch$/, "");
        for (const item of items) {
            const name = item?.metadata?.name;
            if (itemKind === "PersistentVolume" && args.type.startsWith("kubernetes:core/")) {
                if (item?.spec?.hostPath) {
                    reportViolation(`PersistentVolume ${name}: hostPath ${item.spec.hostPath.path} gives every claim bound to it the node's filesystem`);
                }
                if (item?.spec?.local) {
                    reportViolation(`PersistentVolume ${name}: local volume ${item.spec.local.path} is a node directory; provision local storage through a StorageClass instead`);
                }
            }
        }
    },
};

/** A Secret the token controller fills with a long-lived service-account token reaches any pod that mounts it, an envbox inner container included. */
export const serviceAccountTokenSecrets: ResourceValidationPolicy = {
    name: "no-service-account-token-secrets",
    description: "No Secrets of type kubernetes.io/service-account-token (long-lived tokens any pod mounting them receives), except the team deployers' in the platform's sandbox-deployers namespace.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = args.type.split(":")[2] ?? "";
        if (!args.type.startsWith("kubernetes:core/") || !/^Secret(List|Patch)?$/.test(kind)) {
            return;
        }
        const items: any[] = kind === "SecretList" && Array.isArray(args.props.items) ? args.props.items : [args.props];
        for (const item of items) {
            if (item?.type === secretTokenType && item?.metadata?.namespace !== deployerTokenNamespace) {
                reportViolation(`Secret ${item?.metadata?.namespace ?? "default"}/${item?.metadata?.name}: type ${secretTokenType} makes the token controller store a long-lived token that any pod mounting the Secret receives`);
            }
        }
    },
};

/** A claim that picks its PersistentVolume by name or selector may land on host storage the pack cannot see. */
export const preBoundClaims: ResourceValidationPolicy = {
    name: "pre-bound-claims",
    description: "PersistentVolumeClaims (and volumeClaimTemplates) that bind a named or selected PV are reported: the PV may be a hostPath outside the manifests.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const kind = args.type.split(":")[2] ?? "";
        const claims: { where: string; spec: any }[] = [];
        if (/^PersistentVolumeClaim(Patch)?$/.test(kind)) {
            claims.push({ where: `PersistentVolumeClaim ${args.props.metadata?.namespace ?? "default"}/${args.props.metadata?.name}`, spec: args.props.spec });
        }
        for (const template of Array.isArray(args.props.spec?.volumeClaimTemplates) ? args.props.spec.volumeClaimTemplates : []) {
            claims.push({ where: `${kind} ${args.props.metadata?.namespace ?? "default"}/${args.props.metadata?.name} volumeClaimTemplate ${template?.metadata?.name}`, spec: template?.spec });
        }
        for (const { where, spec } of claims) {
            if (spec?.volumeName || spec?.selector) {
                reportViolation(`${where}: binds ${spec.volumeName ? `PersistentVolume ${spec.volumeName}` : "a PersistentVolume by selector"}, whose source (possibly hostPath) the pack cannot see`);
            }
        }
    },
};
