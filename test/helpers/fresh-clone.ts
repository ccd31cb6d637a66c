// A fresh clone of the project as `npm ci` leaves it, for tests of what runs without the
// program (`pulumi refresh`, `pulumi destroy`): the files git would hand out (tracked and
// not ignored), no bin/, and node_modules as `npm ci` lays it out: the registry packages
// (linked to this checkout's, they are the same) and a copy of every `file:` dependency
// (packages/*; .npmrc install-links=true makes npm copy them, not link them).

import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DynamicProviderHost } from "./dynamic-provider-host";

/** Makes the clone in a new temporary directory and returns it; the caller removes it. */
export function freshClone(projectDir: string): string {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), "fresh-clone-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: projectDir, encoding: "utf8" })
        .split("\0").filter((file) => file !== "" && fs.existsSync(path.join(projectDir, file)));
    for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
        fs.copyFileSync(path.join(projectDir, file), path.join(clone, file));
    }
    const modules = path.join(clone, "node_modules");
    fs.mkdirSync(path.join(modules, "@sandbox-platform"), { recursive: true });
    for (const entry of fs.readdirSync(path.join(projectDir, "node_modules"))) {
        if (entry !== "@sandbox-platform" && entry !== ".bin") {
            fs.symlinkSync(path.join(projectDir, "node_modules", entry), path.join(modules, entry));
        }
    }
    const dependencies = JSON.parse(fs.readFileSync(path.join(clone, "package.json"), "utf8")).dependencies as Record<string, string>;
    for (const [name, spec] of Object.entries(dependencies)) {
        if (spec.startsWith("file:")) {
            fs.cpSync(path.join(clone, spec.slice("file:".length)), path.join(modules, ...name.split("/")), { recursive: true });
        }
    }
    return clone;
}

/**
 * `pulumi refresh` / `destroy` from a fresh clone: the SDK's dynamic-provider host started in a clone
 * that has no build but has the installed `providerModule`, given to `steps`; afterwards the host must
 * have built `builtFile` (relative to the clone) itself. The clone is removed.
 */
export async function withHostInFreshClone(projectDir: string, providerModule: string, builtFile: string, steps: (host: DynamicProviderHost) => Promise<void>): Promise<void> {
    const clone = freshClone(projectDir);
    try {
        assert.ok(!fs.existsSync(path.join(clone, "bin")), "a clone has no build");
        assert.ok(fs.existsSync(path.join(clone, "node_modules", ...providerModule.split("/"), "index.js")), "npm ci copies the provider module");
        const host = await DynamicProviderHost.start(clone);
        try {
            await steps(host);
        } finally {
            host.stop();
        }
        assert.ok(fs.existsSync(path.join(clone, builtFile)), "the clone's own build ran the calls");
        assert.match(host.stderr(), /built \d+ file\(s\) into bin/);
    } finally {
        fs.rmSync(clone, { recursive: true, force: true });
    }
}
