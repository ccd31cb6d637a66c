// Enumerations of the stack config, shared by the schema and the builders.

export const distributions = ["k3s", "generic"] as const;
export const sandboxRuntimes = ["envbox", "sysbox", "kata"] as const;
export const allocations = ["dedicated", "pool", "ephemeral"] as const;
/** How a sandbox's workspace is made: the image as is, the repo's devcontainer via the devcontainer CLI, or an envbuilder-built image. */
export const workspaceModes = ["image", "devcontainer", "envbuilder"] as const;
export const postgresModes = ["cloudnative-pg", "bitnami", "external"] as const;
export const boundaryEditions = ["community", "enterprise", "hcp"] as const;
export const helmModes = ["pulumi", "helm-controller"] as const;
/**
 * What a stack holds: everything of an environment (small installations), the shared part of an
 * environment (platform), or one team's (or a group of teams') sandboxes and access (team).
 */
export const stackKinds = ["all-in-one", "platform", "team"] as const;
/** Kata shims kata-deploy installs, each with the RuntimeClass pod overhead it declares. */
export const kataShimOverheads = {
    "qemu": { cpu: "250m", memory: "320Mi" },
    "qemu-runtime-rs": { cpu: "250m", memory: "320Mi" },
    "clh": { cpu: "250m", memory: "130Mi" },
    "dragonball": { cpu: "250m", memory: "130Mi" },
    "fc": { cpu: "250m", memory: "130Mi" },
} as const;
export type KataShim = keyof typeof kataShimOverheads;
export const kataShims = Object.keys(kataShimOverheads) as KataShim[];

/** Stack secrets (set with `pulumi config set --secret`); never decrypted by the offline render. */
export const secretKeys = ["boundaryToken", "boundaryPassword", "boundaryVaultToken"] as const;
