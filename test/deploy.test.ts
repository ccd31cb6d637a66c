// `npm run deploy -- <env>`: which stacks an environment has, the order and bound they run in,
// failure isolation, the team identities each team stack deploys with, the summary and exit codes.
// The Automation API is faked (test/helpers/fake-automation.ts) with the SDK's own result shapes
// and error classes; the real path is test/deploy-real.test.ts.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConcurrentUpdateError, OutputMap, StackNotFoundError } from "@pulumi/pulumi/automation";
import { DeployPlanError, planEnvironment, teamCredentialKeys } from "../tools/deploy-plan";
import { CredentialDir, TeamIdentity, TeamIdentityError, boundaryLogin, teamCredentialVariables, teamEnvironment, teamIdentityFrom } from "../tools/deploy-identity";
import { DeployOptions, LineSplitter, StackOutcome, deployEnvironment, failureReason, formatChanges, runBounded, summaryTable } from "../tools/deploy-run";
import { deployExitCodes, deployMain, parseDeployArguments } from "../tools/deploy-cli";
import { repoRoot } from "../tools/repo-root";
import { FakeBackend, cliFailure } from "./helpers/fake-automation";
import { fileTree } from "./helpers/file-tree";
import { BoundaryConformanceServer } from "./helpers/boundary-server";
import { Capture } from "./helpers/capture-stream";

const platformFile = (env: string) => `config:\n  sandbox-platform:environment: ${env}\n  sandbox-platform:stack: platform\n`;
const teamFile = (env: string, ...teams: string[]) =>
    `config:\n  sandbox-platform:environment: ${env}\n  sandbox-platform:stack: team\n  sandbox-platform:teams:\n${teams.map((team) => `    - name: ${team}\n      developers: [alice]\n`).join("")}`;

/** A project root with the given stack files (name → YAML). */
function project(stacks: Record<string, string>): string {
    return fileTree(Object.fromEntries([["Pulumi.yaml", "name: sandbox-platform\nruntime: nodejs\nstackConfigDir: stacks\n"],
        ...Object.entries(stacks).map(([name, text]) => [`stacks/Pulumi.${name}.yaml`, text])]), "deploy-");
}

function environment(env: string, teams: string[]): string {
    return project({ [env]: platformFile(env), ...Object.fromEntries(teams.map((team) => [`${env}-${team}`, teamFile(env, team)])) });
}

const identity = (team: string): TeamIdentity => ({ kubeconfig: `apiVersion: v1\nkind: Config\n# ${team}'s ServiceAccount\n`, vaultToken: `hvs.${team}` });

/** The platform's outputs as the Automation API returns them: teamCredentials as one secret output. */
function platformOutputs(teams: string[]): OutputMap {
    return { teamCredentials: { value: Object.fromEntries(teams.map((team) => [team, identity(team)])), secret: true }, environment: { value: "prod", secret: false } };
}

/** The test's team environment: the real one, without a Boundary server. */
const offlineTeamEnvironment = (id: TeamIdentity, team: string, files: CredentialDir) => teamEnvironment(id, team, files, async () => { throw new Error("no Boundary in this test"); });

async function run(root: string, env: string, backend: FakeBackend, options: Partial<DeployOptions> = {}, only: string[] = []): Promise<{ outcomes: StackOutcome[]; progress: string[] }> {
    const progress: string[] = [];
    const outcomes = await deployEnvironment(planEnvironment(root, env, only), { preview: false, parallel: 4, refresh: false, ...options }, {
        factory: backend.factory, progress: (line) => progress.push(line), teamEnvironment: offlineTeamEnvironment,
    });
    return { outcomes, progress };
}

describe("deploy: the stacks of an environment (stack files)", () => {
    it("plans every shipped environment, and gives each shipped team stack to exactly one of them", () => {
        const names = fs.readdirSync(path.join(repoRoot, "stacks")).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((name): name is string => !!name);
        const claimed: string[] = [];
        let environments = 0;
        for (const name of names) {
            let plan;
            try {
                plan = planEnvironment(repoRoot, name);
            } catch (error) {
                assert.match((error as Error).message, /sandbox-platform:stack is "team"; the stack named after environment/, name);
                continue;
            }
            environments++;
            assert.deepStrictEqual(plan.selected, [name, ...plan.teams.map((team) => team.name)]);
            claimed.push(name, ...plan.teams.map((team) => team.name));
        }
        assert.ok(environments >= 1);
        assert.deepStrictEqual(claimed.sort(), names.sort(), "every stack file is an environment's platform, all-in-one or team stack, once");
    });

    it("finds a platform stack and its team stacks, sorted, each with its team", () => {
        const root = environment("prod", ["beta", "alpha"]);
        const plan = planEnvironment(root, "prod");
        assert.deepStrictEqual(plan.platform, { name: "prod", role: "platform", file: path.join("stacks", "Pulumi.prod.yaml") });
        assert.deepStrictEqual(plan.teams.map((team) => [team.name, team.teams]), [["prod-alpha", ["alpha"]], ["prod-beta", ["beta"]]]);
        assert.deepStrictEqual(plan.selected, ["prod", "prod-alpha", "prod-beta"]);
    });

    it("gives a team stack to the platform stack it reads: platformStack (its stack name), else its environment", () => {
        const root = project({
            "prod": platformFile("prod"), "prod-eu": `${platformFile("prod")}`, "prod-alpha": teamFile("prod", "alpha"),
            "prod-eu-alpha": `${teamFile("prod", "alpha")}  sandbox-platform:platformStack: acme/sandbox-platform/prod-eu\n`,
            "eu-beta": `${teamFile("prod", "beta")}  sandbox-platform:platformStack: prod-eu\n`,
        });
        assert.deepStrictEqual(planEnvironment(root, "prod").teams.map((team) => team.name), ["prod-alpha"]);
        assert.deepStrictEqual(planEnvironment(root, "prod-eu").teams.map((team) => [team.name, team.teams]), [["eu-beta", ["beta"]], ["prod-eu-alpha", ["alpha"]]]);
    });

    it("takes an explicit all-in-one stack alone", () => {
        const plan = planEnvironment(project({ dev: "config:\n  sandbox-platform:environment: dev\n  sandbox-platform:stack: all-in-one\n" }), "dev");
        assert.deepStrictEqual([plan.platform.role, plan.teams, plan.selected], ["all-in-one", [], ["dev"]]);
    });

    it("narrows the run to --stack names of the environment, in the plan's order", () => {
        const root = environment("prod", ["alpha", "beta"]);
        assert.deepStrictEqual(planEnvironment(root, "prod", ["prod-beta", "prod"]).selected, ["prod", "prod-beta"]);
    });

    const refusals: [string, () => string, RegExp][] = [
        ["no stack file for the environment", () => environment("prod", []), /^stacks\/Pulumi\.dev\.yaml: no such stack file; environment dev needs a platform stack \(sandbox-platform:stack: platform\) or an all-in-one stack named dev$/],
        ["the environment's stack is a team stack", () => project({ dev: teamFile("dev") }), /^stacks\/Pulumi\.dev\.yaml: sandbox-platform:stack is "team"; the stack named after environment dev must be its platform stack/],
        ["an unknown kind of stack", () => project({ dev: "config:\n  sandbox-platform:stack: teams\n" }), /^stacks\/Pulumi\.dev\.yaml: sandbox-platform:stack is "teams"; accepted: all-in-one \(the default\), platform, team$/],
        ["team stacks beside an all-in-one stack", () => project({ dev: "config:\n  sandbox-platform:environment: dev\n", "dev-alpha": teamFile("dev", "alpha") }),
            /^stacks\/Pulumi\.dev-alpha\.yaml: a team stack \(sandbox-platform:stack: team\) of environment dev, whose stack stacks\/Pulumi\.dev\.yaml is an all-in-one stack \(sandbox-platform:stack not set\); set sandbox-platform:stack: platform/],
        ["a team stack that names no team", () => project({ dev: platformFile("dev"), "dev-alpha": "config:\n  sandbox-platform:environment: dev\n  sandbox-platform:stack: team\n" }),
            /^stacks\/Pulumi\.dev-alpha\.yaml: sandbox-platform:teams: a team stack lists its teams, each with a name \(found no key\)$/],
        ["a stack file that is not YAML", () => project({ dev: "config: [\n" }), /^read stack config .*Pulumi\.dev\.yaml: /],
    ];
    for (const [what, root, message] of refusals) {
        it(`refuses ${what}, naming the file and key`, () => {
            assert.throws(() => planEnvironment(root(), "dev"), (error: Error) => error instanceof DeployPlanError && message.test(error.message));
        });
    }

    it("refuses an environment name that is not a DNS label, and --stack names outside the environment", () => {
        assert.throws(() => planEnvironment(repoRoot, "../dev"), /environment "..\/dev" is not a DNS-1123 label/);
        assert.throws(() => planEnvironment(environment("dev", ["alpha"]), "dev", ["dev-beta"]), /^DeployPlanError: --stack dev-beta: not a stack of environment dev; its stacks: dev, dev-alpha$/);
    });

    it("refuses a team stack file that carries its own credential: it would override the team identity", () => {
        for (const key of teamCredentialKeys) {
            const [namespace, name] = key.split(":");
            const root = project({ dev: platformFile("dev"), "dev-alpha": `${teamFile("dev", "alpha")}  ${namespace}:${name}: x\n` });
            assert.throws(() => planEnvironment(root, "dev"), new RegExp(`^DeployPlanError: stacks/Pulumi\\.dev-alpha\\.yaml: ${key}: a team stack deploys with its team's identity`), key);
        }
    });
});

describe("deploy: driving the stacks (fake Automation API with the SDK's shapes)", () => {
    it("updates the platform stack before any team stack starts", async () => {
        const root = environment("prod", ["alpha", "beta", "gamma"]);
        const backend = new FakeBackend(["prod"]).script("prod", { outputs: platformOutputs(["alpha", "beta", "gamma"]), delayMs: 20 });
        // The platform's previous update left older identities: the team stacks must wait for the new ones.
        const stale = platformOutputs(["alpha", "beta", "gamma"]);
        stale.teamCredentials.value = Object.fromEntries(Object.keys(stale.teamCredentials.value).map((team) => [team, { kubeconfig: "stale" }]));
        backend.stacks.set("prod", stale);
        const { outcomes } = await run(root, "prod", backend);
        const platform = backend.operations.find((op) => op.stack === "prod")!;
        const teams = backend.operations.filter((op) => op.stack !== "prod");
        assert.strictEqual(teams.length, 3);
        for (const team of teams) {
            assert.ok(team.start > platform.end!, `${team.stack} started before the platform stack ended`);
        }
        // The team stacks' selections, too, come after the platform's update.
        assert.ok(backend.requests.filter((request) => request.name !== "prod").every((request) => request.at > platform.end!));
        assert.deepStrictEqual(outcomes.map((o) => [o.stack, o.role, o.result]), [["prod", "platform", "succeeded"], ["prod-alpha", "team", "succeeded"], ["prod-beta", "team", "succeeded"], ["prod-gamma", "team", "succeeded"]]);
        assert.ok(teams.every((team) => team.kubeconfig === identity(team.stack.slice("prod-".length)).kubeconfig), "the teams deployed with the platform's new outputs");
        assert.deepStrictEqual(backend.created, ["prod-alpha", "prod-beta", "prod-gamma"], "an update creates missing stacks (createOrSelect)");
    });

    for (const parallel of [1, 3]) {
        it(`never runs more than --parallel ${parallel} team stacks at once, and uses all ${parallel} (measured)`, async () => {
            const teams = Array.from({ length: 8 }, (_, i) => `t${i}`);
            const backend = new FakeBackend().script("prod", { outputs: platformOutputs(teams) });
            teams.forEach((team, i) => backend.script(`prod-${team}`, { delayMs: 10 + (i % 3) * 7 }));
            const { outcomes } = await run(environment("prod", teams), "prod", backend, { parallel });
            assert.strictEqual(backend.maxInFlight, parallel);
            // `pulumi stack select` writes the workspace's current stack to one file: selections never overlap.
            assert.strictEqual(backend.maxSelecting, 1);
            assert.strictEqual(outcomes.filter((o) => o.result === "succeeded").length, 9);
        });
    }

    it("runs every other team stack when one fails, and says why it failed in one line", async () => {
        const teams = ["alpha", "beta", "gamma"];
        const backend = new FakeBackend().script("prod", { outputs: platformOutputs(teams) }).script("prod-beta", {
            // The Diagnostics section of the update display (pulumi/pulumi pkg/backend/display/progress.go).
            fail: { stdout: "Diagnostics:\n  kubernetes:apps/v1:Deployment (beta-alice):\n    error: deployments.apps \"beta-alice\" is forbidden: exceeded quota\n\n", exitCode: 255 },
        });
        const { outcomes, progress } = await run(environment("prod", teams), "prod", backend, { parallel: 1 });
        assert.deepStrictEqual(outcomes.map((o) => [o.stack, o.result]), [["prod", "succeeded"], ["prod-alpha", "succeeded"], ["prod-beta", "failed"], ["prod-gamma", "succeeded"]]);
        assert.strictEqual(outcomes[2].reason, "deployments.apps \"beta-alice\" is forbidden: exceeded quota");
        assert.ok(progress.includes("[prod-beta]     error: deployments.apps \"beta-alice\" is forbidden: exceeded quota"), "the CLI's lines reach the progress, prefixed");
        assert.ok(backend.operations.some((op) => op.stack === "prod-gamma"), "the team after the failed one ran");
    });

    it("stops the team stacks when the platform stack fails: they would read stale outputs", async () => {
        const backend = new FakeBackend().script("prod", { fail: { stderr: "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" } });
        const { outcomes } = await run(environment("prod", ["alpha", "beta"]), "prod", backend);
        assert.deepStrictEqual(outcomes.map((o) => [o.stack, o.result]), [["prod", "failed"], ["prod-alpha", "skipped"], ["prod-beta", "skipped"]]);
        // The SDK classifies the lock message as a concurrent update (automation/errors.js diyBackendConflictText).
        assert.match(outcomes[0].reason!, /^ConcurrentUpdateError: the stack is currently locked by 1 lock\(s\)/);
        assert.match(outcomes[1].reason!, /^platform stack prod did not succeed; team stacks read its outputs, so none ran$/);
        assert.deepStrictEqual(backend.requests.map((request) => request.name), ["prod"], "no team stack was even selected");
    });

    it("deploys each team stack with its own identity from the platform's secret output, never the operator's", async () => {
        const teams = ["alpha", "beta"];
        const backend = new FakeBackend().script("prod", { outputs: platformOutputs(teams) });
        await run(environment("prod", teams), "prod", backend);
        const platform = backend.operations.find((op) => op.stack === "prod")!;
        assert.deepStrictEqual(platform.envVars, {}, "the platform stack runs with the operator's own credentials");
        for (const team of teams) {
            const op = backend.operations.find((candidate) => candidate.stack === `prod-${team}`)!;
            assert.strictEqual(op.kubeconfig, identity(team).kubeconfig, `${team} got its own kubeconfig`);
            assert.strictEqual(op.kubeconfigMode, 0o600, "the kubeconfig file is readable by this user only");
            assert.strictEqual(op.envVars.VAULT_TOKEN, `hvs.${team}`);
            // Set (empty) so that an operator's BOUNDARY_TOKEN or another team's credential-store token in this
            // process's environment does not reach the team: the pulumi process inherits the rest (execa extendEnv).
            assert.strictEqual(op.envVars.BOUNDARY_TOKEN, "");
            assert.strictEqual(op.envVars.SANDBOX_BOUNDARY_VAULT_TOKEN, "");
            for (const variable of teamCredentialVariables) {
                assert.strictEqual(typeof op.envVars[variable], "string", `${variable} is always set for a team`);
            }
            assert.ok(!fs.existsSync(op.envVars.KUBECONFIG), "the credential files are gone after the run");
        }
    });

    it("fails only the team whose identity is missing, and refuses an identity output that is not a secret", async () => {
        const backend = new FakeBackend().script("prod", { outputs: platformOutputs(["alpha"]) });
        const { outcomes } = await run(environment("prod", ["alpha", "beta"]), "prod", backend);
        assert.deepStrictEqual(outcomes.map((o) => [o.stack, o.result]), [["prod", "succeeded"], ["prod-alpha", "succeeded"], ["prod-beta", "failed"]]);
        assert.strictEqual(outcomes[2].reason, "platform stack prod output teamCredentials.beta: missing; the platform stack has identities for: alpha");
        assert.ok(!backend.requests.some((request) => request.name === "prod-beta"), "a team without its identity is not even selected");

        const open = new FakeBackend().script("prod", { outputs: { teamCredentials: { value: { alpha: identity("alpha") }, secret: false } } });
        const refused = await run(environment("prod", ["alpha"]), "prod", open);
        assert.match(refused.outcomes[1].reason!, /^platform stack prod output teamCredentials: not a secret; .*refusing to use it\)$/);
    });

    it("fails a stack of several teams alone: no one team's identity reaches the others' namespaces", async () => {
        const root = project({ prod: platformFile("prod"), "prod-alpha": teamFile("prod", "alpha"), "prod-group": teamFile("prod", "beta", "gamma") });
        const backend = new FakeBackend().script("prod", { outputs: platformOutputs(["alpha", "beta", "gamma"]) });
        const { outcomes } = await run(root, "prod", backend);
        assert.deepStrictEqual(outcomes.map((o) => [o.stack, o.result]), [["prod", "succeeded"], ["prod-alpha", "succeeded"], ["prod-group", "failed"]]);
        assert.match(outcomes[2].reason!, /^declares teams beta, gamma: each team's identity reaches only its own namespace and scopes, so a stack of several teams has none to deploy with; split it into one stack per team$/);
    });

    it("passes the team's credential-store token and logs in to Boundary at the platform's address", async () => {
        const logins: unknown[] = [];
        const outputs: OutputMap = {
            platform: { value: { environment: "prod", config: { boundary: { enabled: true, address: "https://boundary.prod.example.com" } } }, secret: false },
            teamCredentials: { value: {
                alpha: { kubeconfig: "k-alpha", boundaryVaultToken: "hvs.store-alpha", boundary: { authMethodId: "ampw_1", loginName: "deployer-alpha", password: "pw" } },
                beta: { kubeconfig: "k-beta", boundaryCredentialStoreToken: "hvs.store-beta" },
            }, secret: true },
        };
        const backend = new FakeBackend().script("prod", { outputs });
        const plan = planEnvironment(environment("prod", ["alpha", "beta"]), "prod");
        await deployEnvironment(plan, { preview: false, parallel: 2, refresh: false }, {
            factory: backend.factory, progress: () => undefined, env: { BOUNDARY_ADDR: "https://operator-default.example.com" },
            teamEnvironment: (id, team, files) => teamEnvironment(id, team, files, async (login) => { logins.push(login); return `at_${team}`; }),
        });
        const env = (stack: string) => backend.operations.find((op) => op.stack === stack)!.envVars;
        assert.deepStrictEqual(logins, [{ authMethodId: "ampw_1", loginName: "deployer-alpha", password: "pw", address: "https://boundary.prod.example.com" }]);
        assert.deepStrictEqual([env("prod-alpha").SANDBOX_BOUNDARY_VAULT_TOKEN, env("prod-alpha").BOUNDARY_TOKEN, env("prod-alpha").BOUNDARY_ADDR], ["hvs.store-alpha", "at_alpha", "https://boundary.prod.example.com"]);
        // Another team's credential-store token in the operator's environment must not reach beta's stack: its own or nothing.
        assert.deepStrictEqual([env("prod-beta").SANDBOX_BOUNDARY_VAULT_TOKEN, env("prod-beta").BOUNDARY_TOKEN, env("prod-beta").VAULT_TOKEN], ["hvs.store-beta", "", ""]);
    });

    it("previews without creating stacks, taking the changes from the preview's summary event", async () => {
        const backend = new FakeBackend(["prod", "prod-alpha"]).script("prod", { changes: { create: 2, same: 40 } }).script("prod-alpha", { changes: { update: 1, same: 9 } });
        backend.stacks.set("prod", platformOutputs(["alpha"]));
        const { outcomes } = await run(environment("prod", ["alpha", "beta"]), "prod", backend, { preview: true, refresh: true });
        assert.deepStrictEqual(outcomes.map((o) => [o.stack, o.operation, o.result, formatChanges(o.changes)]), [
            ["prod", "preview", "succeeded", "create 2, same 40"], ["prod-alpha", "preview", "succeeded", "update 1, same 9"], ["prod-beta", "preview", "failed", "no changes"]]);
        assert.match(outcomes[2].reason!, /^platform stack prod output teamCredentials\.beta: missing/);
        assert.deepStrictEqual(backend.created, []);
        assert.ok(backend.requests.every((request) => !request.create));
        assert.ok(backend.operations.every((op) => op.kind === "preview" && op.options.refresh === true), "--refresh reaches every operation");
    });

    it("reports a stack missing from the backend in a preview as the SDK's StackNotFoundError", async () => {
        const { outcomes } = await run(environment("prod", ["alpha"]), "prod", new FakeBackend(), { preview: true });
        assert.deepStrictEqual(outcomes.map((o) => [o.result, o.reason]), [["failed", "StackNotFoundError: no stack named 'prod' found"], ["skipped", "platform stack prod did not succeed; team stacks read its outputs, so none ran"]]);
    });

    it("with --stack for a team only, reads the platform's last outputs and leaves the platform stack alone", async () => {
        const backend = new FakeBackend(["prod"]);
        backend.stacks.set("prod", platformOutputs(["alpha", "beta"]));
        const { outcomes } = await run(environment("prod", ["alpha", "beta"]), "prod", backend, {}, ["prod-beta"]);
        assert.deepStrictEqual(outcomes.map((o) => [o.stack, o.result]), [["prod-beta", "succeeded"]]);
        assert.deepStrictEqual(backend.operations.map((op) => op.stack), ["prod-beta"]);
        assert.deepStrictEqual(backend.requests.map((request) => [request.name, request.create]), [["prod", false], ["prod-beta", true]]);
    });

    it("starts nothing new once interrupted", async () => {
        const abort = new AbortController();
        const backend = new FakeBackend().script("prod", { outputs: platformOutputs(["alpha", "beta"]) });
        const progress: string[] = [];
        const plan = planEnvironment(environment("prod", ["alpha", "beta"]), "prod");
        const outcomes = await deployEnvironment(plan, { preview: false, parallel: 1, refresh: false, signal: abort.signal }, {
            factory: async (request) => {
                const stack = await backend.factory(request);
                return { ...stack, up: async (options) => { const result = await stack.up(options); if (request.name === "prod-alpha") { abort.abort(); } return result; } };
            },
            progress: (line) => progress.push(line), teamEnvironment: offlineTeamEnvironment,
        });
        assert.deepStrictEqual(outcomes.map((o) => [o.stack, o.result]), [["prod", "succeeded"], ["prod-alpha", "succeeded"], ["prod-beta", "skipped"]]);
        // The CLI already got the terminal's Ctrl-C; a second SIGINT from the SDK would make it terminate at once.
        assert.ok(backend.operations.every((op) => op.options.signal === undefined), "running operations are never signalled by the deploy");
    });
});

describe("deploy: pieces", () => {
    it("hands on whole lines from chunks that cut them", () => {
        const lines: string[] = [];
        const splitter = new LineSplitter((line) => lines.push(line));
        ["Upd", "ating (dev)\r\n\nRes", "ources:\n    3 cre", "ated"].forEach((chunk) => splitter.push(chunk));
        splitter.flush();
        assert.deepStrictEqual(lines, ["Updating (dev)", "", "Resources:", "    3 created"]);
    });

    it("runs a bounded pool over every item even when some take longer", async () => {
        let running = 0, most = 0;
        const done: number[] = [];
        await runBounded([30, 1, 1, 20, 1, 1, 1], 2, async (ms) => {
            running++; most = Math.max(most, running);
            await new Promise((resolve) => setTimeout(resolve, ms));
            running--; done.push(ms);
        });
        assert.deepStrictEqual([most, done.length], [2, 7]);
    });

    it("names the SDK's error class and the CLI's error lines, not the transcript", () => {
        const notFound = cliFailure(["stack", "select", "--stack", "dev"], 255, "error: no stack named 'dev' found");
        assert.ok(notFound instanceof StackNotFoundError);
        assert.strictEqual(failureReason(notFound), "StackNotFoundError: no stack named 'dev' found");
        const locked = cliFailure(["up"], 255, "error: [409] Conflict: Another update is currently in progress.");
        assert.ok(locked instanceof ConcurrentUpdateError);
        assert.strictEqual(failureReason(locked), "ConcurrentUpdateError: [409] Conflict: Another update is currently in progress.");
        assert.strictEqual(failureReason(cliFailure(["up"], 1, "panic: something odd")), "Command failed with exit code 1: pulumi up");
        assert.strictEqual(failureReason(new TeamIdentityError("x")), "x");
    });

    it("summarises changes in the order a reader expects, and the table with reasons", () => {
        assert.strictEqual(formatChanges({ same: 120, update: 1, create: 3 }), "create 3, update 1, same 120");
        assert.strictEqual(formatChanges({ same: 0 }), "no changes");
        const table = summaryTable([
            { stack: "prod", role: "platform", operation: "update", result: "succeeded", changes: { create: 3, same: 120 }, durationMs: 42_100 },
            { stack: "prod-alpha", role: "team", operation: "update", result: "failed", changes: {}, durationMs: 900, reason: "quota" },
        ]);
        assert.strictEqual(table, [
            "STACK       ROLE      RESULT     CHANGES             DURATION",
            "prod        platform  succeeded  create 3, same 120  42.1 s",
            "prod-alpha  team      failed     -                   0.9 s",
            "",
            "1 of 2 stack(s) did not succeed:",
            "  prod-alpha: quota",
        ].join("\n"));
    });

    it("reads a team identity only from teamCredentials.<team>, each part checked", () => {
        const outputs = (value: unknown): OutputMap => ({ teamCredentials: { value, secret: true } });
        assert.deepStrictEqual(teamIdentityFrom(outputs({ alpha: identity("alpha") }), "prod", "alpha"), identity("alpha"));
        assert.throws(() => teamIdentityFrom({}, "prod", "alpha"), /^TeamIdentityError: platform stack prod output teamCredentials: missing/);
        assert.throws(() => teamIdentityFrom(outputs({ alpha: { vaultToken: "t" } }), "prod", "alpha"), /teamCredentials\.alpha\.kubeconfig: missing or empty; a team stack never deploys with the operator's kubeconfig/);
        assert.throws(() => teamIdentityFrom(outputs({ alpha: { kubeconfig: "k", boundary: { address: "https://b" } } }), "prod", "alpha"), /teamCredentials\.alpha\.boundary: authMethodId, loginName, password missing/);
    });

    describe("Boundary login for a team (against the swagger-derived Boundary server)", () => {
        const server = new BoundaryConformanceServer({ login: { authMethodId: "ampw_team1234", loginName: "deployer-alpha", password: "s3cret" } });
        before(() => server.start());
        after(() => server.stop());

        it("logs in as the team's deployer and passes the token, with the address, to the team's process", async () => {
            const files = new CredentialDir();
            try {
                const env = await teamEnvironment({ kubeconfig: "k", boundary: { address: server.address, authMethodId: "ampw_team1234", loginName: "deployer-alpha", password: "s3cret" } }, "alpha", files);
                assert.match(env.BOUNDARY_TOKEN, /^at_/);
                assert.strictEqual(env.BOUNDARY_ADDR, server.address);
                assert.strictEqual(env.VAULT_TOKEN, "", "no Vault identity: the operator's VAULT_TOKEN is overridden with nothing");
                assert.deepStrictEqual(server.violations, []);
            } finally {
                files.remove();
            }
        });

        it("fails the team's login with Boundary's own answer", async () => {
            await assert.rejects(boundaryLogin({ address: server.address, authMethodId: "ampw_team1234", loginName: "deployer-alpha", password: "wrong" }),
                new TeamIdentityError(`log in to Boundary at ${server.address} as deployer-alpha: 401 Unable to authenticate.`));
        });
    });
});

describe("deploy: the command", () => {
    async function command(argv: string[], root: string, backend = new FakeBackend()): Promise<{ code: number; stdout: string; stderr: string }> {
        const stdout = new Capture(), stderr = new Capture();
        const code = await deployMain(argv, { stdout, stderr }, { root, factory: backend.factory, teamEnvironment: offlineTeamEnvironment });
        return { code, stdout: stdout.text, stderr: stderr.text };
    }

    it("prints progress per stack on stderr and the summary table on stdout; 0 when every stack succeeded", async () => {
        const backend = new FakeBackend().script("prod", { outputs: platformOutputs(["alpha"]), changes: { create: 5 } }).script("prod-alpha", { changes: { create: 2 } });
        const { code, stdout, stderr } = await command(["prod"], environment("prod", ["alpha"]), backend);
        assert.strictEqual(code, deployExitCodes.ok);
        const lines = stderr.split("\n");
        assert.strictEqual(lines[0], "deploy: environment prod: platform stack prod, 1 team stack(s) (prod-alpha), 4 at once; update");
        for (const expected of ["[prod] selecting (or creating) stack", "[prod] update started", "[prod] Updating (prod)", "[prod-alpha]     2 create"]) {
            assert.ok(lines.includes(expected), `${expected} in\n${stderr}`);
        }
        assert.ok(lines.some((line) => /^\[prod-alpha\] update succeeded in \d+\.\d s \(create 2\)$/.test(line)));
        const table = stdout.split("\n");
        assert.match(table[0], /^STACK\s+ROLE\s+RESULT\s+CHANGES\s+DURATION$/);
        assert.match(table[1], /^prod\s+platform\s+succeeded\s+create 5\s+\d+\.\d s$/);
        assert.match(table[2], /^prod-alpha\s+team\s+succeeded\s+create 2\s+\d+\.\d s$/);
        assert.strictEqual(table.slice(3).join("\n"), "\nall 2 stack(s) succeeded\n");
    });

    it("exits 1 when any stack failed, and --json puts the outcomes on stdout", async () => {
        const backend = new FakeBackend().script("prod", { outputs: platformOutputs(["alpha", "beta"]) }).script("prod-alpha", { fail: { stderr: "error: update failed\n" } });
        const { code, stdout } = await command(["prod", "--json", "--parallel", "2"], environment("prod", ["alpha", "beta"]), backend);
        assert.strictEqual(code, deployExitCodes.stackFailed);
        const report = JSON.parse(stdout);
        assert.deepStrictEqual([report.environment, report.operation, report.exitCode], ["prod", "update", 1]);
        assert.deepStrictEqual(report.stacks.map((s: StackOutcome) => [s.stack, s.role, s.result, s.reason ?? null]), [
            ["prod", "platform", "succeeded", null], ["prod-alpha", "team", "failed", "update failed"], ["prod-beta", "team", "succeeded", null]]);
        assert.ok(report.stacks.every((s: StackOutcome) => typeof s.durationMs === "number"));
    });

    it("exits 2 naming the file and key for a bad environment, and touches no stack", async () => {
        const backend = new FakeBackend();
        const missing = await command(["staging"], environment("prod", []), backend);
        assert.strictEqual(missing.code, deployExitCodes.invalid);
        assert.strictEqual(missing.stderr, "deploy: stacks/Pulumi.staging.yaml: no such stack file; environment staging needs a platform stack (sandbox-platform:stack: platform) or an all-in-one stack named staging\nnothing was deployed\n");
        const credential = await command(["dev"], project({ dev: platformFile("dev"), "dev-alpha": `${teamFile("dev", "alpha")}  vault:token: hvs.admin\n` }), backend);
        assert.strictEqual(credential.code, deployExitCodes.invalid);
        assert.match(credential.stderr, /^deploy: stacks\/Pulumi\.dev-alpha\.yaml: vault:token: a team stack deploys with its team's identity/);
        assert.deepStrictEqual(backend.requests, []);
        assert.strictEqual(missing.stdout + credential.stdout, "");
    });

    it("parses its arguments strictly", () => {
        assert.deepStrictEqual(parseDeployArguments(["prod", "--preview", "--refresh", "--parallel", "8", "--stack", "prod-a,prod-b", "--stack", "prod"]),
            { environment: "prod", preview: true, refresh: true, parallel: 8, stacks: ["prod-a", "prod-b", "prod"], json: false });
        assert.strictEqual(parseDeployArguments(["dev"]).parallel, 4);
        for (const [argv, message] of [[[], /^Error: usage: npm run deploy/], [["dev", "--parallel", "0"], /--parallel 0: expected a whole number/], [["dev", "--stack"], /--stack needs a value/],
            [["dev", "prod"], /unexpected argument prod/], [["dev", "--yes"], /unexpected argument --yes/]] as [string[], RegExp][]) {
            assert.throws(() => parseDeployArguments(argv), message, argv.join(" "));
        }
    });
});
