import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeWorkload, isPinnedImage, workloadsOf } from "./workloads";
import { sandboxPodLabel } from "../definitions";

const sandboxLabel = sandboxPodLabel;

function unpinned(args: { type: string; props: Record<string, any> }, sandboxes: boolean): string[] {
    return workloadsOf(args)
        .filter((workload) => (workload.podLabels[sandboxLabel] !== undefined) === sandboxes)
        .flatMap((workload) => workload.containers
            .filter((ref) => !isPinnedImage(ref.container.image) && !(workload.patch && ref.container.image === undefined))
            .map((ref) => `${describeWorkload(workload)}: container ${ref.container.name} (${ref.path}) image ${ref.container.image ?? "(none)"} has no pinned tag or digest`));
}

/** Sandbox images must be pinned: a sandbox that changes under a developer is a broken sandbox. */
export const pinnedSandboxImages: ResourceValidationPolicy = {
    name: "pinned-sandbox-images",
    description: "Sandbox pods use images pinned to a tag (not latest) or a digest.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => unpinned(args, true).forEach((message) => reportViolation(message)),
};

/** Every other workload should pin its images too. */
export const pinnedImages: ResourceValidationPolicy = {
    name: "pinned-images",
    description: "Workloads use images pinned to a tag (not latest) or a digest.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => unpinned(args, false).forEach((message) => reportViolation(message)),
};

/** Every Helm release names the chart version it installs. */
export const pinnedHelmCharts: ResourceValidationPolicy = {
    name: "pinned-helm-charts",
    description: "Every Helm release (Pulumi Release or K3s HelmChart) pins a chart version.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type === "kubernetes:helm.sh/v3:Release" || args.type === "kubernetes:helm.sh/v4:Chart") {
            if (!args.props.version) {
                reportViolation(`Helm release ${args.props.name ?? args.name} (chart ${args.props.chart}) has no version`);
            }
        } else if (args.type === "kubernetes:helm.cattle.io/v1:HelmChart" && !args.props.spec?.version) {
            reportViolation(`HelmChart ${args.props.metadata?.name} (chart ${args.props.spec?.chart}) has no version`);
        }
    },
};
