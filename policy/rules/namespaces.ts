import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";

const enforceLabel = "pod-security.kubernetes.io/enforce";
const enforceVersionLabel = "pod-security.kubernetes.io/enforce-version";
const levels = ["privileged", "baseline", "restricted"];

/** An exact name, or a prefix when the entry ends in `*`. */
export function namespaceMatches(name: unknown, patterns: string[]): boolean {
    return typeof name === "string" && patterns.some((p) => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) && name.length > p.length - 1 : name === p));
}

function minorOf(version: string): number | undefined {
    const match = /^v1\.(\d+)$/.exec(version);
    return match ? Number(match[1]) : undefined;
}

/**
 * Namespaces carry Pod Security labels; only the platform's own sandbox namespaces
 * (by config) may enforce privileged, and none may pin a version older than the
 * platform's (an old version skips newer baseline checks).
 */
export const namespacePodSecurity: ResourceValidationPolicy = {
    name: "namespace-pod-security",
    description: "Namespaces enforce a Pod Security level at a current version; privileged only for the platform's configured sandbox namespaces.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: (args, reportViolation) => {
        if (!/^kubernetes:core\/[^:]+:Namespace(Patch)?$/.test(args.type)) {
            return;
        }
        const config = args.getConfig<RuleConfig>();
        const patch = args.type.endsWith("Patch");
        const name = args.props.metadata?.name;
        const labels = args.props.metadata?.labels ?? {};
        const level = labels[enforceLabel];
        if (!levels.includes(level)) {
            if (!(patch && level === undefined)) {
                reportViolation(`Namespace ${name}: ${enforceLabel} must be one of ${levels.join(", ")}, got ${level ?? "nothing"}`);
            }
        } else if (level === "privileged" && !namespaceMatches(name, config.privilegedNamespaces)) {
            reportViolation(`Namespace ${name}: privileged is enforced only in the platform's sandbox namespaces (${config.privilegedNamespaces.join(", ")}); a namespace cannot make itself one`);
        } else if (level === "privileged" && !(labels["sandbox-platform.io/sandboxes"] === "true" && labels["sandbox-platform.io/runtime"] === "envbox")) {
            reportViolation(`Namespace ${name}: privileged is enforced only where envbox sandboxes run`);
        }
        const version = labels[enforceVersionLabel];
        if (version !== undefined && version !== "latest") {
            const minor = minorOf(String(version));
            const minimum = minorOf(config.minPodSecurityVersion)!;
            if (minor === undefined || minor < minimum) {
                reportViolation(`Namespace ${name}: ${enforceVersionLabel} ${version} must be latest or at least ${config.minPodSecurityVersion} (an older version skips newer checks)`);
            }
        }
    },
};
