import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import * as YAML from "yaml";
import { repoRoot } from "../tools/render-stack";
import { schemaFile, stackFileJsonSchema, stackFileJsonSchemaText } from "../tools/stack-file-schema";
import { readStackConfig } from "../tools/stack-config";

const stackFiles = fs.readdirSync(path.join(repoRoot, "stacks")).filter((file) => /^Pulumi\..+\.yaml$/.test(file)).map((file) => path.join(repoRoot, "stacks", file));
const fixtureFiles = fs.readdirSync(path.join(repoRoot, "test/fixtures/conformance")).filter((file) => file.endsWith(".yaml")).map((file) => path.join(repoRoot, "test/fixtures/conformance", file));

describe("published JSON Schema of the stack config (editors)", () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(stackFileJsonSchema());

    it("is current: schema/stack-config.schema.json equals what `npm run schema` generates", () => {
        const committed = fs.readFileSync(path.join(repoRoot, schemaFile), "utf8");
        assert.ok(committed === stackFileJsonSchemaText(), "schema/stack-config.schema.json is stale: run `npm run schema` and commit it");
    });

    for (const file of [...stackFiles, ...fixtureFiles]) {
        it(`accepts ${path.relative(repoRoot, file)}`, () => {
            const ok = validate(YAML.parse(fs.readFileSync(file, "utf8")));
            assert.ok(ok, JSON.stringify(validate.errors, null, 1));
        });
    }

    for (const [title, config, keyword] of [
        ["a misspelt key of ours", { "sandbox-platform:environment": "d", "sandbox-platform:team": [] }, "additionalProperties"],
        ["an unknown runtime", { "sandbox-platform:environment": "d", "sandbox-platform:teams": [{ name: "a", runtime: "docker" }] }, "enum"],
        ["an uppercase environment", { "sandbox-platform:environment": "Dev" }, "pattern"],
        ["a misspelt secure:", { "sandbox-platform:environment": "d", "sandbox-platform:boundaryToken": { secrue: "v1:x" } }, "anyOf"],
        ["a missing environment", { "sandbox-platform:teams": [] }, "required"],
    ] as const) {
        it(`marks ${title} in the editor`, () => {
            assert.strictEqual(validate({ config }), false);
            assert.ok(validate.errors!.some((error) => error.keyword === keyword), JSON.stringify(validate.errors));
        });
    }

    it("leaves other namespaces (providers) alone", () => {
        assert.ok(validate({ config: { "sandbox-platform:environment": "d", "vault:address": "https://v", "kubernetes:context": "k3s" } }), JSON.stringify(validate.errors));
    });

    it("is wired into every stack file by a yaml-language-server modeline, which the stack reader ignores as a comment", () => {
        for (const file of stackFiles) {
            const text = fs.readFileSync(file, "utf8");
            assert.strictEqual(text.split("\n")[0], "# yaml-language-server: $schema=../schema/stack-config.schema.json", file);
            const withoutModeline = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "modeline-")), path.basename(file));
            fs.writeFileSync(withoutModeline, text.split("\n").slice(1).join("\n"));
            assert.deepStrictEqual(readStackConfig(file), readStackConfig(withoutModeline));
        }
    });
});
