// Every rule of the pack, as plain objects (constructing a PolicyPack starts a server).
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export const resourcePolicies: ResourceValidationPolicy[] = [];
export const stackPolicies: StackValidationPolicy[] = [];
