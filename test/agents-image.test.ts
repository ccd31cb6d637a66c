// The coding agents in the platform's sandbox image (images/sandbox/Dockerfile), checked
// statically: no image is built here. The Dockerfile is read instruction by instruction
// (continuation lines joined, as Docker's parser does) and its pins compared with
// components/versions.ts, where every pin lives.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { claudeCodeVersion, geminiCliVersion, sandboxImageNode } from "../components/versions";

interface Instruction { keyword: string; args: string }

/** Dockerfile instructions: comments dropped, `\` continuations joined (moby/buildkit frontend/dockerfile/parser). */
function instructions(text: string): Instruction[] {
    const logical: string[] = [];
    let current = "";
    for (const line of text.split("\n")) {
        if (/^\s*#/.test(line) && current === "") {
            continue;
        }
        if (/^\s*#/.test(line)) {
            continue; // a comment inside a continued instruction is dropped too
        }
        if (/\\\s*$/.test(line)) {
            current += line.replace(/\\\s*$/, " ");
            continue;
        }
        current += line;
        if (current.trim() !== "") {
            logical.push(current.trim());
        }
        current = "";
    }
    return logical.map((entry) => {
        const [keyword, ...rest] = entry.split(/\s+/);
        return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

const dockerfile = instructions(fs.readFileSync(path.join(__dirname, "..", "images", "sandbox", "Dockerfile"), "utf8"));
const args = new Map(dockerfile.filter((i) => i.keyword === "ARG" && i.args.includes("=")).map((i) => [i.args.split("=")[0], i.args.slice(i.args.indexOf("=") + 1)]));
const exactSemver = /^\d+\.\d+\.\d+$/;

describe("coding agents in the platform's sandbox image", () => {
    it("pins Claude Code and Gemini CLI to exact versions, the ones components/versions.ts records", () => {
        assert.strictEqual(args.get("CLAUDE_CODE_VERSION"), claudeCodeVersion);
        assert.strictEqual(args.get("GEMINI_CLI_VERSION"), geminiCliVersion);
        for (const version of [claudeCodeVersion, geminiCliVersion]) {
            assert.match(version, exactSemver);
        }
    });

    it("installs exactly those pins, globally, and proves the binaries run at build time", () => {
        const installs = dockerfile.filter((i) => i.keyword === "RUN" && /npm install --global/.test(i.args) && /claude-code|gemini-cli/.test(i.args));
        assert.strictEqual(installs.length, 1);
        const run = installs[0].args;
        assert.match(run, /"@anthropic-ai\/claude-code@\$\{CLAUDE_CODE_VERSION\}"/);
        assert.match(run, /"@google\/gemini-cli@\$\{GEMINI_CLI_VERSION\}"/);
        assert.match(run, /claude --version/);
        assert.match(run, /gemini --version/);
        // Nothing else from npm goes in unpinned.
        for (const spec of run.match(/"@[^"]+"/g) ?? []) {
            assert.match(spec, /@\$\{[A-Z_]+_VERSION\}"$/, spec);
        }
    });

    it("runs them on a Node that meets Claude Code's engines (>= 22, from npm view on 2026-12-06)", () => {
        assert.strictEqual(args.get("NODE_IMAGE"), sandboxImageNode.image);
        const tag = /^node:(\d+)\.(\d+)\.(\d+)-bookworm-slim$/.exec(sandboxImageNode.image);
        assert.ok(tag, `NODE_IMAGE must be an exact node:<x.y.z>-bookworm-slim tag, got ${sandboxImageNode.image}`);
        assert.strictEqual(Number(tag![1]), sandboxImageNode.major);
        assert.ok(sandboxImageNode.major >= 22);
        // Node is copied from that stage into the image, not taken from Debian (bookworm has 18).
        assert.ok(dockerfile.some((i) => i.keyword === "FROM" && i.args === "${NODE_IMAGE} AS node"));
        assert.ok(dockerfile.some((i) => i.keyword === "COPY" && i.args.startsWith("--from=node /usr/local/bin/node")));
    });

    it("leaves the agents' config and history in the workspace user's home (the home volume): nothing relocates or shadows them", () => {
        const relocating = /\b(CLAUDE_CONFIG_DIR|GEMINI_CLI_HOME|GEMINI_DIR|XDG_CONFIG_HOME|XDG_STATE_HOME|XDG_DATA_HOME|HOME)\b/;
        for (const i of dockerfile.filter((entry) => entry.keyword === "ENV" || entry.keyword === "ARG")) {
            assert.doesNotMatch(i.args, relocating, `${i.keyword} ${i.args}`);
        }
        assert.ok(!dockerfile.some((i) => i.keyword === "VOLUME"), "a VOLUME would put state outside the sandbox's volumes");
        // The image's own /home/coder is hidden by the home volume: the build must not rely on files there.
        for (const i of dockerfile.filter((entry) => entry.keyword === "RUN" || entry.keyword === "COPY")) {
            assert.doesNotMatch(i.args, /\/home\/coder\/\.(claude|gemini)|~\/\.(claude|gemini)/, `${i.keyword} ${i.args}`);
        }
        assert.ok(dockerfile.some((i) => i.keyword === "USER" && i.args === "coder"));
        assert.ok(dockerfile.some((i) => i.keyword === "ENV" && /\bDISABLE_AUTOUPDATER=1\b/.test(i.args)), "Claude Code must not replace the pinned version");
    });
});
