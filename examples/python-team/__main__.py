"""app-team-alpha's team stack in dev, in Python, with the sandbox-platform package.

The same team, developers and sizes as stacks/Pulumi.dev-app-team-alpha.yaml (README.md here).
The module is the SDK `pulumi package add ../../provider` generates (package name
sandbox_platform_sandbox_platform: namespace and name of the package schema).
"""

import pulumi
import sandbox_platform_sandbox_platform as sandbox_platform

alpha = sandbox_platform.TeamStack(
    "alpha",
    environment="dev",
    platform_stack="organization/sandbox-platform/dev",
    teams=[
        sandbox_platform.TeamArgs(
            name="app-team-alpha",
            image="codercom/enterprise-base:ubuntu-20240812",
            resources=sandbox_platform.SandboxResourcesArgs(cpu="2", memory="8Gi", disk="30Gi", docker_cache="50Gi"),
            developers=[
                sandbox_platform.DeveloperArgs(name="alice"),
                sandbox_platform.DeveloperArgs(
                    name="bob",
                    resources=sandbox_platform.SandboxResourcesArgs(cpu="4", memory="16Gi"),
                ),
            ],
        ),
    ],
)

pulumi.export("developers", alpha.developers)
pulumi.export("connect", alpha.connect)
