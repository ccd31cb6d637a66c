// platform.md: what a render deploys, as a Mermaid diagram GitHub renders. Namespaces,
// each team's sandboxes by runtime, the access path (developer → Boundary → Service →
// sandbox, with Vault signing the developer's key) and the platform services.

import type { DeveloperSandbox } from "../components/sandboxes/team-sandboxes";
import { teamNamespace } from "../components/naming";
import { RenderResult } from "./render-stack";

/** Sandboxes drawn per team; the rest are counted (a diagram of 500 boxes helps nobody). */
export const maxSandboxesDrawn = 12;

/** Mermaid label text: names here are DNS labels, but quote anyway. */
function label(text: string): string {
    return `"${text.replace(/"/g, "#quot;").replace(/[<>]/g, (c) => (c === "<" ? "#lt;" : "#gt;"))}"`;
}

export function platformMarkdown(result: RenderResult): string {
    const { config } = result;
    const sandboxes = (result.run.outputs.developers ?? []) as DeveloperSandbox[];
    const lines: string[] = ["flowchart LR"];
    let next = 0;
    const id = () => `n${next++}`;

    const developer = id();
    lines.push(`    ${developer}([${label("developer")}])`);
    const boundary = config.boundary.enabled ? id() : undefined;
    if (boundary) {
        lines.push(`    ${boundary}[${label(`Boundary ${config.boundary.edition}: org ${config.boundary.orgName}`)}]`);
        lines.push(`    ${developer} -->|${label("boundary connect")}| ${boundary}`);
    }
    const vault = config.vault.enabled ? id() : undefined;
    if (vault) {
        lines.push(`    ${vault}[(${label(`Vault SSH CA: ${config.vault.sshMount}, TTL ${config.vault.certTtl}`)})]`);
        const injected = config.boundary.enabled && config.boundary.edition !== "community";
        if (injected && boundary) {
            lines.push(`    ${boundary} -->|${label("signs a certificate per session")}| ${vault}`);
        } else {
            lines.push(`    ${developer} -->|${label("signs own key")}| ${vault}`);
        }
    }

    lines.push(`    subgraph sandboxes[${label("sandbox namespaces")}]`);
    for (const team of config.teams) {
        const namespace = teamNamespace(team.name);
        const mine = sandboxes.filter((sandbox) => sandbox.team === team.name);
        const unique = [...new Map(mine.map((sandbox) => [sandbox.sandbox, sandbox])).values()];
        const kind = team.allocation === "pool" ? `warm pool of ${team.poolSize}` : `${team.developers.length} dedicated`;
        lines.push(`        subgraph ${id()}[${label(`${namespace}: team ${team.name}, ${team.runtime}, ${kind}`)}]`);
        for (const sandbox of unique.slice(0, maxSandboxesDrawn)) {
            const service = id();
            const pod = id();
            const who = team.allocation === "pool"
                ? mine.filter((entry) => entry.sandbox === sandbox.sandbox).map((entry) => entry.developer).join(", ")
                : sandbox.developer;
            lines.push(`            ${service}[${label(`Service ${sandbox.sandbox}:22`)}] --> ${pod}[${label(`${sandbox.runtime} sandbox ${sandbox.sandbox}${who ? ` (${who})` : ""}`)}]`);
            if (boundary) {
                lines.push(`            ${boundary} -->|${label("TCP 22")}| ${service}`);
            } else {
                lines.push(`            ${developer} -.->|${label("no Boundary: kubectl port-forward")}| ${service}`);
            }
        }
        if (unique.length > maxSandboxesDrawn) {
            lines.push(`            ${id()}[${label(`... and ${unique.length - maxSandboxesDrawn} more sandboxes`)}]`);
        }
        if (unique.length === 0) {
            lines.push(`            ${id()}[${label("no sandboxes yet")}]`);
        }
        lines.push("        end");
    }
    lines.push("    end");

    lines.push(`    subgraph services[${label("platform services")}]`);
    if (config.coder.enabled) {
        lines.push(`        ${id()}[${label(`Coder ${config.coder.chartVersion} in ${config.coder.namespace}, Postgres ${config.coder.postgres.mode}`)}]`);
    }
    const runtimes = [
        config.runtimes.sysbox.enabled ? "Sysbox" : undefined,
        config.runtimes.kata.enabled ? `Kata (${config.runtimes.kata.shims.join(", ")})` : undefined,
        config.runtimes.gvisor.enabled ? "gVisor" : undefined,
    ].filter((entry): entry is string => entry !== undefined);
    lines.push(`        ${id()}[${label(`runtimes: envbox${runtimes.map((runtime) => `, ${runtime}`).join("")}`)}]`);
    if (config.gpu.enabled) {
        lines.push(`        ${id()}[${label(`NVIDIA device plugin, ${config.gpu.timeSlicingReplicas} per GPU`)}]`);
    }
    if (config.devices.fuse || config.devices.tun) {
        lines.push(`        ${id()}[${label(`devices: ${[config.devices.fuse ? "FUSE" : "", config.devices.tun ? "TUN" : ""].filter(Boolean).join(", ")}`)}]`);
    }
    lines.push(`        ${id()}[${label(`access namespace ${config.network.accessFrom.namespace}: the only pods that reach sandboxes`)}]`);
    lines.push("    end");

    return [
        `# Platform: stack ${result.stack} (environment ${config.environment})`,
        "",
        "Generated by `npm run render`; every resource with its inputs is in plan.json beside this file.",
        "",
        "```mermaid",
        ...lines,
        "```",
        "",
    ].join("\n");
}
