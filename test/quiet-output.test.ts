// Test output stays quiet on success: what a rendered program logs with pulumi.log.warn
// (printed to the console by the SDK when no engine is connected) is captured by the
// runner and asserted on here, not printed.
import * as assert from "assert";
import { runPlatform } from "./helpers/platform";

describe("rendered programs: warnings are captured, not printed", function () {
    this.timeout(300000);

    it("captures the deploy-time credential and runtime warnings of a stack that needs them, printing nothing", async () => {
        const printed: unknown[][] = [];
        const consoleWarn = console.warn;
        console.warn = (...args: unknown[]) => printed.push(args);
        let warnings: string[];
        try {
            const run = await runPlatform({
                environment: "dev",
                runtimes: { sysbox: { enabled: true } },
                vault: { enabled: true },
                boundary: { enabled: true, address: "https://boundary.example.com" },
                teams: [{ name: "alpha", developers: ["alice"] }],
            });
            warnings = run.warnings;
        } finally {
            console.warn = consoleWarn;
        }
        assert.deepStrictEqual(printed, []);
        assert.ok(warnings.some((warning) => /^Vault token is not set: the render uses <deploy-time: VAULT_TOKEN>/.test(warning)), warnings.join("\n"));
        assert.ok(warnings.some((warning) => /^Boundary token is not set/.test(warning)), warnings.join("\n"));
        assert.ok(warnings.some((warning) => /^runtimes\.sysbox: K3s nodes are not an official Sysbox target/.test(warning)), warnings.join("\n"));
    });

    it("captures none for a stack that needs no credential and uses envbox only", async () => {
        const run = await runPlatform({ environment: "dev", teams: [{ name: "alpha", developers: ["alice"] }] });
        assert.deepStrictEqual(run.warnings, []);
    });
});
