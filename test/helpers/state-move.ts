// What `pulumi state move` does to URNs, and how the engine then matches a program's registrations to
// the state it holds (same URN, else an alias). Modelled from pulumi/pulumi at v3.2xx (read at commit
// 021b737, 2026):
//   - pkg/cmd/pulumi/state/state_move.go: the resources named and all their descendants move
//     (sourceDepGraph.ChildrenOf); a moved resource whose parent does not move is re-parented to the
//     destination's root stack (r.Parent = rootStack.URN), but its URN is only renamed:
//     rewriteURNs → renameStackAndProject (urn.RenameStack, urn.RenameProject). The qualified type
//     chain in the URN keeps the old parents' types.
//   - pkg/resource/deploy/step_generator.go: generateURN from the parent's qualified type;
//     generateAliases = each alias collapsed to a URN (collapseAliasToUrn: the alias's parent URN,
//     name and type, defaulting to the resource's), plus, when the parent itself matched an old
//     resource through an alias (sg.aliases[parent]), inheritedChildAlias: the parent alias's qualified
//     type + the child's type, and the child's name (with the parent's name prefix swapped); the old
//     state is looked up by URN first, then by each alias in order.

import { CapturedResource } from "../../tools/program-runner";

export interface MovedResource { from: string; to: string; resource: CapturedResource }

/** urn:pulumi:<stack>::<project>::<qualified type>::<name> */
export function parseUrn(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
    const match = /^urn:pulumi:([^:]+)::([^:]+)::(.+?)::(.*)$/.exec(urn);
    if (!match) {
        throw new Error(`not a URN: ${urn}`);
    }
    return { stack: match[1], project: match[2], qualifiedType: match[3], name: match[4] };
}

function urnOf(stack: string, project: string, qualifiedType: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/** The resources `pulumi state move --source <source> --dest <dest> <urns>` moves, with their URNs after the move. */
export function stateMove(source: CapturedResource[], urns: string[], destStack: string): MovedResource[] {
    const moving = new Set(urns);
    // Children of moved resources move too, at any depth (the source snapshot lists parents first).
    for (const resource of source) {
        if (resource.parent !== undefined && moving.has(resource.parent)) {
            moving.add(resource.urn);
        }
    }
    return source.filter((resource) => moving.has(resource.urn)).map((resource) => {
        const parsed = parseUrn(resource.urn);
        return { from: resource.urn, to: urnOf(destStack, parsed.project, parsed.qualifiedType, parsed.name), resource };
    });
}

/** An alias as a program passes it: a URN, or a spec whose parent is a URN (what this project uses). */
function collapseAlias(alias: unknown, resource: CapturedResource, parentUrn: string | undefined, stack: string, project: string): string | undefined {
    if (typeof alias === "string") {
        return alias;
    }
    if (!alias || typeof alias !== "object") {
        return undefined;
    }
    const spec = alias as { name?: string; type?: string; parent?: unknown; noParent?: boolean; stack?: string; project?: string };
    const parent = spec.noParent ? undefined : typeof spec.parent === "string" ? spec.parent : parentUrn;
    const type = spec.type ?? resource.type;
    const qualifiedType = parent ? `${parseUrn(parent).qualifiedType}$${type}` : type;
    return urnOf(spec.stack ?? stack, spec.project ?? project, qualifiedType, spec.name ?? resource.name);
}

export interface Match { resource: CapturedResource; old?: string; via?: "urn" | "alias" }

/**
 * Which old state entry each registration of `resources` (in registration order) takes over, as the
 * engine's step generator decides it. A registration with no match would be a create.
 */
export function matchRegistrations(resources: CapturedResource[], olds: Set<string>): Match[] {
    const matchedAlias = new Map<string, string>();
    return resources.map((resource) => {
        const { stack, project } = parseUrn(resource.urn);
        const aliases: string[] = [];
        const add = (urn: string | undefined) => {
            if (urn !== undefined && !aliases.includes(urn)) {
                aliases.push(urn);
            }
        };
        for (const alias of resource.options.aliases) {
            add(collapseAlias(alias, resource, resource.parent, stack, project));
        }
        const parentAlias = resource.parent !== undefined ? matchedAlias.get(resource.parent) : undefined;
        if (parentAlias !== undefined) {
            const parentName = parseUrn(resource.parent!).name;
            const inherited = (type: string, name: string) => {
                const aliasName = name.startsWith(parentName) ? parseUrn(parentAlias).name + name.slice(parentName.length) : name;
                return urnOf(stack, project, `${parseUrn(parentAlias).qualifiedType}$${type}`, aliasName);
            };
            add(inherited(resource.type, resource.name));
            for (const alias of resource.options.aliases) {
                const collapsed = collapseAlias(alias, resource, resource.parent, stack, project);
                if (collapsed) {
                    const parsed = parseUrn(collapsed);
                    add(inherited(parsed.qualifiedType.split("$").pop()!, parsed.name));
                }
            }
        }
        if (olds.has(resource.urn)) {
            return { resource, old: resource.urn, via: "urn" };
        }
        const alias = aliases.find((urn) => olds.has(urn));
        if (alias !== undefined) {
            matchedAlias.set(resource.urn, alias);
            return { resource, old: alias, via: "alias" };
        }
        return { resource };
    });
}
