// The real stack factory: a LocalWorkspace over this project (workDir = the directory holding
// Pulumi.yaml, so the CLI reads Pulumi.yaml and stacks/Pulumi.<stack>.yaml exactly as `pulumi up`
// run there would), one workspace per stack so that each carries its own environment variables
// (a team's credentials). Needs the Pulumi CLI on PATH; @pulumi/pulumi 3.270.0
// automation/localWorkspace.js: LocalWorkspace.selectStack / createOrSelectStack({ stackName, workDir },
// { envVars }) run `pulumi stack select [--create]`-equivalents (Stack.select, Stack.createOrSelect:
// select, and on StackNotFoundError `pulumi stack init`).

import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { DeployStack, StackFactory } from "./deploy-run";

export function localStackFactory(workDir: string): StackFactory {
    return async ({ name, create, envVars }): Promise<DeployStack> => {
        const args = { stackName: name, workDir };
        try {
            return create
                ? await LocalWorkspace.createOrSelectStack(args, { envVars })
                : await LocalWorkspace.selectStack(args, { envVars });
        } catch (error) {
            // automation/cmd.js PulumiCommand.get runs `pulumi version`; execa reports a missing binary as ENOENT.
            if (/ENOENT/.test((error as Error)?.message ?? "") && /pulumi version/.test((error as Error)?.message ?? "")) {
                throw new Error("the Pulumi CLI (`pulumi`) is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) and log in to the backend (`pulumi login`)");
            }
            throw error;
        }
    };
}
