// `npm run docs:config`: regenerate docs/configuration-reference.md from the config schema.
import * as fs from "fs";
import * as path from "path";
import { configReferenceFile, configReferenceText } from "./config-reference";
import { repoRoot } from "./repo-root";

fs.writeFileSync(path.join(repoRoot, configReferenceFile), configReferenceText());
process.stdout.write(`wrote ${configReferenceFile}\n`);
