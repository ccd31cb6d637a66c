// The schemas the conformance server validates with (test/boundary-api/schemas.json) are
// derived from hashicorp/boundary's internal/gen/controller.swagger.json at the pinned
// tag, which is not committed. With BOUNDARY_SWAGGER pointing at that file (e.g. from
// `git show v0.21.3:internal/gen/controller.swagger.json` in a Boundary checkout), this
// re-derives them and fails on any difference. Without it, it is skipped and says so.

import * as assert from "assert";
import * as fs from "fs";
import { boundaryTag, deriveSchemas } from "./boundary-api/derive";
import { schemas } from "./boundary-api/validator";

describe(`Boundary API schemas agree with the upstream swagger document (${boundaryTag})`, function () {
    const file = process.env.BOUNDARY_SWAGGER;

    it("the committed schemas name their source and tag", () => {
        assert.deepStrictEqual(schemas.source, { repository: "hashicorp/boundary", path: "internal/gen/controller.swagger.json", tag: boundaryTag, swaggerVersion: boundaryTag.slice(1) });
        for (const [name, definition] of Object.entries(schemas.definitions)) {
            assert.strictEqual(definition["x-swagger-definition"], name);
        }
    });

    it("re-derives exactly the committed schemas from BOUNDARY_SWAGGER", function () {
        if (!file) {
            console.log(`      (skipped: set BOUNDARY_SWAGGER to hashicorp/boundary ${boundaryTag} internal/gen/controller.swagger.json to check the derived schemas against it)`);
            this.skip();
        }
        const upstream = JSON.parse(fs.readFileSync(file!, "utf8"));
        assert.strictEqual(upstream.info?.version, boundaryTag.slice(1), `BOUNDARY_SWAGGER is Boundary ${upstream.info?.version}, the schemas are pinned to ${boundaryTag}`);
        assert.deepStrictEqual(deriveSchemas(upstream), schemas);
    });
});
