// The dynamic provider that keeps a team's warm-pool assignment in Pulumi state. Pool
// assignments name it through the installed module packages/pool-assignment-provider
// (their `__provider` is a one-line require of it, pool-assignment-resource.ts), so its
// code is not in any state. It stays self-contained all the same (it imports only the
// pure assignPoolMembers, types apart): state written before that carries this provider
// serialized by value, and test/serialized-providers.test.ts still runs it that way.

import type * as pulumi from "@pulumi/pulumi";
import { PoolAssignments, assignPoolMembers } from "./pool-assignment";

/** Marks the dynamic resource's inputs so that tools (the offline render) can recognise it. */
export const poolAssignmentKind = "sandbox-platform:sandboxes:PoolAssignment";

export interface PoolAssignmentInputs {
    kind: string;
    team: string;
    developers: string[];
    poolSize: number;
}

export interface PoolAssignmentState extends PoolAssignmentInputs {
    assignments: PoolAssignments;
}

/**
 * Whether the state was written with another provider text, such as the version that
 * carried this provider's whole code: an update (which keeps every assignment) rewrites
 * the state with the short reference. Without it the old code would stay in the outputs,
 * which only an update replaces (a step with no changes keeps the old outputs).
 */
function providerMoved(olds: PoolAssignmentInputs, news: PoolAssignmentInputs): boolean {
    const before = (olds as unknown as Record<string, unknown>).__provider;
    const after = (news as unknown as Record<string, unknown>).__provider;
    return typeof before === "string" && typeof after === "string" && before !== after;
}

export const poolAssignmentProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: PoolAssignmentInputs) {
        const outs: PoolAssignmentState = { ...inputs, assignments: assignPoolMembers({}, inputs.developers, inputs.poolSize) };
        return { id: `${inputs.team}-pool-assignment`, outs };
    },
    async diff(_id: string, olds: PoolAssignmentState, news: PoolAssignmentInputs) {
        const changes = olds.poolSize !== news.poolSize || JSON.stringify(olds.developers) !== JSON.stringify(news.developers)
            || providerMoved(olds, news);
        return { changes, replaces: olds.team !== news.team ? ["team"] : [] };
    },
    async update(_id: string, olds: PoolAssignmentState, news: PoolAssignmentInputs) {
        const outs: PoolAssignmentState = { ...news, assignments: assignPoolMembers(olds.assignments ?? {}, news.developers, news.poolSize) };
        return { outs };
    },
};
