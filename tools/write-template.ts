// `npm run template`: regenerates templates/kubernetes-envbox/main.tf.json from the builders.
import * as fs from "fs";
import * as path from "path";
import { renderCoderTemplate, templateName } from "../components/platform/coder-template";
import { repoRoot } from "./repo-root";

const file = path.resolve(repoRoot, "templates", templateName, "main.tf.json");
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, renderCoderTemplate());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
