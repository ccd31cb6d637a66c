// One unprivileged DaemonSet per sandbox namespace that makes every node pull the
// team's images ahead of the first start. Each image runs a no-op init container
// (pulling is the point); a pause container keeps the pod, and so the images, in place.
//
// envbox's inner dockerd keeps its own image store on the docker-cache volume, so for
// envbox teams this warms the outer envbox image and any node-level registry mirror;
// the inner image is pulled once per sandbox and then kept on its volume.

import { sandboxWorkloadAwaitAnnotations } from "../await-rules";
import { TeamConfig } from "../config/schema";
import { Container, DaemonSet } from "../manifest";
import { commonLabels, labels, teamNamespace } from "../naming";
import { prePullResources } from "../cluster/quotas";
import { envboxImage, envbuilderImage, pauseImage } from "../versions";
import { planTeamSandboxes } from "./plan";

export const prePullName = "prepull-images";

export function prePullImages(team: TeamConfig): string[] {
    const plans = planTeamSandboxes(team);
    const images = new Set(plans.filter((plan) => plan.workspace !== "envbuilder").map((sandbox) => sandbox.image));
    if (team.runtime === "envbox") {
        images.add(envboxImage);
    }
    // Base images of the team's devcontainers (the devcontainer CLI and envbuilder start FROM them).
    for (const image of team.devcontainerImages) {
        images.add(image);
    }
    if (plans.some((plan) => plan.workspace === "envbuilder")) {
        images.add(envbuilderImage);
    }
    return [...images].sort();
}

const restrictedSecurityContext = {
    runAsNonRoot: true,
    runAsUser: 65534,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
};

export function buildPrePullDaemonSet(team: TeamConfig): DaemonSet {
    const resources = { requests: prePullResources, limits: prePullResources };
    const pulls: Container[] = prePullImages(team).map((image, i) => ({
        name: `pull-${i}`,
        image,
        // envbuilder's image is FROM scratch (no shell): its own binary's --help exits 0.
        command: image === envbuilderImage ? ["/.envbuilder/bin/envbuilder", "--help"] : ["/bin/sh", "-c", "exit 0"],
        resources,
        securityContext: restrictedSecurityContext,
    }));
    const selector = { [labels.component]: prePullName, [labels.team]: team.name };
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        // Applied, not awaited: pulling a large image on every node gates nothing (await-rules.ts).
        metadata: { name: prePullName, namespace: teamNamespace(team.name), labels: { ...commonLabels(prePullName), [labels.team]: team.name }, annotations: sandboxWorkloadAwaitAnnotations() },
        spec: {
            selector: { matchLabels: selector },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%" } },
            template: {
                metadata: { labels: { ...commonLabels(prePullName), ...selector } },
                spec: {
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                    ...(team.imagePullSecret ? { imagePullSecrets: [{ name: team.imagePullSecret }] } : {}),
                    initContainers: pulls,
                    containers: [{ name: "pause", image: pauseImage, resources, securityContext: restrictedSecurityContext }],
                },
            },
        },
    };
}
