// Named egress allowlists for coding agents. NetworkPolicy matches addresses, never DNS
// names, so a preset is the address ranges a provider publishes for its API, with where
// and when they were read. A provider that publishes none has no preset: its API shares
// its owner's whole front-end address space (docs/agents.md "Egress").
//
// A preset only adds entries to a team's `egress` allowlist (the same NetworkPolicy
// `allow-team-egress`); it never opens anything else, and the metadata and cluster ranges
// stay refused by egressAllowProblem like any other entry.

/** One preset: HTTPS to the ranges its provider publishes. */
export interface EgressPreset {
    /** What the ranges serve. */
    serves: string;
    cidrs: string[];
    /** Where the ranges are published and when they were read. */
    source: string;
}

/** HTTPS: the model APIs speak nothing else. */
export const presetPort = 443;

export const egressPresets = {
    anthropic: {
        serves: "the Claude API (api.anthropic.com) and Console: Claude Code's model calls and its API-key login",
        cidrs: ["160.79.104.0/23", "153.61.224.0/22", "2607:6bc0::/48"],
        source: "Anthropic, \"IP addresses\", Inbound IP addresses (platform.claude.com/docs/en/api/ip-addresses; "
            + "153.61.224.0/22 from the de/ja pages of the same document), read 2026-12-06",
    },
} as const satisfies Record<string, EgressPreset>;

export type EgressPresetName = keyof typeof egressPresets;
export const egressPresetNames = Object.keys(egressPresets) as [EgressPresetName, ...EgressPresetName[]];

/** The allowlist entries a team's presets add, in the shape of `teams[].egress` after defaults. */
export function egressPresetRules(names: readonly EgressPresetName[]): { cidr: string; ports: { protocol: "TCP" | "UDP" | "SCTP"; port: number; endPort?: number }[] }[] {
    return [...new Set(names)].flatMap((name) => egressPresets[name].cidrs.map((cidr) => ({ cidr, ports: [{ protocol: "TCP" as const, port: presetPort }] })));
}
