import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";
import { parseDuration } from "../../components/config/duration";

function seconds(value: unknown): number | undefined {
    return typeof value === "number" ? value : typeof value === "string" ? parseDuration(value) : undefined;
}

/** Vault SSH roles sign short-lived user certificates for named principals only. */
export const vaultSshRoles: ResourceValidationPolicy = {
    name: "vault-ssh-roles",
    description: "Vault SSH CA roles: TTLs within the bound, no '*' users, no host certificates, never ssh-rsa (SHA-1).",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: (args, reportViolation) => {
        if (args.type !== "vault:ssh/secretBackendRole:SecretBackendRole") {
            return;
        }
        const { maxCertTtlSeconds } = args.getConfig<RuleConfig>();
        const role = `Vault SSH role ${args.props.name ?? args.name}`;
        for (const field of ["ttl", "maxTtl"]) {
            const value = seconds(args.props[field]);
            if (value === undefined || value === 0 || value > maxCertTtlSeconds) {
                reportViolation(`${role}: ${field} ${args.props[field] ?? "(unset: Vault's default)"} must be set and at most ${maxCertTtlSeconds} s`);
            }
        }
        const users = String(args.props.allowedUsers ?? "").split(",").map((u) => u.trim());
        if (users.includes("*") || users.every((u) => u === "")) {
            reportViolation(`${role}: allowedUsers must name the principals; got ${JSON.stringify(args.props.allowedUsers ?? "")}`);
        }
        if (args.props.allowHostCertificates === true) {
            reportViolation(`${role}: must not sign host certificates`);
        }
        if (args.props.algorithmSigner === "ssh-rsa") {
            reportViolation(`${role}: algorithmSigner ssh-rsa signs with SHA-1; leave it blank for ed25519 or use rsa-sha2-256/512`);
        }
        if (args.props.keyType !== "ca" || args.props.allowUserCertificates !== true) {
            reportViolation(`${role}: must be a CA role (keyType ca) signing user certificates`);
        }
    },
};
