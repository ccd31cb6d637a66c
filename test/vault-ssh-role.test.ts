// Issue 25 (render CPU): the SSH roles are registered without @pulumi/vault's class
// (components/access/vault-ssh-ca.ts SshRole). The engine must not be able to tell: the
// registration request (type, parent, dependencies, property dependencies, provider
// version, options, inputs) is the one vault.ssh.SecretBackendRole sends for the same
// arguments, captured from the SDK's own mock monitor.

import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { VaultResource, classFreeVaultTypes, createSshRole } from "../components/access/vault-ssh-ca";
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

    // Red team (issue 25, third pass): VaultResource was described as any @pulumi/vault class's registration.
    const registers = (Class: unknown): Class is new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource => typeof Class === "function";

    it("lists dependencies in the class's order (its inputs in sorted order), not the arguments'", async () => {
        const requests = await captureRegistrations("sandbox-platform", "vault-order");
        const first = new vault.Mount("first", { path: "a", type: "ssh" });
        const second = new vault.Mount("second", { path: "b", type: "ssh" });
        // The policy's name before its text, the role's name before its backend: each class assigns them the other way round.
        const policyArgs = () => ({ policy: first.path.apply((path) => `path "${path}/sign/x" {}`), name: second.path.apply((path) => `p-${path}`) });
        const roleArgs = () => ({ name: first.path.apply((path) => `r-${path}`), backend: second.path, keyType: "ca" });
        for (const [label, Class, args] of [["policy", vault.Policy, policyArgs], ["role", vault.ssh.SecretBackendRole, roleArgs]] as const) {
            assert.ok(registers(Class));
            const ours = new VaultResource(Class as never, `ours-order-${label}`, args(), {});
            const theirs = new Class(`theirs-order-${label}`, args() as never);
            await Promise.all([registered(ours), registered(theirs)]);
            const reference = requests.get(`theirs-order-${label}`)!;
            assert.strictEqual((reference.fields.dependenciesList as string[]).length, 2, label);
            assert.deepStrictEqual(requests.get(`ours-order-${label}`)!.fields, reference.fields, label);
        }
    });

    it("is registered from the caller's frame, as the class is: the line of its `new` as the source position, and the same stack above it", async () => {
        const requests = await captureRegistrations("sandbox-platform", "vault-call-site");
        const args = { name: "sandbox-ssh-alpha.alice", policy: 'path "ssh/sign/alpha.alice" {}' };
        // A named function: the SDK reads a position only from a frame of the form `at name (file:line:column)`.
        function fromOneLine(ours: boolean, name: string) {
            return ours
                ? new VaultResource(vault.Policy, name, args, {})
                : new vault.Policy(name, args, {});
        }
        const created: pulumi.CustomResource[] = [];
        for (const [isOurs, name] of [[true, "ours-site"], [false, "theirs-site"]] as const) {
            created.push(fromOneLine(isOurs, name));
        }
        await Promise.all(created.map(registered));
        // The first frame is the line of each `new` (one apart); every frame above it is the same.
        type Frame = { uri: string; line: number; column: number };
        const sites = ["ours-site", "theirs-site"].map((name) => requests.get(name)!.callSite as { sourceposition: Frame; stacktrace: { framesList: { pc?: Frame }[] } });
        const [mine, reference] = sites;
        assert.match(mine.sourceposition.uri, /vault-ssh-role\.test\.ts$/, "the position is the test's line, not vault-ssh-ca.ts");
        assert.strictEqual(mine.sourceposition.uri, reference.sourceposition.uri);
        assert.strictEqual(mine.sourceposition.line, reference.sourceposition.line - 1);
        assert.deepStrictEqual(mine.stacktrace.framesList[0].pc, mine.sourceposition);
        assert.deepStrictEqual(reference.stacktrace.framesList[0].pc, reference.sourceposition);
        assert.deepStrictEqual(mine.stacktrace.framesList.slice(1), reference.stacktrace.framesList.slice(1));
    });

    it("throws the class's error for a missing required input (vault.Policy's policy, a role's backend and keyType)", async () => {
        await captureRegistrations("sandbox-platform", "vault-required");
        assert.throws(() => new vault.Policy("theirs-required", { name: "x" } as never), /Missing required property 'policy'/);
        assert.throws(() => new VaultResource(vault.Policy, "ours-required", { name: "x" } as never, {}), /Missing required property 'policy'/);
        assert.throws(() => new VaultResource(vault.ssh.SecretBackendRole, "ours-role-required", { backend: "ssh" } as never, {}), /Missing required property 'keyType'/);
    });

    it("refuses a class whose constructor does more than copy its inputs (vault.ssh.SecretBackendCa makes privateKey a secret and an additional secret output)", async () => {
        const requests = await captureRegistrations("sandbox-platform", "vault-secret-class");
        const theirs = new vault.ssh.SecretBackendCa("theirs-ca", { backend: "ssh", privateKey: "PRIVATE", publicKey: "public" });
        await registered(theirs);
        assert.deepStrictEqual(requests.get("theirs-ca")!.fields.additionalsecretoutputsList, ["privateKey"], "what the class adds");
        assert.throws(() => new VaultResource(vault.ssh.SecretBackendCa as never, "ours-ca", { backend: "ssh", privateKey: "PRIVATE" }, {}),
            /vault:ssh\/secretBackendCa:SecretBackendCa.*vault\.Policy.*vault\.ssh\.SecretBackendRole/s);
    });

    it("takes only classes whose constructor copies its inputs in sorted order, requires what it says and adds nothing (read from @pulumi/vault 7.8.0's constructors)", () => {
        const classes = [vault.Policy, vault.ssh.SecretBackendRole];
        assert.deepStrictEqual([...classFreeVaultTypes.keys()].sort(), classes.map((Class) => (Class as unknown as { __pulumiType: string }).__pulumiType).sort());
        for (const Class of classes) {
            const source = Class.toString();
            const create = source.slice(source.indexOf("else {"));
            const fields = [...create.matchAll(/resourceInputs\["(\w+)"\] = args\?\.(\w+);/g)].map(([, field, argument]) => { assert.strictEqual(field, argument); return field; });
            const required = [...create.matchAll(/if \(args\?\.(\w+) === undefined && !opts\.urn\)/g)].map(([, field]) => field);
            assert.ok(fields.length >= 3, `${Class.name}: the constructor was read`);
            assert.deepStrictEqual(fields, [...fields].sort(), `${Class.name} assigns its inputs in sorted order`);
            assert.deepStrictEqual(classFreeVaultTypes.get((Class as unknown as { __pulumiType: string }).__pulumiType)!.required, required, Class.name);
            assert.doesNotMatch(create, /pulumi\.secret|additionalSecretOutputs|aliases|replaceOnChanges/, `${Class.name} adds no secret, alias or option`);
        }
    });
});
