// Sticky assignment of developers to warm-pool members. Pure and self-contained
// (no imports): the dynamic provider that keeps it in Pulumi state serializes it.

export type PoolAssignments = Record<string, number>;

/**
 * Keeps every developer who is still on the roster on the member they had, and gives
 * newcomers the lowest free members in roster order. Throws when the roster is larger
 * than the pool.
 */
export function assignPoolMembers(previous: PoolAssignments, developers: string[], poolSize: number): PoolAssignments {
    if (developers.length > poolSize) {
        throw new Error(`pool assignment: ${developers.length} developers do not fit ${poolSize} pool members; raise poolSize`);
    }
    const next: PoolAssignments = {};
    const taken = new Set<number>();
    for (const developer of developers) {
        const member = previous[developer];
        if (member !== undefined && member >= 0 && member < poolSize && !taken.has(member)) {
            next[developer] = member;
            taken.add(member);
        }
    }
    let free = 0;
    for (const developer of developers) {
        if (next[developer] !== undefined) {
            continue;
        }
        while (taken.has(free)) {
            free++;
        }
        next[developer] = free;
        taken.add(free);
    }
    return next;
}
