// The pack's configuration (configSchema) and its defaults.
import { envboxRepository } from "../components/versions";
import { privilegedInstallerImages } from "../components/runtimes/installers";

export interface RuleConfig {
    /** Repositories whose pinned images may run as the privileged envbox outer container. */
    envboxRepositories: string[];
    /** Pinned images of node-level installers allowed host access (privileged or hostPath) in kube-system. */
    installerImages: string[];
    /** Longest SSH certificate TTL a Vault role may grant, in seconds. */
    maxCertTtlSeconds: number;
    /** Longest Boundary session, in seconds. */
    maxSessionSeconds: number;
}

export type PolicyPackConfig = Record<string, Partial<RuleConfig> & { enforcementLevel?: string }>;

export const policyConfigDefaults: RuleConfig = {
    envboxRepositories: [envboxRepository],
    installerImages: privilegedInstallerImages,
    maxCertTtlSeconds: 24 * 3600,
    maxSessionSeconds: 8 * 3600,
};

/** JSON schema of each policy's config, for PolicyPack configSchema. */
export const ruleConfigSchema = {
    properties: {
        envboxRepositories: { type: "array", items: { type: "string" }, default: policyConfigDefaults.envboxRepositories },
        installerImages: { type: "array", items: { type: "string" }, default: policyConfigDefaults.installerImages },
        maxCertTtlSeconds: { type: "integer", minimum: 60, default: policyConfigDefaults.maxCertTtlSeconds },
        maxSessionSeconds: { type: "integer", minimum: 60, default: policyConfigDefaults.maxSessionSeconds },
    },
} as const;
