// The rule definitions that both engines read: the CrossGuard rules (policy/rules/*.ts,
// evaluated at preview and by policy:check) and the CEL generator of the cluster's
// ValidatingAdmissionPolicies (policy/admission/cel.ts). Changing a definition here
// changes both verdicts; test/admission.test.ts checks that they agree on every fixture
// and render. Patterns are written in the common subset of JavaScript and RE2 syntax
// (CEL's `matches` is RE2): ASCII classes only, no look-around, no back-references.

import { envboxCommand as builderEnvboxCommand, envboxHostPaths, hostGpuLibraryDir } from "../components/sandboxes/envbox";
import { labels } from "../components/naming";

// ---- workloads -------------------------------------------------------------------

/** Pod label that marks a developer's sandbox (its images must be pinned). */
export const sandboxPodLabel = labels.sandbox;
/** The RuntimeClass of sysbox pods, and the prefix of every Kata RuntimeClass. */
export const sysboxRuntimeClass = "sysbox-runc";
export const kataRuntimeClassPrefix = "kata";
/** Container lists of a pod spec, in the order the pack reports them. */
export const containerListNames = ["containers", "initContainers", "ephemeralContainers"] as const;

/**
 * A pinned image: a digest at the end, or a tag (not `latest`) after the last `:` of
 * the last path segment (the tag grammar of the distribution reference spec).
 */
export const pinnedImagePatterns = {
    digest: "@sha256:[a-f0-9]{64}$",
    tag: ":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
    latest: ":latest$",
} as const;

// ---- envbox's hardened shape (DESIGN.md, policy contract) ------------------------------

/** The outer container's exact command (from the builder: one definition). */
export const envboxCommand: readonly string[] = builderEnvboxCommand;
/** Host paths the envbox pod may mount, read-only (kernel headers and modules for sysbox). */
export const envboxHostPathAllowlist: readonly string[] = envboxHostPaths;
/** The host's NVIDIA library directory, allowed read-only when CODER_ADD_GPU is true. */
export const gpuLibraryHostPath = hostGpuLibraryDir;
/** Volume kinds whose contents belong to the pod, so the inner container may see them. */
export const mountableVolumeKinds: readonly string[] = ["persistentVolumeClaim", "emptyDir", "configMap", "secret", "ephemeral"];
/**
 * Outer-container paths the inner container must never see, nor any parent of them:
 * host pseudo-filesystems, envbox's own dockerd and sysbox state (its socket lives
 * under /run and /var/run), and the kubelet's service-account token directories.
 */
export const forbiddenMountPaths: readonly string[] = ["/proc", "/sys", "/dev", "/run", "/var/run", "/var/lib/sysbox", "/var/lib/docker", "/var/lib/containers",
    "/var/lib/kubelet", "/var/run/secrets", "/run/secrets"];
/** A container runtime's socket anywhere in a path (searched, not anchored at the start). */
export const runtimeSocketPattern = "(docker|containerd|crio|cri-dockerd|podman|sysbox)[^/]*\\.sock$";
/** envbox variables that name outer paths or decide which host paths are passed (cli/docker.go flags). */
export const envboxPathVariables: readonly string[] = ["CODER_MOUNTS", "CODER_USR_LIB_DIR", "CODER_INNER_USR_LIB_DIR", "CODER_ADD_GPU", "CODER_EXTRA_CERTS_PATH", "CODER_DOCKER_CONFIG"];
/** Go's strconv.ParseBool true spellings, which envbox's bool flags use. */
export const goTrueValues: readonly string[] = ["1", "t", "T", "TRUE", "true", "True"];
/** Pod fields that share a host namespace (or the pod's processes) and disqualify envbox. */
export const envboxPodNamespaceFields: readonly string[] = ["hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace"];
/** Handlers that run a command inside a container: probes and lifecycle hooks. */
export const probeNames: readonly string[] = ["livenessProbe", "readinessProbe", "startupProbe"];
export const lifecycleHooks: readonly string[] = ["postStart", "preStop"];

// ---- Pod Security Standards, baseline ------------------------------------------------
// kubernetes/pod-security-admission v0.36.2 policy/check_*.go at version `latest`
// (docs/upstream.md, "Kubernetes API semantics").

/** Host namespaces the baseline forbids (check_hostNamespaces.go). */
export const hostNamespaceFields: readonly string[] = ["hostNetwork", "hostPID", "hostIPC"];
/** check_capabilities_baseline.go: exact names, no CAP_ prefix stripping. */
export const baselineCapabilities: readonly string[] = [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
];
/** check_sysctls.go, set for 1.32 and later. */
export const safeSysctls: readonly string[] = [
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
];
/** check_seLinuxOptions.go, types for 1.31 and later ("" is an unset type). */
export const baselineSeLinuxTypes: readonly string[] = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
/** seccompProfile / appArmorProfile types the baseline allows (absent is allowed too). */
export const allowedProfileTypes: readonly string[] = ["RuntimeDefault", "Localhost"];
/** Deprecated annotations (check_appArmorProfile.go, check_seccompProfile_baseline.go). */
export const appArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";
export const seccompPodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
export const seccompContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/";
/** AppArmor annotation values allowed exactly, or by prefix. */
export const allowedAppArmorAnnotationValues: readonly string[] = ["", "runtime/default"];
export const allowedAppArmorAnnotationPrefix = "localhost/";
/** seccomp annotation values allowed exactly, or by prefix (stricter than the upstream check: at every version). */
export const allowedSeccompAnnotationValues: readonly string[] = ["runtime/default", "docker/default"];
export const allowedSeccompAnnotationPrefix = "localhost/";
/** Handlers whose `host` field points a probe or hook at another host (check_probe... hostProbesAndHostLifecycle). */
export const hostHandlers: readonly string[] = ["httpGet", "tcpSocket"];
