// Every pinned chart, image and API version the platform deploys, in one place.
// Nothing here may be "latest": a pin is what makes `pulumi up` repeatable.

/** envbox: privileged outer container that runs sysbox and the developer's inner container. */
export const envboxRepository = "ghcr.io/coder/envbox";
export const envboxTag = "0.6.7";
export const envboxImage = `${envboxRepository}:${envboxTag}`;

/** Default inner workspace image when a team names none. */
export const defaultWorkspaceImage = "codercom/enterprise-base:ubuntu-20240812";

/** Pod Security Admission version the namespace labels pin. */
export const podSecurityVersion = "v1.33";

/** Coder control plane (chart `coder` from helm.coder.com/v2). */
export const coderChart = { repo: "https://helm.coder.com/v2", chart: "coder", version: "2.33.6" };

/** CloudNativePG operator chart and the Postgres image its Cluster runs. */
export const cnpgChart = { repo: "https://cloudnative-pg.github.io/charts", chart: "cloudnative-pg", version: "0.27.1" };
export const cnpgPostgresImage = "ghcr.io/cloudnative-pg/postgresql:17.6";

/** Bitnami PostgreSQL chart; versioned images moved to the frozen bitnamilegacy repository in Aug 2025. */
export const bitnamiPostgresChart = { repo: "oci://registry-1.docker.io/bitnamicharts", chart: "postgresql", version: "16.7.27" };
export const bitnamiPostgresImage = { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" };

/** Sysbox installer (sysbox-deploy-k8s) for sysbox 0.7.0: the tag upstream's sysbox-install.yaml pins (v0.7.0-0). */
export const sysboxDeployImage = "registry.nestybox.com/nestybox/sysbox-deploy-k8s:v0.7.0-0";

/** Kata Containers installer chart (OCI). */
export const kataDeployChart = { repo: "oci://ghcr.io/kata-containers/kata-deploy-charts", chart: "kata-deploy", version: "4.1.0" };

/** NVIDIA device plugin chart. */
export const nvidiaDevicePluginChart = { repo: "https://nvidia.github.io/k8s-device-plugin", chart: "nvidia-device-plugin", version: "0.20.0" };

/** smarter-device-manager: exposes /dev/fuse and /dev/net/tun as extended resources. */
export const smarterDeviceManagerImage = "ghcr.io/smarter-project/smarter-device-manager:v1.20.12";

/** Image the pre-pull DaemonSet's keep-alive container runs after the inner images are pulled. */
export const pauseImage = "registry.k8s.io/pause:3.10";

/** kata-deploy installer image the kata-deploy chart runs (pinned through the chart values). */
export const kataDeployImage = { repository: "quay.io/kata-containers/kata-deploy", tag: kataDeployChart.version };

/** Image the node preflight DaemonSet runs the preflight script with. */
export const preflightImage = "node:20.19.5-alpine3.22";

/** socat forwarders beside envbox (pod ports → the inner container; the inner-container health check). */
export const forwarderImage = "alpine/socat:1.8.0.3";

/**
 * The platform's generic sandbox image (images/sandbox, published by
 * .github/workflows/sandbox-image.yml): sshd, git, Docker, devcontainer CLI, code-server,
 * Claude Code and Gemini CLI.
 * Its tag is images/sandbox/VERSION. Not the default workspace image until published
 * for your registry: name it in a team's `image`.
 */
export const sandboxImageRepository = "ghcr.io/sandbox-platform/sandbox";
export const sandboxImageTag = "0.2.0";
export const sandboxImage = `${sandboxImageRepository}:${sandboxImageTag}`;

/** envbuilder: builds a repository's devcontainer.json into the running container (FROM scratch image). */
export const envbuilderImage = "ghcr.io/coder/envbuilder:1.3.0";

/**
 * kubernetes-sigs/agent-sandbox: the controller (core + extensions) and its CRDs, at one release.
 * Image: the release tool's `registry.k8s.io/agent-sandbox/agent-sandbox-controller:<tag>`
 * (dev/tools/release @ v0.5.6). CRDs: the tag's k8s/crds/*.yaml, fetched at deploy time from the
 * tag's commit (immutable), never copied into this repository (docs/agent-sandbox.md).
 */
export const agentSandboxVersion = "v0.5.6";
export const agentSandboxCommit = "211b7579cabed9460c1a692eb687084ff4c5879d";
export const agentSandboxImage = `registry.k8s.io/agent-sandbox/agent-sandbox-controller:${agentSandboxVersion}`;
export const agentSandboxCrdFiles = [
    "k8s/crds/agents.x-k8s.io_sandboxes.yaml",
    "k8s/crds/extensions.agents.x-k8s.io_sandboxtemplates.yaml",
    "k8s/crds/extensions.agents.x-k8s.io_sandboxwarmpools.yaml",
    "k8s/crds/extensions.agents.x-k8s.io_sandboxclaims.yaml",
].map((file) => `https://raw.githubusercontent.com/kubernetes-sigs/agent-sandbox/${agentSandboxCommit}/${file}`);
/** API versions the platform writes: v1beta1 is the storage version of all four CRDs at the pinned tag. */
export const agentSandboxApiVersion = "agents.x-k8s.io/v1beta1";
export const agentSandboxExtensionsApiVersion = "extensions.agents.x-k8s.io/v1beta1";
/**
 * Coding agents in the platform's sandbox image (images/sandbox/Dockerfile ARGs; a test keeps
 * them equal). Checked with `npm view` on 2026-12-06: Claude Code's `engines.node` is >=22.0.0
 * (hence the image's Node 22), Gemini CLI's >=20.
 */
export const claudeCodeVersion = "2.1.332";
export const geminiCliVersion = "0.61.0";
/** Node of the sandbox image (the official node image's tag): Claude Code wants >= 22. */
export const sandboxImageNode = { image: "node:22.23.3-bookworm-slim", major: 22 };
