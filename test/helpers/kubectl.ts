// kubectl as an offline reference parser (`kubectl annotate --local`, no server): one
// runner and one reader of its JSON output for every test that asks it.
import { spawnSync } from "child_process";

export function kubectl(args: string[]) {
    return spawnSync("kubectl", args, { encoding: "utf8", env: { ...process.env, KUBECONFIG: "/dev/null" }, maxBuffer: 64 * 1024 * 1024 });
}

/** kubectl prints one JSON document per object (a List when a file held several). */
export function kubectlObjects(stdout: string): Record<string, any>[] {
    return stdout.split(/^(?=\{$)/m).filter((text) => text.trim() !== "").map((text) => JSON.parse(text))
        .flatMap((object) => (object.kind === "List" ? object.items : [object]));
}
