// What the mock monitor answers for resources whose real outputs only a provider
// computes. Each entry does what the real provider's create would, or stands in a
// clearly marked placeholder for a value only the live service can produce.

import { assignPoolMembers } from "../components/sandboxes/pool-assignment";
import { poolAssignmentKind } from "../components/sandboxes/pool-assignment-resource";

/** Text that stands for a value a live service generates at deploy time. */
export function generatedAtDeploy(what: string): string {
    return `<${what}: generated at deploy>`;
}

export const redacted = "[secret]";

/** The id the offline render gives a custom resource: only a live service assigns real ones. */
export function mockId(name: string): string {
    return `<id:${name}>`;
}

/** Every mock id in a text (a global pattern: use with match or matchAll). */
export const mockIdPattern = /<id:[^>]+>/g;

type Simulator = (name: string, inputs: Record<string, any>) => Record<string, unknown>;

const dynamicSimulators: Record<string, Simulator> = {
    [poolAssignmentKind]: (_name, inputs) => ({ assignments: assignPoolMembers({}, inputs.developers, inputs.poolSize) }),
};

const typeSimulators: Record<string, Simulator> = {
    "vault:ssh/secretBackendCa:SecretBackendCa": () => ({ publicKey: generatedAtDeploy("Vault SSH CA public key") }),
    "vault:index/token:Token": () => ({ clientToken: redacted }),
    "random:index/randomPassword:RandomPassword": () => ({ result: redacted }),
};

/** State the mock returns: the inputs, plus what the provider would compute. */
export function simulateOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    const dynamic = typeof inputs.kind === "string" ? dynamicSimulators[inputs.kind] : undefined;
    const simulator = dynamic ?? typeSimulators[type];
    return { ...inputs, ...(simulator ? simulator(name, inputs) : {}) };
}
