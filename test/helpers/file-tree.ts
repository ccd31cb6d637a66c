// A throwaway directory tree for tests that read a node's filesystem (preflight):
// paths ending in "/" become directories, others files with the given content.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export function fileTree(files: Record<string, string>, prefix = "tree-"): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        if (file.endsWith("/")) {
            fs.mkdirSync(path.join(root, file), { recursive: true });
        } else {
            fs.writeFileSync(path.join(root, file), content);
        }
    }
    return root;
}
