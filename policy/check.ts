// Manifest checker: `npm run policy:check -- [--json] <file|dir>...`.
// Runs the pack's rules on plain Kubernetes YAML. Exit 1 on any mandatory
// violation, 0 otherwise, 2 on unreadable input.

import { evaluatePolicies, mandatory } from "./evaluate";
import { ManifestReadError, manifestSubject, readManifests } from "./manifests";

async function main(argv: string[]): Promise<number> {
    const json = argv.includes("--json");
    const targets = argv.filter((arg) => arg !== "--json");
    if (targets.length === 0 || targets.some((t) => t.startsWith("-"))) {
        process.stderr.write("usage: npm run policy:check -- [--json] <file|dir>...\n");
        return 2;
    }
    let objects: Record<string, any>[];
    try {
        objects = readManifests(targets);
    } catch (error) {
        if (error instanceof ManifestReadError) {
            process.stderr.write(`${error.message}\n`);
            return 2;
        }
        throw error;
    }
    const violations = await evaluatePolicies(objects.map(manifestSubject));
    if (json) {
        process.stdout.write(`${JSON.stringify({ objects: objects.length, violations }, null, 2)}\n`);
    } else {
        for (const violation of violations) {
            process.stdout.write(`[${violation.level}] ${violation.policy} ${violation.urn}: ${violation.message}\n`);
        }
        const hard = mandatory(violations).length;
        process.stdout.write(`${objects.length} objects checked: ${hard} mandatory, ${violations.length - hard} advisory violation(s)\n`);
    }
    return mandatory(violations).length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
    process.stderr.write(`policy check failed: ${error?.stack ?? error}\n`);
    process.exit(2);
});
