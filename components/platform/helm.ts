// One way to describe a Helm release, two ways to apply it: a Pulumi Helm release
// (default) or, on K3s with cluster.helm: helm-controller, a helm.cattle.io HelmChart
// object that K3s' built-in controller installs (for GitOps).

import * as pulumi from "@pulumi/pulumi";
import { k8sClasses } from "../provider-classes";
import { stringifyYaml } from "../yaml";
import { HelmMode } from "../config/schema";
import { commonLabels } from "../naming";

export interface HelmReleaseSpec {
    /** Release name. */
    name: string;
    namespace: string;
    /** Repository URL (https://...) or OCI registry path (oci://...). */
    repo: string;
    chart: string;
    version: string;
    values: Record<string, unknown>;
    /** Seconds Helm waits for the release's resources (default: the Helm provider's 300). */
    timeoutSeconds?: number;
    /** Roll back and delete a failed install (default true). */
    atomic?: boolean;
}

/** Where a chart comes from, in the form each mode takes. */
export function chartSource(spec: HelmReleaseSpec): { chart: string; repo?: string } {
    return spec.repo.startsWith("oci://") ? { chart: `${spec.repo.replace(/\/+$/, "")}/${spec.chart}` } : { chart: spec.chart, repo: spec.repo };
}

export interface HelmChart {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Record<string, unknown>;
}

/** The K3s HelmChart object for a release (installed by K3s' helm-controller from kube-system). */
export function buildHelmChart(spec: HelmReleaseSpec): HelmChart {
    const source = chartSource(spec);
    return {
        apiVersion: "helm.cattle.io/v1",
        kind: "HelmChart",
        metadata: { name: spec.name, namespace: "kube-system", labels: commonLabels("helm") },
        spec: {
            chart: source.chart,
            ...(source.repo ? { repo: source.repo } : {}),
            version: spec.version,
            targetNamespace: spec.namespace,
            createNamespace: true,
            valuesContent: stringifyYaml(spec.values),
            ...(spec.timeoutSeconds ? { timeout: `${spec.timeoutSeconds}s` } : {}),
        },
    };
}

export function deployHelmRelease(spec: HelmReleaseSpec, mode: HelmMode, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    if (mode === "helm-controller") {
        return new k8sClasses.apiextensions.CustomResource(`${spec.name}-helmchart`, buildHelmChart(spec), opts);
    }
    const source = chartSource(spec);
    return new k8sClasses.helm.v3.Release(spec.name, {
        name: spec.name,
        namespace: spec.namespace,
        chart: source.chart,
        ...(source.repo ? { repositoryOpts: { repo: source.repo } } : {}),
        version: spec.version,
        values: spec.values,
        createNamespace: false,
        atomic: spec.atomic ?? true,
        cleanupOnFail: spec.atomic ?? true,
        ...(spec.timeoutSeconds ? { timeout: spec.timeoutSeconds } : {}),
        maxHistory: 5,
    }, opts);
}
