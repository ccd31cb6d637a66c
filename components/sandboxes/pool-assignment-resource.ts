import * as pulumi from "@pulumi/pulumi";
import { PoolAssignments, assignPoolMembers } from "./pool-assignment";

/** Marks the dynamic resource's inputs so that tools (the offline render) can recognise it. */
export const poolAssignmentKind = "sandbox-platform:sandboxes:PoolAssignment";

interface PoolAssignmentInputs {
    kind: string;
    team: string;
    developers: string[];
    poolSize: number;
}

interface PoolAssignmentState extends PoolAssignmentInputs {
    assignments: PoolAssignments;
}

// The provider is serialized into state: it references only assignPoolMembers,
// which imports nothing. Exported for the serialized-provider tests.
export const poolAssignmentProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: PoolAssignmentInputs) {
        const outs: PoolAssignmentState = { ...inputs, assignments: assignPoolMembers({}, inputs.developers, inputs.poolSize) };
        return { id: `${inputs.team}-pool-assignment`, outs };
    },
    async diff(_id: string, olds: PoolAssignmentState, news: PoolAssignmentInputs) {
        const changes = olds.poolSize !== news.poolSize || JSON.stringify(olds.developers) !== JSON.stringify(news.developers);
        return { changes, replaces: olds.team !== news.team ? ["team"] : [] };
    },
    async update(_id: string, olds: PoolAssignmentState, news: PoolAssignmentInputs) {
        const outs: PoolAssignmentState = { ...news, assignments: assignPoolMembers(olds.assignments ?? {}, news.developers, news.poolSize) };
        return { outs };
    },
};

export interface PoolAssignmentArgs {
    /** Team whose pool this assigns. */
    team: string;
    /** Developers on the roster, in roster order. */
    developers: string[];
    /** Number of pool members. */
    poolSize: number;
}

/** Developer → pool member index, kept in Pulumi state so assignments never move. */
export class PoolAssignment extends pulumi.dynamic.Resource {
    declare readonly assignments: pulumi.Output<PoolAssignments>;

    constructor(name: string, args: PoolAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
        super(poolAssignmentProvider, name, { kind: poolAssignmentKind, ...args, assignments: undefined }, opts);
    }
}
