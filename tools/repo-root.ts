// The repository root (the directory holding Pulumi.yaml), the same whether this
// code runs from source under ts-node or compiled under bin/.
import * as fs from "fs";
import * as path from "path";

function findRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no Pulumi.yaml above ${start}`);
        }
    }
}

export const repoRoot = findRoot(__dirname);
