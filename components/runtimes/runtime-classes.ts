// RuntimeClasses: the one source of truth for their names, handlers, overheads and
// node selectors. The kata-deploy chart is told not to create its own.

import { KataShim, PlatformConfig, kataShimOverheads } from "../config/schema";
import { RuntimeClass } from "../manifest";
import { commonLabels } from "../naming";
import { kataRuntimeClassName, sysboxRuntimeClassName } from "../sandboxes/plan";

export const sysboxNodeLabel = { key: "sysbox-runtime", value: "running" };
export const sysboxInstallLabel = { key: "sysbox-install", value: "yes" };
export const kataNodeLabel = { key: "katacontainers.io/kata-runtime", value: "true" };
export const gvisorNodeLabel = { key: "sandbox-platform.io/gvisor", value: "installed" };

function runtimeClass(name: string, handler: string, nodeSelector: Record<string, string>, overhead?: { cpu: string; memory: string }): RuntimeClass {
    return {
        apiVersion: "node.k8s.io/v1",
        kind: "RuntimeClass",
        metadata: { name, labels: commonLabels("runtimes") },
        handler,
        ...(overhead ? { overhead: { podFixed: { cpu: overhead.cpu, memory: overhead.memory } } } : {}),
        scheduling: { nodeSelector },
    };
}

export function buildSysboxRuntimeClass(): RuntimeClass {
    return runtimeClass(sysboxRuntimeClassName, "sysbox-runc", { [sysboxNodeLabel.key]: sysboxNodeLabel.value });
}

export function buildKataRuntimeClass(shim: KataShim): RuntimeClass {
    return runtimeClass(kataRuntimeClassName(shim), kataRuntimeClassName(shim), { [kataNodeLabel.key]: kataNodeLabel.value }, kataShimOverheads[shim]);
}

export function buildGvisorRuntimeClass(): RuntimeClass {
    return runtimeClass("gvisor", "runsc", { [gvisorNodeLabel.key]: gvisorNodeLabel.value });
}

/** Every RuntimeClass the config enables. */
export function buildRuntimeClasses(config: Pick<PlatformConfig, "runtimes">): RuntimeClass[] {
    return [
        ...(config.runtimes.sysbox.enabled ? [buildSysboxRuntimeClass()] : []),
        ...(config.runtimes.kata.enabled ? config.runtimes.kata.shims.map(buildKataRuntimeClass) : []),
        ...(config.runtimes.gvisor.enabled ? [buildGvisorRuntimeClass()] : []),
    ];
}
