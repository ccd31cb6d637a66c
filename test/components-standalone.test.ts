// The platform's components take what they use, not the whole config (issue #23, item 3):
// each can be deployed on its own from its config sections, and, so built, registers exactly
// the objects it registers inside the Platform of a shipped stack.

import { strict as assert } from "assert";
import * as path from "path";
import { AgentSandboxInstall } from "../components/agent-sandbox/agent-sandbox-install";
import { ClusterBase } from "../components/cluster/cluster-base";
import { PlatformConfig } from "../components/config/schema";
import { CoderPlatform } from "../components/platform/coder-platform";
import { Runtimes } from "../components/runtimes/runtimes";
import { CapturedResource, runProgram } from "../tools/program-runner";
import { loadStack, renderStack, repoRoot } from "../tools/render-stack";

const componentTypes = {
    ClusterBase: "sandbox-platform:cluster:ClusterBase",
    Runtimes: "sandbox-platform:runtimes:Runtimes",
    CoderPlatform: "sandbox-platform:platform:Coder",
    AgentSandboxInstall: "sandbox-platform:agent-sandbox:AgentSandboxInstall",
} as const;

/** The platform's components alone, each given only its sections of the validated config. */
function standalone(config: PlatformConfig): () => void {
    return () => {
        const base = new ClusterBase("cluster", {
            teams: config.teams, quotaBy: config.stack === "platform" ? "capacity" : "roster",
            cluster: config.cluster, network: config.network, runtimes: { kata: config.runtimes.kata },
            platformNamespace: config.coder.enabled ? config.coder.namespace : undefined,
        });
        new Runtimes("runtimes", { runtimes: config.runtimes, gpu: config.gpu, devices: config.devices, cluster: config.cluster, network: config.network });
        if (config.agentSandbox.enabled) {
            new AgentSandboxInstall("agent-sandbox", { cluster: config.cluster, network: config.network });
        }
        if (config.coder.enabled) {
            new CoderPlatform("coder", { coder: config.coder, cluster: config.cluster, network: config.network, namespace: base.platformNamespace! });
        }
    };
}

/** What a component registered beneath it, by what the engine would be sent (type, name, inputs). */
function registeredUnder(resources: CapturedResource[], componentType: string): string[] {
    return resources
        .filter((resource) => resource.urn.split("::")[2].split("$").includes(componentType) && resource.type !== componentType)
        .map((resource) => JSON.stringify({ type: resource.type, name: resource.name, inputs: resource.inputs, read: resource.options.read }))
        .sort();
}

const cases: { stack: string; file?: string }[] = [
    { stack: "dev" },
    { stack: "prod" },
    { stack: "repos" },
    { stack: "agentsandbox" },
    { stack: "dev", file: "test/fixtures/all-in-one/Pulumi.dev.yaml" },
    { stack: "prod", file: "test/fixtures/all-in-one/Pulumi.prod.yaml" },
];

describe("platform components with narrow arguments", () => {
    for (const { stack, file } of cases) {
        it(`register on their own what they register inside the Platform (${file ? `all-in-one ${stack}` : `stack ${stack}`})`, async () => {
            const configFile = file ? path.join(repoRoot, file) : undefined;
            const whole = await renderStack(stack, configFile);
            const { config } = loadStack(stack, configFile);
            const alone = await runProgram({ stack, config: {}, program: standalone(config) });
            let compared = 0;
            for (const [component, type] of Object.entries(componentTypes)) {
                const inside = registeredUnder(whole.run.resources, type);
                const onItsOwn = registeredUnder(alone.resources, type);
                assert.deepEqual(onItsOwn, inside, `${component}: what it registers alone differs from inside the Platform`);
                compared += inside.length;
            }
            assert.ok(compared > 20, `only ${compared} objects compared`);
            // Nothing else: every object of the standalone run belongs to one of the components.
            const components = new Set<string>(Object.values(componentTypes));
            const stray = alone.resources.filter((resource) => !resource.urn.split("::")[2].split("$").some((t) => components.has(t)));
            assert.deepEqual(stray.map((resource) => resource.urn), []);
        });
    }

    it("take no whole config: their argument types name the sections they read", () => {
        // A compile-time fact checked at run time from the declarations the package publishes.
        const ts = require("typescript") as typeof import("typescript");
        const files = ["cluster/cluster-base.ts", "runtimes/runtimes.ts", "platform/coder-platform.ts", "agent-sandbox/agent-sandbox-install.ts"]
            .map((name) => path.join(repoRoot, "components", name));
        const program = ts.createProgram(files, { strict: true, noEmit: true });
        const checker = program.getTypeChecker();
        let checked = 0;
        for (const file of files) {
            const source = program.getSourceFile(file)!;
            ts.forEachChild(source, (node) => {
                if (!ts.isInterfaceDeclaration(node) || !node.name.text.endsWith("Args")) {
                    return;
                }
                checked++;
                for (const member of node.members) {
                    const text = checker.typeToString(checker.getTypeAtLocation(member), undefined, ts.TypeFormatFlags.NoTruncation);
                    assert.ok(!/\bPlatformConfig\b/.test(text) && !/\bteams\b.*\bcoder\b.*\bvault\b/.test(text),
                        `${node.name.text}.${member.name?.getText()} takes the whole config (${text.slice(0, 120)})`);
                }
            });
        }
        assert.equal(checked, 4);
    });
});
