// YAML that means the same to a YAML 1.1 reader (kubectl and K3s read manifests with
// go-yaml's 1.1 rules through sigs.k8s.io/yaml; Helm reads values the same way) and to a
// YAML 1.2 reader (the `yaml` package, most tools). A plain scalar such as `yes`, `off`,
// `1:20` or `0755` is a string in 1.2 but a boolean or a number in 1.1, and `0o14` the
// other way round: every string whose plain form either schema would read as something
// else is written double-quoted.

import * as YAML from "yaml";

function readsAsItselfInBoth(text: string): boolean {
    if (text.includes("\n")) {
        // Written as a block or quoted scalar by the library: always a string.
        return true;
    }
    try {
        return YAML.parse(text, { version: "1.1" }) === text && YAML.parse(text, { version: "1.2" }) === text;
    } catch {
        return false;
    }
}

/** YAML.stringify, with strings quoted wherever YAML 1.1 and 1.2 would read their plain form differently. */
export function stringifyYaml(value: unknown, options: YAML.ToStringOptions = {}): string {
    const document = new YAML.Document(value);
    YAML.visit(document, {
        Scalar(_key, node) {
            if (typeof node.value === "string" && !readsAsItselfInBoth(node.value)) {
                node.type = "QUOTE_DOUBLE";
            }
        },
    });
    return document.toString({ lineWidth: 0, ...options });
}
