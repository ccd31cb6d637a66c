// Issue 25, item 2: the start-up script once per namespace, each developer's settings
// in their own ConfigMap, and a sandbox restarts when the script changes.

import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { buildBootstrapScript, readStartScript, startScriptDir, startScriptPath, startSettingsFile } from "../components/sandboxes/bootstrap";
import { planTeamSandboxes } from "../components/sandboxes/plan";
import { startScriptConfigMapName, startScriptHashAnnotation, startScriptVolumeName } from "../components/sandboxes/start-script";
import { buildSandboxConfigMap } from "../components/sandboxes/workspace";
import { buildSandboxDeployment, buildSandboxPodSpec, managedSandboxDeployment } from "../components/sandboxes/workload";
import { parsePlatformConfig } from "../components/config/load";
import { teamNamespace } from "../components/naming";
import { ofKind, runPlatform } from "./helpers/platform";

const scriptFile = path.join(__dirname, "..", "images", "sandbox", "sandbox-start.sh");

describe("the start-up script, shared per namespace (issue 25)", function () {
    this.timeout(120_000);
    const raw = {
        environment: "test",
        runtimes: { sysbox: { enabled: true } },
        teams: [
            { name: "alpha", developers: ["alice", "bob", "carol"] },
            { name: "beta", runtime: "sysbox", developers: ["dave", "erin"] },
        ],
    };

    it("one ConfigMap per sandbox namespace carries the script; each developer's carries only sshd's files and their settings", async () => {
        const run = await runPlatform(raw);
        const configMaps = ofKind(run.resources, "ConfigMap");
        const shared = configMaps.filter((r) => r.inputs.metadata.name === startScriptConfigMapName);
        assert.deepStrictEqual(shared.map((r) => r.inputs.metadata.namespace).sort(), [teamNamespace("alpha"), teamNamespace("beta")].sort());
        for (const configMap of shared) {
            assert.deepStrictEqual(configMap.inputs.data, { "sandbox-start.sh": fs.readFileSync(scriptFile, "utf8") });
        }
        const script = fs.readFileSync(scriptFile, "utf8");
        const perDeveloper = configMaps.filter((r) => r.inputs.data?.[startSettingsFile] !== undefined);
        assert.strictEqual(perDeveloper.length, 5);
        for (const configMap of perDeveloper) {
            assert.deepStrictEqual(Object.keys(configMap.inputs.data).sort(), ["principals", "sandbox.env", "sshd_config"]);
            assert.ok(JSON.stringify(configMap.inputs.data).length < 2_000, `${configMap.inputs.metadata.name}: ${JSON.stringify(configMap.inputs.data).length} bytes`);
        }
        const copies = run.resources.filter((r) => JSON.stringify(r.inputs).includes(JSON.stringify(script).slice(1, -1)));
        assert.deepStrictEqual(copies.map((r) => r.urn).sort(), shared.map((r) => r.urn).sort(), "the script is nowhere else");
        // Every Deployment waits for its namespace's script.
        for (const deployment of ofKind(run.resources, "Deployment").filter((r) => shared.some((c) => c.inputs.metadata.namespace === r.inputs.metadata.namespace))) {
            const sharedUrn = shared.find((r) => r.inputs.metadata.namespace === deployment.inputs.metadata.namespace)!.urn;
            assert.ok(deployment.options.dependsOn.includes(sharedUrn), `${deployment.urn} does not depend on ${sharedUrn}`);
            assert.strictEqual(deployment.inputs.spec.template.metadata.annotations[startScriptHashAnnotation],
                crypto.createHash("sha256").update(script).digest("hex"), `${deployment.urn} does not restart when the script changes`);
        }
    });

    it("every runtime reads the script from the shared ConfigMap's mount, and envbox passes that mount into the inner container", () => {
        const config = parsePlatformConfig(raw);
        assert.match(buildBootstrapScript(), new RegExp(`exec /bin/sh ${startScriptPath}\\n$`));
        assert.strictEqual(path.posix.dirname(startScriptPath), startScriptDir);
        for (const team of config.teams) {
            const plan = planTeamSandboxes(team)[0];
            const spec = buildSandboxPodSpec(plan, config);
            const volume = spec.volumes!.find((v) => v.name === startScriptVolumeName);
            assert.deepStrictEqual(volume, { name: startScriptVolumeName, configMap: { name: startScriptConfigMapName } });
            const container = spec.containers[0];
            assert.deepStrictEqual(container.volumeMounts!.find((m) => m.name === startScriptVolumeName), { name: startScriptVolumeName, mountPath: startScriptDir, readOnly: true });
            if (plan.runtime === "envbox") {
                const mounts = container.env!.find((e) => e.name === "CODER_MOUNTS")!.value!.split(",");
                assert.ok(mounts.includes(`${startScriptDir}:${startScriptDir}:ro`), mounts.join(","));
            }
        }
    });

    it("a sandbox's pod template carries the script's sha256, so a changed script is a new template (a rollout); the PVCs do not move", async () => {
        const config = parsePlatformConfig(raw);
        const plan = planTeamSandboxes(config.teams[0])[0];
        const deployment = managedSandboxDeployment(buildSandboxDeployment(plan, buildSandboxPodSpec(plan, config)));
        const expected = crypto.createHash("sha256").update(fs.readFileSync(scriptFile)).digest("hex");
        assert.strictEqual(deployment.spec!.template!.metadata!.annotations![startScriptHashAnnotation], expected);
        assert.strictEqual(readStartScript(), fs.readFileSync(scriptFile, "utf8"));
        // The settings of one developer are not in the template: changing them changes no pod template.
        assert.doesNotMatch(JSON.stringify(deployment), /SANDBOX_REPO_URL/);
        // The PVCs keep their names and inputs (only the ConfigMaps and the pod template changed).
        const run = await runPlatform(raw);
        const claims = ofKind(run.resources, "PersistentVolumeClaim");
        assert.strictEqual(claims.length, 10, "home and Docker cache for each of the five developers");
        for (const claim of claims) {
            assert.ok(claim.urn.endsWith(`::${claim.inputs.metadata.name}`), claim.urn);
            assert.strictEqual(claim.options.retainOnDelete, true, claim.urn);
        }
    });

    it("the settings file the script sources is still the sandbox's own ConfigMap (the script's default SANDBOX_CONFIG_DIR)", () => {
        const script = readStartScript();
        assert.match(script, /config_dir=\$\{SANDBOX_CONFIG_DIR:-\/etc\/sandbox\/sshd\}/);
        assert.match(script, /\. "\$config_dir\/sandbox\.env"/);
        const configMap = buildSandboxConfigMap(planTeamSandboxes(parsePlatformConfig(raw).teams[0])[0], ["alice"]);
        assert.ok(configMap.data![startSettingsFile].includes("SANDBOX_NAME='alpha-alice'"));
    });
});
