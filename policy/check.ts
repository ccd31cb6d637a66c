// Manifest checker: `npm run policy:check -- [--json] [--config FILE] <file|dir>...`.
// Runs the pack's rules on plain Kubernetes YAML/JSON, read as kubectl reads it.
// Exit codes: 0 no mandatory violation; 1 mandatory violations; 2 usage, or any input
// that could not be read or parsed (each reported on stderr, one line each; everything
// readable is still checked). Output drains before the process ends (process.exitCode).

import * as fs from "fs";
import * as path from "path";
import { evaluateResourcePolicies, evaluateStackPolicies, mandatory, PolicySubject, stackSubjectTypes, Violation } from "./evaluate";
import type { PolicyPackConfig } from "./config";
import { manifestSubject, objectId, readManifestItems } from "./manifests";
import { policyConfigDefaults, RuleConfig } from "./config";
import { admissionRequests, admissionVerdicts, namespaceObjectFor } from "./admission/evaluate";
import { buildAdmissionPolicies } from "../components/admission/policies";
import { labels } from "../components/naming";
import { workspacesNamespace } from "../components/platform/coder";

const usage = "usage: npm run policy:check -- [--json] [--engine crossguard|admission] [--config PACK-CONFIG.json] <file|dir|->...  (- is standard input)";

/** crossguard: the policy pack, as `pulumi preview` runs it; admission: the cluster's ValidatingAdmissionPolicies (CEL). */
export type Engine = "crossguard" | "admission";
const engines: Engine[] = ["crossguard", "admission"];

export interface CheckResult {
    objects: number;
    skipped: { file: string; reason: string }[];
    errors: string[];
    /** Each violation with the file its object came from. */
    violations: (Violation & { file?: string })[];
}

/** Checks the targets one document at a time; only the objects stack rules need are kept. */
export async function checkTargets(targets: string[], config: PolicyPackConfig = {}, onError: (message: string) => void = () => undefined, engine: Engine = "crossguard"): Promise<CheckResult> {
    if (engine === "admission") {
        return checkTargetsAtAdmission(targets, config, onError);
    }
    const result: CheckResult = { objects: 0, skipped: [], errors: [], violations: [] };
    const stackSubjects: PolicySubject[] = [];
    const stackFiles = new Map<string, string>();
    let batch: PolicySubject[] = [];
    let batchFiles = new Map<string, string>();
    const flush = async () => {
        const violations = await evaluateResourcePolicies(batch, config);
        result.violations.push(...violations.map((v) => ({ ...v, file: batchFiles.get(v.urn) })));
        batch = [];
        batchFiles = new Map();
    };
    for (const item of readManifestItems(targets)) {
        if (item.type === "error") {
            result.errors.push(item.message);
            onError(item.message);
            continue;
        }
        if (item.type === "skipped") {
            result.skipped.push({ file: item.file, reason: item.reason });
            continue;
        }
        const subject = item.type === "subject" ? item.subject : manifestSubject(item.object);
        result.objects++;
        batch.push(subject);
        batchFiles.set(subject.urn, item.file);
        if (stackSubjectTypes.has(subject.type)) {
            stackSubjects.push(subject);
            stackFiles.set(subject.urn, item.file);
        }
        if (batch.length >= 200) {
            await flush();
        }
    }
    await flush();
    result.violations.push(...(await evaluateStackPolicies(stackSubjects, config)).map((v) => ({ ...v, file: stackFiles.get(v.urn) })));
    if (result.objects === 0 && result.errors.length === 0) {
        // As kubectl apply answers input with no object (an empty file, only comments or
        // separators, an empty kind: List): kubernetes/kubectl pkg/cmd/apply/apply.go.
        const message = "no objects passed to check";
        result.errors.push(message);
        onError(message);
    }
    return result;
}

/**
 * The admission engine: every object as the API server would receive it, judged by the
 * platform's ValidatingAdmissionPolicies with Deny (what the cluster refuses once the
 * stack sets admission.action: deny). Namespaces in the input decide which bindings
 * match by their labels; a namespace not in the input is taken as a sandbox namespace
 * (kube-system and coder-workspaces are bound by name).
 */
async function checkTargetsAtAdmission(targets: string[], config: PolicyPackConfig, onError: (message: string) => void): Promise<CheckResult> {
    const result: CheckResult = { objects: 0, skipped: [], errors: [], violations: [] };
    const objects: { object: Record<string, any>; file: string; urn: string }[] = [];
    const namespaces = new Map<string, Record<string, any>>();
    for (const item of readManifestItems(targets)) {
        if (item.type === "error") {
            result.errors.push(item.message);
            onError(item.message);
        } else if (item.type === "skipped") {
            result.skipped.push({ file: item.file, reason: item.reason });
        } else {
            const subject = item.type === "subject" ? item.subject : manifestSubject(item.object);
            const kind = subject.type.split(":")[2] ?? "";
            const object = { ...subject.props, kind };
            result.objects++;
            for (const request of admissionRequests(object)) {
                if (request.kind === "Namespace" && typeof request.metadata?.name === "string") {
                    namespaces.set(request.metadata.name, request);
                }
                objects.push({ object: request, file: item.file, urn: subject.urn });
            }
        }
    }
    const ruleConfig = { ...policyConfigDefaults, ...(config["no-privileged-containers"] ?? {}) } as RuleConfig;
    const policies = buildAdmissionPolicies({ action: "deny", kubeSystemAction: "deny", ruleConfig });
    for (const { object, file, urn } of objects) {
        const namespace: string = object.metadata?.namespace ?? "default";
        const boundByName = namespace === "kube-system" || namespace === workspacesNamespace;
        const namespaceObject = namespaces.get(namespace) ?? namespaceObjectFor(namespace, boundByName ? {} : { [labels.sandboxNamespace]: "true" });
        const verdict = admissionVerdicts(object, { namespaceObject, objects: policies });
        for (const violation of verdict.violations) {
            result.violations.push({ policy: violation.rule, level: "mandatory", urn: objectId(object) === urn ? urn : `${urn} ${objectId(object)}`, message: violation.message.startsWith(`${violation.rule}: `) ? violation.message.slice(violation.rule.length + 2) : violation.message, file, binding: violation.binding } as Violation & { file: string });
        }
    }
    return result;
}

function parseArguments(argv: string[]): { json: boolean; configFile?: string; engine: Engine; targets: string[] } | string {
    let json = false;
    let engine: Engine = "crossguard";
    let configFile: string | undefined;
    const targets: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") {
            json = true;
        } else if (arg === "--config") {
            configFile = argv[++i];
            if (!configFile) {
                return "--config needs a file";
            }
        } else if (arg === "--engine" || arg.startsWith("--engine=")) {
            const value = arg === "--engine" ? argv[++i] : arg.slice("--engine=".length);
            if (!engines.includes(value as Engine)) {
                return `--engine ${value ?? "(missing)"}: expected one of ${engines.join(", ")}`;
            }
            engine = value as Engine;
        } else if (arg === "--") {
            targets.push(...argv.slice(i + 1));
            break;
        } else if (arg === "-") {
            targets.push(arg);
        } else if (arg.startsWith("-")) {
            return `unknown option ${arg}`;
        } else {
            targets.push(arg);
        }
    }
    return targets.length === 0 ? "no file or directory given" : { json, configFile, engine, targets };
}

function readPackConfig(file: string): PolicyPackConfig {
    const value = JSON.parse(fs.readFileSync(file, "utf8"));
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new Error("must be a JSON object of policy name → settings");
    }
    return value as PolicyPackConfig;
}

async function main(argv: string[]): Promise<number> {
    const args = parseArguments(argv);
    if (typeof args === "string") {
        process.stderr.write(`policy:check: ${args}\n${usage}\n`);
        return 2;
    }
    let config: PolicyPackConfig = {};
    if (args.configFile) {
        try {
            config = readPackConfig(args.configFile);
        } catch (error) {
            process.stderr.write(`policy:check: --config ${args.configFile}: ${(error as Error).message.split("\n")[0]}\n`);
            return 2;
        }
    }
    const result = await checkTargets(args.targets, config, (message) => process.stderr.write(`error: ${message}\n`), args.engine);
    const hard = mandatory(result.violations).length;
    if (args.json) {
        process.stdout.write(`${JSON.stringify({ objects: result.objects, skipped: result.skipped, errors: result.errors, violations: result.violations }, null, 2)}\n`);
    } else {
        for (const violation of result.violations) {
            process.stdout.write(`[${violation.level}] ${violation.policy} ${violation.urn}: ${violation.message}\n`);
        }
        const skipped = result.skipped.length > 0 ? `, ${result.skipped.length} render file(s) skipped` : "";
        const errors = result.errors.length > 0 ? `, ${result.errors.length} input error(s)` : "";
        process.stdout.write(`${result.objects} objects checked: ${hard} mandatory, ${result.violations.length - hard} advisory violation(s)${skipped}${errors}\n`);
    }
    return result.errors.length > 0 ? 2 : hard > 0 ? 1 : 0;
}

// ts-node's CLI does not set require.main to this module: compare the script path too.
if (require.main === module || path.resolve(process.argv[1] ?? "").replace(/\.ts$/, "") === __filename.replace(/\.ts$/, "")) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    }, (error) => {
        process.stderr.write(`policy:check failed: ${(error as Error)?.message ?? error}\n`);
        process.exitCode = 3;
    });
}
