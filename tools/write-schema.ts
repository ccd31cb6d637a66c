// `npm run schema`: regenerate schema/stack-config.schema.json from the config schema.
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./repo-root";
import { schemaFile, stackFileJsonSchemaText } from "./stack-file-schema";

const target = path.join(repoRoot, schemaFile);
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, stackFileJsonSchemaText());
process.stdout.write(`wrote ${schemaFile}\n`);
