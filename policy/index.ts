// The CrossGuard pack: `pulumi preview --policy-pack policy`. Only constructs the
// PolicyPack; the rules live in rules/ so that tests and tools evaluate them in-process.
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./rules";

new PolicyPack("sandbox-platform", {
    policies: [...resourcePolicies, ...stackPolicies],
});
