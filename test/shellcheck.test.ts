// Every shell script the platform ships or runs, checked by shellcheck (installed by
// .ci/run; elsewhere the suite says it was skipped and why).

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..");

function shellScripts(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return ["node_modules", ".git", "out", "bin"].includes(entry.name) ? [] : shellScripts(full);
        }
        return entry.name.endsWith(".sh") || (fs.statSync(full).mode & 0o111 && /^#!.*\b(ba)?sh\b/.test(fs.readFileSync(full, "utf8").slice(0, 80))) ? [full] : [];
    });
}

describe("shell scripts pass shellcheck", function () {
    const scripts = shellScripts(root);

    before(function () {
        if (spawnSync("shellcheck", ["--version"]).error) {
            console.warn("    skipped: shellcheck is not installed (.ci/run installs it)");
            this.skip();
        }
    });

    it("finds the start-up script and the rootfs builder among them", () => {
        const names = scripts.map((file) => path.relative(root, file));
        assert.ok(names.includes(path.join("images", "sandbox", "sandbox-start.sh")), names.join(", "));
        assert.ok(names.includes(path.join("test", "rootfs", "build.sh")), names.join(", "));
    });

    for (const file of scripts) {
        it(`${path.relative(root, file)} has no shellcheck findings`, () => {
            const result = spawnSync("shellcheck", ["--severity=style", file], { encoding: "utf8" });
            assert.strictEqual(result.status, 0, result.stdout + result.stderr);
        });
    }
});
