import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";

// Boundary resources are the project's dynamic provider resources; their inputs
// carry `boundaryKind`, the API `fields`, the item `actions` and the platform `meta`.
const dynamicType = "pulumi-nodejs:dynamic:Resource";

/** Sessions are bounded, and a developer's target is opened to that developer only. */
export const boundaryTargets: ResourceValidationPolicy = {
    name: "boundary-targets",
    description: "Boundary targets bound their sessions; a dedicated target's role names exactly its developer; a team deployer's role has typed grants on its own scopes only.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: (args, reportViolation) => {
        if (args.type !== dynamicType) {
            return;
        }
        const { boundaryKind: kind, fields = {}, actions = {}, meta = {} } = args.props;
        if (kind === "target") {
            const { maxSessionSeconds } = args.getConfig<RuleConfig>();
            const seconds = fields.session_max_seconds;
            if (typeof seconds !== "number" || seconds <= 0 || seconds > maxSessionSeconds) {
                reportViolation(`Boundary target ${fields.name}: session_max_seconds ${seconds ?? "(unset)"} must be set and at most ${maxSessionSeconds}`);
            }
        } else if (kind === "role") {
            const principals: unknown[] = actions["set-principals"]?.principal_ids ?? [];
            const developers: unknown[] = meta.developers ?? [];
            const grants: string[] = actions["set-grants"]?.grant_strings ?? [];
            if (grants.some((grant) => /authorize-session/.test(String(grant))) && principals.length !== developers.length) {
                reportViolation(`Boundary role ${fields.name}: opens target ${meta.target} to ${principals.length} principal(s) but the target belongs to ${developers.length} developer(s) (${developers.join(", ")})`);
            }
            if (meta.deployer !== undefined) {
                // A team deployer manages items whose ids nobody knows yet, so `ids=*` per type is its
                // purpose (components/access/team-identity.ts); a wildcard type or action, a session, or
                // grants reaching more than one named scope are not.
                const scopes: unknown[] = actions["set-grant-scopes"]?.grant_scope_ids ?? ["this"];
                if (grants.some((grant) => /(^|;)type=\*|actions=\*|authorize-session/.test(String(grant)) || !/(^|;)type=/.test(String(grant)))) {
                    reportViolation(`Boundary role ${fields.name}: a team deployer's grants name a type and its actions, never \`*\` or authorize-session (${grants.join(" | ")})`);
                }
                if (scopes.some((scope) => scope === "children" || scope === "descendants" || scope === "global")) {
                    reportViolation(`Boundary role ${fields.name}: a team deployer's grants apply to its own scopes only, not ${scopes.join(", ")}`);
                }
            } else if (grants.some((grant) => /(^|;)ids=\*|type=\*|actions=\*/.test(String(grant)))) {
                reportViolation(`Boundary role ${fields.name}: wildcard grants are not allowed (${grants.join(" | ")})`);
            }
        }
    },
};
