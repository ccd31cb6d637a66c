// The start-up script, shared: one ConfigMap per sandbox namespace carries
// images/sandbox/sandbox-start.sh (about 22 KB) instead of a copy in every developer's
// ConfigMap; each sandbox keeps only its own settings (sandbox.env, next to sshd_config).
// A sandbox's pod template carries the script's sha256, so a changed script rolls every
// sandbox of the namespace once (a ConfigMap's content alone never restarts a pod).
// Kept in its own functions: the pod builders add one volume and one mount from here.

import { ConfigMap, Volume, VolumeMount } from "../manifest";
import { commonLabels } from "../naming";
import { readStartScript, startScriptDir, startScriptFile, startScriptSha256 } from "./bootstrap";

/** The namespace's start-up script ConfigMap. */
export const startScriptConfigMapName = "sandbox-start";
/** The pod volume that mounts it. */
export const startScriptVolumeName = "start-script";
/** Pod-template annotation with the script's sha256: a new value is a new pod template, so a rollout. */
export const startScriptHashAnnotation = "sandbox-platform.io/start-script-sha256";

/** The script once per namespace. */
export function buildStartScriptConfigMap(namespace: string): ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: startScriptConfigMapName, namespace, labels: commonLabels("sandboxes") },
        data: { [startScriptFile]: readStartScript() },
    };
}

export function startScriptVolume(): Volume {
    return { name: startScriptVolumeName, configMap: { name: startScriptConfigMapName } };
}

export function startScriptMount(): VolumeMount {
    return { name: startScriptVolumeName, mountPath: startScriptDir, readOnly: true };
}

/** What a sandbox's pod template is annotated with, so that it restarts when the script changes. */
export function startScriptTemplateAnnotations(): Record<string, string> {
    return { [startScriptHashAnnotation]: startScriptSha256() };
}
