// Issue 25 (render CPU): the SSH roles are registered without @pulumi/vault's class
// (components/access/vault-ssh-ca.ts SshRole). The engine must not be able to tell: the
// registration request (type, parent, dependencies, property dependencies, provider
// version, options, inputs) is the one vault.ssh.SecretBackendRole sends for the same
// arguments, captured from the SDK's own mock monitor.

import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { VaultResource, createSshRole } from "../components/access/vault-ssh-ca";
import { vaultSchema } from "../components/config/stack-schema";
import { sshExtensions } from "../components/access/vault-policies";
import { captureRegistrations, registered } from "./helpers/capturing-monitor";

describe("Vault SSH roles and policies register as vault.ssh.SecretBackendRole and vault.Policy do (issue 25)", function () {
    this.timeout(60_000);

    it("sends the engine the class's request for the same arguments and options, apart from name and call site", async () => {
        const requests = await captureRegistrations("sandbox-platform", "vault-role");
        const settings = vaultSchema.parse({ enabled: true, certTtl: "8h", certMaxTtl: "24h" });
        const mount = new vault.Mount("mount", { path: "ssh-client-signer", type: "ssh" });
        const ca = new vault.ssh.SecretBackendCa("ca", { backend: mount.path, generateSigningKey: true, keyType: "ed25519" });
        const ours = createSshRole({ name: "alpha.alice", team: "alpha", developer: "alice", allowedUsers: "alice", defaultUser: "alice" },
            mount.path, settings, { dependsOn: [ca], protect: false });
        const theirs = new vault.ssh.SecretBackendRole("ssh-role-reference", {
            name: "alpha.alice", backend: mount.path, keyType: "ca", allowUserCertificates: true, allowHostCertificates: false,
            allowedUsers: "alice", defaultUser: "alice", allowedExtensions: Object.keys(sshExtensions).join(","), defaultExtensions: sshExtensions,
            ttl: String(settings.certTtlSeconds), maxTtl: String(settings.certMaxTtlSeconds),
        }, { dependsOn: [ca], protect: false });
        await Promise.all([registered(ours), registered(theirs)]);

        const mine = requests.get("ssh-role-alpha.alice");
        const reference = requests.get("ssh-role-reference");
        assert.ok(mine && reference, "both registered");
        assert.deepStrictEqual(mine.fields, reference.fields);
        assert.strictEqual(mine.fields.type, "vault:ssh/secretBackendRole:SecretBackendRole");
        assert.strictEqual(mine.fields.version, require("@pulumi/vault/package.json").version, "the provider version @pulumi/vault pins");
        assert.ok((mine.fields.dependenciesList as string[]).length >= 2, "dependsOn and the backend's mount");
        assert.deepStrictEqual(mine.inputs, reference.inputs);
        assert.strictEqual(mine.inputs.backend, "ssh-client-signer");
        assert.strictEqual(mine.inputs.ttl, "28800");
    });

    it("sends the engine vault.Policy's request for a developer's sign policy, apart from name and call site", async () => {
        const requests = await captureRegistrations("sandbox-platform", "vault-policy");
        const parent = new pulumi.ComponentResource("sandbox-platform:access:VaultSshCa", "ssh-ca");
        const text = 'path "ssh-client-signer/sign/alpha.alice" {\n  capabilities = ["update"]\n}\n';
        const ours = new VaultResource(vault.Policy, "ssh-policy-ours", { name: "sandbox-ssh-alpha.alice", policy: text }, { parent });
        const theirs = new vault.Policy("ssh-policy-theirs", { name: "sandbox-ssh-alpha.alice", policy: text }, { parent });
        await Promise.all([registered(ours), registered(theirs)]);

        const mine = requests.get("ssh-policy-ours");
        const reference = requests.get("ssh-policy-theirs");
        assert.ok(mine && reference, "both registered");
        assert.deepStrictEqual(mine.fields, reference.fields);
        assert.deepStrictEqual(mine.inputs, reference.inputs);
        assert.strictEqual(mine.fields.type, "vault:index/policy:Policy");
        assert.strictEqual(mine.fields.version, require("@pulumi/vault/package.json").version);
        assert.deepStrictEqual(Object.keys(mine.inputs).sort(), ["name", "policy"]);
    });
});
