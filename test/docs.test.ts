import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { configReferenceFile, configReferenceText } from "../tools/config-reference";
import { repoRoot } from "../tools/repo-root";

const readme = () => fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
const docsPages = () => fs.readdirSync(path.join(repoRoot, "docs")).filter((name) => name.endsWith(".md")).sort();
/** Pages other engineers write in parallel; linked from the README before they land on this branch. */
const pagesAddedElsewhere = ["admission.md", "agent-sandbox.md", "agents.md", "deploy.md", "operations-scale.md", "stacks.md"];

/** Relative link targets of a Markdown text (no scheme, no pure anchor), without their #fragment. */
function relativeLinks(text: string): string[] {
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1])
        .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("#"))
        .map((target) => target.split("#")[0]);
}

describe("docs: a README a newcomer can navigate", () => {
    it("keeps the README under 200 lines", () => {
        const lines = readme().split("\n").length;
        assert.ok(lines < 200, `README.md has ${lines} lines; move detail to a docs/ page and link it`);
    });

    it("links every docs page from the README", () => {
        const links = new Set(relativeLinks(readme()).map((target) => path.normalize(target)));
        const unlinked = docsPages().filter((name) => !links.has(path.join("docs", name)));
        assert.deepStrictEqual(unlinked, [], "add each to the README's \"Where to go next\"");
    });

    it("has every relative link of the README and docs/ resolve to a file", () => {
        const broken: string[] = [];
        for (const file of ["README.md", ...docsPages().map((name) => path.join("docs", name))]) {
            const text = fs.readFileSync(path.join(repoRoot, file), "utf8");
            for (const target of relativeLinks(text)) {
                const resolved = path.join(path.dirname(path.join(repoRoot, file)), target);
                const pending = file === "README.md" && pagesAddedElsewhere.some((name) => target === `docs/${name}`);
                if (!fs.existsSync(resolved) && !pending) {
                    broken.push(`${file}: ${target}`);
                }
            }
        }
        assert.deepStrictEqual(broken, []);
    });

    it("has the pages other engineers add (linked from the README)", function () {
        const missing = pagesAddedElsewhere.filter((name) => !fs.existsSync(path.join(repoRoot, "docs", name)));
        if (missing.length > 0) {
            this.skip(); // not merged into this branch yet: the lead merges them
        }
    });

    it("keeps docs/configuration-reference.md equal to what the schema generates", () => {
        const committed = fs.readFileSync(path.join(repoRoot, configReferenceFile), "utf8");
        assert.ok(committed === configReferenceText(), `${configReferenceFile} is stale: run \`npm run docs:config\` and commit it`);
    });
});
