import { PlatformConfig, TeamConfig } from "../config/schema";
import { Namespace } from "../manifest";
import { commonLabels, labels, teamNamespace } from "../naming";
import { podSecurityVersion } from "../versions";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * Pod Security labels: `privileged` is enforced only where envbox needs its privileged
 * outer container; warn and audit always report against `restricted`.
 */
export function podSecurityLabels(enforce: PodSecurityLevel): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": podSecurityVersion,
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": podSecurityVersion,
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": podSecurityVersion,
    };
}

export function teamPodSecurityLevel(team: TeamConfig): PodSecurityLevel {
    return team.runtime === "envbox" ? "privileged" : "baseline";
}

export function buildTeamNamespace(team: TeamConfig): Namespace {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: teamNamespace(team.name),
            labels: {
                ...commonLabels("sandboxes"),
                ...podSecurityLabels(teamPodSecurityLevel(team)),
                [labels.sandboxNamespace]: "true",
                [labels.team]: team.name,
                [labels.runtime]: team.runtime,
            },
        },
    };
}

/**
 * The platform's own namespace (Coder and its database). `restricted`: coderd runs with
 * the chart's non-root, seccomp and no-escalation settings plus dropped capabilities, and
 * the CloudNativePG and Bitnami Postgres pods are restricted-compliant by default.
 */
export function buildPlatformNamespace(config: { coder: Pick<PlatformConfig["coder"], "namespace"> }): Namespace {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: config.coder.namespace,
            labels: { ...commonLabels("control-plane"), ...podSecurityLabels("restricted") },
        },
    };
}

/**
 * The one namespace whose pods may reach sandboxes (Boundary workers). The platform
 * creates and owns it, so nobody else can create it first and inherit that trust; with
 * `network.accessFrom.create: false` the wiring reads it instead and fails if it is missing.
 */
export function buildAccessNamespace(config: { network: Pick<PlatformConfig["network"], "accessFrom"> }): Namespace {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: config.network.accessFrom.namespace,
            labels: { ...commonLabels("access"), ...podSecurityLabels("restricted") },
        },
    };
}
