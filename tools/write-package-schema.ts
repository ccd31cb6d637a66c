// `npm run package:schema`: rewrite provider/schema.json, the multi-language package's schema as the
// SDK's analyzer infers it (review the diff: a changed argument is a changed public API, docs/package.md).
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./repo-root";
import { packageSchema, packageSchemaFile, packageSchemaText } from "./package-schema";

packageSchema().then((schema) => {
    fs.writeFileSync(path.join(repoRoot, packageSchemaFile), packageSchemaText(schema));
    process.stdout.write(`wrote ${packageSchemaFile}\n`);
}, (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
});
