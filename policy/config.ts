// The pack's configuration (configSchema) and its defaults. Every allowlist here is
// derived from the platform's own definitions, so the pack admits what the platform
// builds and nothing else; docs/policies.md "Threat model" says how to extend each safely.
import type { PolicyConfigSchema } from "@pulumi/policy";
import { envboxRepository, bitnamiPostgresChart, cnpgChart, coderChart, kataDeployChart, nvidiaDevicePluginChart, podSecurityVersion } from "../components/versions";
import { privilegedInstallerImages } from "../components/runtimes/installers";
import { envboxExecCommands } from "../components/sandboxes/envbox";
import { workspacesNamespace } from "../components/platform/coder";
import { teamNamespace } from "../components/naming";
import { InstallerAllowance, platformInstallerAllowances } from "./installers";

export interface KnownChart { repo: string; chart: string; version: string }

export interface RuleConfig {
    /** Repositories whose pinned images may run as the privileged envbox outer container. */
    envboxRepositories: string[];
    /** Exact exec commands (probes, lifecycle hooks) the privileged envbox container may run; the platform's builder emits them. */
    envboxExecCommands: string[][];
    /** Pinned images of node-level installers that need the host (the platform deploys exactly these). */
    installerImages: string[];
    /** Pods allowed host access (privileged or hostPath), pinned by namespace, service account, image, command, args and host paths. */
    installers: InstallerAllowance[];
    /** Namespaces (exact names, or a prefix ending in `*`) that may enforce Pod Security `privileged`. */
    privilegedNamespaces: string[];
    /** Oldest Pod Security `enforce-version` a namespace may pin (`latest` always passes). */
    minPodSecurityVersion: string;
    /** Helm charts the platform deploys and whose rendered pods were reviewed; any other chart is reported as unseen. */
    knownCharts: KnownChart[];
    /** Images K3s HelmChart objects may set as `jobImage` (the Helm job runs with cluster-admin). */
    helmJobImages: string[];
    /** Longest SSH certificate TTL a Vault role may grant, in seconds. */
    maxCertTtlSeconds: number;
    /** Longest Boundary session, in seconds. */
    maxSessionSeconds: number;
}

export type PolicyPackConfig = Record<string, Partial<RuleConfig> & { enforcementLevel?: string }>;

export const policyConfigDefaults: RuleConfig = {
    envboxRepositories: [envboxRepository],
    envboxExecCommands: envboxExecCommands.map((command) => [...command]),
    installerImages: privilegedInstallerImages,
    installers: platformInstallerAllowances(),
    privilegedNamespaces: [teamNamespace("*"), workspacesNamespace],
    minPodSecurityVersion: podSecurityVersion,
    knownCharts: [coderChart, cnpgChart, bitnamiPostgresChart, kataDeployChart, nvidiaDevicePluginChart].map(({ repo, chart, version }) => ({ repo, chart, version })),
    helmJobImages: [],
    maxCertTtlSeconds: 24 * 3600,
    maxSessionSeconds: 8 * 3600,
};

const stringList = (defaults: string[]) => ({ type: "array" as const, items: { type: "string" as const }, default: defaults });

/** JSON schema of each policy's config, for PolicyPack configSchema. */
export const ruleConfigSchema: PolicyConfigSchema = {
    properties: {
        envboxRepositories: stringList(policyConfigDefaults.envboxRepositories),
        envboxExecCommands: { type: "array", items: { type: "array", items: { type: "string" } }, default: policyConfigDefaults.envboxExecCommands },
        installerImages: stringList(policyConfigDefaults.installerImages),
        installers: {
            type: "array",
            items: {
                type: "object",
                required: ["name", "namespace", "serviceAccountName", "containers", "hostPaths"],
                properties: {
                    name: { type: "string" }, namespace: { type: "string" }, serviceAccountName: { type: "string" },
                    containers: {
                        type: "array",
                        items: {
                            type: "object", required: ["image", "privileged"],
                            properties: {
                                image: { type: "string" }, privileged: { type: "boolean" },
                                command: { type: "array", items: { type: "string" } }, args: { type: "array", items: { type: "string" } },
                            },
                        },
                    },
                    hostPaths: { type: "array", items: { type: "string" } },
                },
            },
            default: policyConfigDefaults.installers,
        },
        privilegedNamespaces: stringList(policyConfigDefaults.privilegedNamespaces),
        minPodSecurityVersion: { type: "string", pattern: "^v1\\.\\d+$", default: policyConfigDefaults.minPodSecurityVersion },
        knownCharts: {
            type: "array",
            items: { type: "object", required: ["repo", "chart", "version"], properties: { repo: { type: "string" }, chart: { type: "string" }, version: { type: "string" } } },
            default: policyConfigDefaults.knownCharts,
        },
        helmJobImages: stringList(policyConfigDefaults.helmJobImages),
        maxCertTtlSeconds: { type: "integer", minimum: 60, default: policyConfigDefaults.maxCertTtlSeconds },
        maxSessionSeconds: { type: "integer", minimum: 60, default: policyConfigDefaults.maxSessionSeconds },
    },
};
