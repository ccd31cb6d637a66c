import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as YAML from "yaml";
import type { KnownChart, RuleConfig } from "../config";
import { ruleConfigSchema } from "../config";
import { helmChartSetValues } from "../helm-set";
import { kubernetesYamlOptions } from "../yaml11";
import { containerContextProblems, podContextProblems } from "./pod-security-baseline";

const pulumiReleaseTypes = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"]);
const helmChartType = "kubernetes:helm.cattle.io/v1:HelmChart";
const helmChartConfigType = "kubernetes:helm.cattle.io/v1:HelmChartConfig";

/** Value keys that, set to true, ask a chart for host access (the usual spellings across charts). */
const privilegeKeys = new Set(["privileged", "hostNetwork", "hostPID", "hostIPC", "allowPrivilegeEscalation"]);

/** Every path in chart values that asks for privilege or the host. */
export function privilegedValues(values: unknown, path = "", found: string[] = [], depth = 0): string[] {
    if (depth > 32 || values === null || typeof values !== "object") {
        return found;
    }
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        const here = path ? `${path}.${key}` : key;
        if (privilegeKeys.has(key) && value === true) {
            found.push(`${here}: true`);
        } else if (key === "hostPath" && value !== null && value !== undefined && value !== false && value !== "") {
            found.push(`${here}: ${JSON.stringify(value)}`);
        } else if (key === "add" && Array.isArray(value) && path.endsWith("capabilities") && value.length > 0) {
            found.push(`${here}: ${JSON.stringify(value)}`);
        } else {
            privilegedValues(value, here, found, depth + 1);
        }
    }
    return found;
}

function known(config: RuleConfig, chart: Partial<KnownChart>): boolean {
    // A chart is named either by repo + chart, or by a full reference (`oci://…/chart`).
    return config.knownCharts.some((k) => k.version === chart.version
        && ((k.chart === chart.chart && (chart.repo === undefined || k.repo === chart.repo)) || `${k.repo}/${k.chart}` === chart.chart));
}

/**
 * Every source of values of a K3s HelmChart or HelmChartConfig, each as the chart sees it:
 * `valuesContent` (YAML, read by Helm as sigs.k8s.io/yaml reads it), `values` (structured),
 * and a HelmChart's `set` (Helm flags, helm-set.ts). helm-controller passes the first two as
 * values files (HelmChart's, then its HelmChartConfig's) and `set` as flags, which Helm
 * merges in that order; each source is judged on its own, so a later `false` never hides
 * an earlier `true` (k3s-io/helm-controller pkg/controllers/chart/chart.go @ v0.17.7).
 */
function helmChartValueSources(spec: any, isChart: boolean): { source: string; values: unknown; error?: string }[] {
    const sources: { source: string; values: unknown; error?: string }[] = [];
    if (typeof spec?.valuesContent === "string") {
        try {
            sources.push({ source: "valuesContent", values: YAML.parse(spec.valuesContent, kubernetesYamlOptions) });
        } catch (error) {
            sources.push({ source: "valuesContent", values: {}, error: `valuesContent is not valid YAML (${(error as Error).message.split("\n")[0]})` });
        }
    }
    if (spec?.values !== undefined) {
        sources.push({ source: "values", values: spec.values });
    }
    if (isChart && spec?.set !== undefined) {
        const { values, errors } = helmChartSetValues(spec.set);
        sources.push({ source: "set", values });
        for (const error of errors) {
            sources.push({ source: "set", values: {}, error: `set: Helm refuses ${error}` });
        }
    }
    return sources;
}

/**
 * Helm releases: the pack cannot see the pods a chart renders, so it judges what it can
 * (values asking for privilege, K3s's job image and bootstrap mode) and names the rest.
 */
export const helmReleases: ResourceValidationPolicy = {
    name: "helm-releases",
    description: "Helm releases and K3s HelmCharts: no values asking for privilege, no custom jobImage, no bootstrap mode, no embedded chart, no privileged Helm job pod, no chart fetched without verified TLS.",
    enforcementLevel: "mandatory",
    configSchema: ruleConfigSchema,
    validateResource: (args, reportViolation) => {
        const config = args.getConfig<RuleConfig>();
        if (pulumiReleaseTypes.has(args.type)) {
            const name = args.props.name ?? args.name;
            for (const found of privilegedValues(args.props.values)) {
                reportViolation(`Helm release ${name} (chart ${args.props.chart}): value ${found} asks the chart for host access`);
            }
        } else if (args.type === helmChartType || args.type === helmChartConfigType) {
            const spec = args.props.spec ?? {};
            const what = `${args.type.split(":")[2]} ${args.props.metadata?.namespace ?? "default"}/${args.props.metadata?.name}`;
            for (const { source, values, error } of helmChartValueSources(spec, args.type === helmChartType)) {
                if (error) {
                    reportViolation(`${what}: ${error}`);
                }
                for (const found of privilegedValues(values)) {
                    reportViolation(`${what}: value ${found} (spec.${source}) asks the chart for host access`);
                }
            }
            if (spec.jobImage !== undefined && !config.helmJobImages.includes(spec.jobImage)) {
                reportViolation(`${what}: jobImage ${spec.jobImage} would run the Helm job (cluster-admin) from an image not in the allowlist (${config.helmJobImages.join(", ") || "none"})`);
            }
            if (spec.bootstrap === true) {
                reportViolation(`${what}: bootstrap: true runs the Helm job on the host network with control-plane tolerations`);
            }
            if (spec.chartContent !== undefined) {
                reportViolation(`${what}: chartContent embeds a chart the pack cannot read; use a repository chart at a pinned version`);
            }
            for (const problem of helmJobSecurityProblems(spec)) {
                reportViolation(`${what}: the Helm job's ${problem} (the job runs with the cluster-admin role)`);
            }
            for (const flag of ["insecureSkipTLSVerify", "plainHTTP"]) {
                if (spec[flag] === true) {
                    reportViolation(`${what}: ${flag}: true fetches the chart that the cluster-admin Helm job installs without TLS verification; serve the repository over verified TLS (repoCA for a private CA)`);
                }
            }
        }
    },
};

/**
 * What a HelmChart's `securityContext` and `podSecurityContext` (helm-controller v0.16+:
 * the security contexts of the Helm job pod, which runs with the cluster-admin role) ask
 * for beyond the Pod Security baseline, judged as the baseline rule judges any pod.
 */
function helmJobSecurityProblems(spec: Record<string, any>): string[] {
    const container = spec.securityContext && typeof spec.securityContext === "object" ? spec.securityContext : undefined;
    const pod = spec.podSecurityContext && typeof spec.podSecurityContext === "object" ? spec.podSecurityContext : undefined;
    return [
        ...(container?.privileged === true ? ["container is privileged"] : []),
        ...(container ? containerContextProblems(container).map((problem) => `container ${problem}`) : []),
        ...(pod ? podContextProblems(pod) : []),
    ];
}

/** Charts other than the platform's reviewed ones render pods the pack never sees. */
export const unseenHelmPods: ResourceValidationPolicy = {
    name: "unseen-helm-pods",
    description: "Helm charts the platform does not know render pods the pack cannot see: check `helm template` output with policy:check.",
    enforcementLevel: "advisory",
    configSchema: ruleConfigSchema,
    validateResource: (args, reportViolation) => {
        const config = args.getConfig<RuleConfig>();
        if (pulumiReleaseTypes.has(args.type)) {
            const chart = { chart: args.props.chart, version: args.props.version, repo: args.props.repositoryOpts?.repo };
            if (!known(config, chart)) {
                reportViolation(`Helm release ${args.props.name ?? args.name}: chart ${chart.chart} ${chart.version ?? "(no version)"} is not one the platform reviewed; its pods are not checked here (run helm template … | policy:check)`);
            }
        } else if (args.type === helmChartType) {
            const spec = args.props.spec ?? {};
            if (!known(config, { chart: spec.chart, version: spec.version, repo: spec.repo })) {
                reportViolation(`HelmChart ${args.props.metadata?.name}: chart ${spec.chart} ${spec.version ?? "(no version)"} is not one the platform reviewed; its pods are not checked here`);
            }
        }
    },
};
