// Runs the program the way `pulumi preview` does, minus the CLI: the entry and working
// directory come from Pulumi.yaml as the engine computes them, and the program runs in
// a child `node` process through the SDK's own `cmd/run` (its run() entry resolution,
// its serializer, its stack resource), launched with the arguments and environment the
// Node.js language host passes. Its gRPC peers (ResourceMonitor and Engine) are served
// here over real gRPC with the SDK's own generated service definitions, answering the
// way the engine does during a preview. Sources (pulumi/pulumi, read at v3.259.0+14,
// SDK side authoritative from the installed @pulumi/pulumi 3.270.0):
// - pkg/engine/project.go getPwdMain: `main` → (pwd, entry); a file main gives
//   pwd = its directory and entry = its base name; no main gives (root, ".").
// - sdk/nodejs/cmd/pulumi-language-nodejs/main.go: parseOptions (typescript defaults
//   to true, tsconfig, nodeargs), execRuntime (PULUMI_CONFIG,
//   PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT=true when typescript),
//   constructArguments (--monitor --engine --project --root-directory --stack --pwd
//   [--dry-run] --parallel <entry>).
// - sdk/go/common/resource/urn/urn.go New: URN = urn:pulumi:<stack>::<project>::
//   [<parent qualified type>$]<type>::<name>, the root stack type not prefixed.
// - pkg/resource/deploy/source_eval.go supportsFeatureID: the features the engine supports.

import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/* eslint-disable @typescript-eslint/no-var-requires */
const grpc = require("@grpc/grpc-js");
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resourceProto = require("@pulumi/pulumi/proto/resource_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engineProto = require("@pulumi/pulumi/proto/engine_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");

export const rootStackType = "pulumi:pulumi:Stack";

export interface ProjectFile {
    name: string;
    main?: string;
    runtime: string | { name: string; options?: Record<string, unknown> };
    [key: string]: unknown;
}

export interface Registration {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    inputs: Record<string, unknown>;
}

export interface HostRun {
    code: number | null;
    stdout: string;
    stderr: string;
    logs: { severity: number; message: string }[];
    registrations: Registration[];
    /** Outputs registered per URN (the root stack's are the stack outputs). */
    outputs: Map<string, Record<string, unknown>>;
    invokes: string[];
    entry: { pwd: string; main: string; typescript: boolean };
}

export function readProject(root: string): ProjectFile {
    return YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
}

/** pkg/engine/project.go getPwdMain. */
export function pwdMain(root: string, main: string | undefined): { pwd: string; main: string } {
    if (!main) {
        return { pwd: root, main: "." };
    }
    const absolute = path.isAbsolute(main) ? main : path.join(path.resolve(root), main);
    const stat = fs.statSync(absolute); // the engine fails with "project 'main' could not be read"
    return stat.isDirectory() ? { pwd: absolute, main: "." } : { pwd: path.dirname(absolute), main: path.basename(absolute) };
}

/** sdk/nodejs/cmd/pulumi-language-nodejs/main.go parseOptions (the options this harness honours). */
export function nodeOptions(project: ProjectFile): { typescript: boolean; tsconfig?: string; nodeargs: string[] } {
    const options = (typeof project.runtime === "object" ? project.runtime.options : undefined) ?? {};
    const typescript = options.typescript === undefined ? true : options.typescript;
    if (typeof typescript !== "boolean") {
        throw new Error("typescript option must be a boolean");
    }
    const nodeargs = typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [];
    return { typescript, tsconfig: typeof options.tsconfig === "string" ? options.tsconfig : undefined, nodeargs };
}

const engineFeatures = new Set(["secrets", "resourceReferences", "outputValues", "aliasSpecs", "replacementTrigger",
    "deletedWith", "replaceWith", "transforms", "invokeTransforms", "parameterization", "resourceHooks"]);

function qualifiedType(urn: string): string {
    return urn.split("::")[2] ?? "";
}

export interface HostRunOptions {
    root: string;
    stack: string;
    /** PULUMI_CONFIG: "project:key" → string (the engine decrypts secure values before passing them). */
    config: Record<string, string>;
    secretKeys: string[];
    dryRun?: boolean;
    /** Override Pulumi.yaml's `main` (to show what the SDK would run without it). */
    main?: string | null;
    /** Outputs of the stacks a StackReference may read, by stack name. */
    stackOutputs?: Record<string, Record<string, unknown>>;
}

export interface FakeEngineOptions {
    stack: string;
    project: string;
    dryRun?: boolean;
    /** Outputs of the stacks a StackReference may read, by stack name. */
    stackOutputs?: Record<string, Record<string, unknown>>;
}

/** The engine's ResourceMonitor and Engine services, served over real gRPC, recording what they receive. */
export interface FakeEngine {
    address: string;
    registrations: Registration[];
    outputs: Map<string, Record<string, unknown>>;
    logs: { severity: number; message: string }[];
    invokes: string[];
    shutdown(): Promise<void>;
}

export async function serveFakeEngine(options: FakeEngineOptions): Promise<FakeEngine> {
    const projectName = options.project;
    const registrations: Registration[] = [];
    const outputs = new Map<string, Record<string, unknown>>();
    const logs: { severity: number; message: string }[] = [];
    const invokes: string[] = [];
    let rootResource = "";
    /** A registration's or read's type, name, parent and the URN the engine forms for it. */
    const requested = (request: any) => {
        const type: string = request.getType();
        const name: string = request.getName();
        const parent: string = request.getParent();
        const parentType = parent ? qualifiedType(parent) : "";
        const typ = parentType && parentType !== rootStackType ? `${parentType}$${type}` : type;
        return { type, name, parent, urn: `urn:pulumi:${options.stack}::${projectName}::${typ}::${name}` };
    };

    const server = new grpc.Server();
    server.addService(resourceGrpc.ResourceMonitorService, {
        supportsFeature(call: any, callback: any) {
            const response = new resourceProto.SupportsFeatureResponse();
            response.setHassupport(engineFeatures.has(call.request.getId()));
            callback(null, response);
        },
        registerResource(call: any, callback: any) {
            const request = call.request;
            const { type, name, parent, urn } = requested(request);
            const inputs = request.getObject()?.toJavaScript() ?? {};
            registrations.push({ urn, type, name, custom: request.getCustom(), parent, inputs });
            const response = new resourceProto.RegisterResourceResponse();
            response.setUrn(urn);
            if (request.getCustom()) {
                // A preview's create returns the provider's planned state; the inputs are what
                // providers plan for a new resource (computed fields stay unknown).
                response.setId(options.dryRun === false ? `id-${name}` : "");
                response.setObject(structProto.Struct.fromJavaScript(inputs));
            } else {
                response.setObject(new structProto.Struct());
            }
            callback(null, response);
        },
        // A StackReference is a read (the SDK's readResource, `id` = the stack's name), which the engine
        // serves with its builtin provider: `outputs` and `secretOutputNames` of the named stack
        // (pkg/resource/deploy/builtins.go readStackReference). Other reads are not used by the program.
        readResource(call: any, callback: any) {
            const request = call.request;
            const { type, name, parent, urn } = requested(request);
            const inputs = request.getProperties()?.toJavaScript() ?? {};
            registrations.push({ urn, type, name, custom: true, parent, inputs });
            if (type !== "pulumi:pulumi:StackReference" || !options.stackOutputs?.[request.getId()]) {
                callback({ code: grpc.status.NOT_FOUND, details: `fake engine: cannot read ${type} ${request.getId()}` });
                return;
            }
            const response = new resourceProto.ReadResourceResponse();
            response.setUrn(urn);
            response.setProperties(structProto.Struct.fromJavaScript({ name: request.getId(), outputs: options.stackOutputs[request.getId()], secretOutputNames: [] }));
            callback(null, response);
        },
        registerResourceOutputs(call: any, callback: any) {
            outputs.set(call.request.getUrn(), call.request.getOutputs()?.toJavaScript() ?? {});
            callback(null, new emptyProto.Empty());
        },
        invoke(call: any, callback: any) {
            invokes.push(call.request.getTok());
            const response = new resourceProto.InvokeResponse();
            response.setReturn(new structProto.Struct());
            callback(null, response);
        },
        signalAndWaitForShutdown(_call: any, callback: any) {
            callback(null, new emptyProto.Empty());
        },
    });
    server.addService(engineGrpc.EngineService, {
        log(call: any, callback: any) {
            logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage() });
            callback(null, new emptyProto.Empty());
        },
        getRootResource(_call: any, callback: any) {
            const response = new engineProto.GetRootResourceResponse();
            response.setUrn(rootResource);
            callback(null, response);
        },
        setRootResource(call: any, callback: any) {
            rootResource = call.request.getUrn();
            callback(null, new engineProto.SetRootResourceResponse());
        },
    });
    const port: number = await new Promise((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(),
        (error: Error | null, bound: number) => (error ? reject(error) : resolve(bound))));
    const address = `127.0.0.1:${port}`;
    return { address, registrations, outputs, logs, invokes, shutdown: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

export async function runLikeLanguageHost(options: HostRunOptions): Promise<HostRun> {
    const project = readProject(options.root);
    const projectName = project.name;
    const engine = await serveFakeEngine({ stack: options.stack, project: projectName, dryRun: options.dryRun, stackOutputs: options.stackOutputs });
    const { address, registrations, outputs, logs, invokes } = engine;

    const main = options.main === null ? undefined : options.main ?? project.main;
    const entry = pwdMain(options.root, main);
    const nodeOpts = nodeOptions(project);
    // locateModule: the language host resolves "@pulumi/pulumi/cmd/run" from the program directory.
    const runPath = path.dirname(require.resolve("@pulumi/pulumi/cmd/run/index.js", { paths: [entry.pwd] }));
    const args = [...nodeOpts.nodeargs, runPath, "--monitor", address, "--engine", address, "--project", projectName,
        "--root-directory", options.root, "--stack", options.stack, "--pwd", entry.pwd,
        ...(options.dryRun === false ? [] : ["--dry-run"]), "--parallel", "48", entry.main];
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_CONFIG: JSON.stringify(options.config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(options.secretKeys) };
    delete env.PULUMI_NODEJS_TYPESCRIPT;
    delete env.NODE_OPTIONS;
    if (nodeOpts.typescript) {
        env.PULUMI_NODEJS_TYPESCRIPT = "true";
    }
    if (nodeOpts.tsconfig) {
        env.PULUMI_NODEJS_TSCONFIG_PATH = nodeOpts.tsconfig;
    }
    const child = spawn(process.execPath, args, { cwd: options.root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (chunk) => { stdout += chunk; });
    child.stderr.on("data", (chunk) => { stderr += chunk; });
    const code: number | null = await new Promise((resolve) => child.on("close", resolve));
    await engine.shutdown();
    return { code, stdout, stderr, logs, registrations, outputs, invokes, entry: { ...entry, typescript: nodeOpts.typescript } };
}

const secretSigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const resourceSig = "5cf8f73096256a8f31e491e813e4eb8e";
const outputSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** Paths in `value` where `needle` appears as plain text outside a secret (sdk/nodejs/runtime/rpc.ts signatures). */
export function plaintextOccurrences(value: unknown, needle: string, at = "$"): string[] {
    if (typeof value === "string") {
        return value.includes(needle) ? [at] : [];
    }
    if (Array.isArray(value)) {
        return value.flatMap((entry, i) => plaintextOccurrences(entry, needle, `${at}[${i}]`));
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[secretSigKey] === secretSig) {
            return [];
        }
        if (record[secretSigKey] === outputSig && record.secret === true) {
            return [];
        }
        return Object.entries(record).flatMap(([key, entry]) => plaintextOccurrences(entry, needle, `${at}.${key}`));
    }
    return [];
}

/** Why `value` is not plain data as a stack output (resource references, output values, empty objects from functions/classes). */
export function notPlainData(value: unknown, at = "$"): string[] {
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
        return [];
    }
    if (Array.isArray(value)) {
        return value.flatMap((entry, i) => notPlainData(entry, `${at}[${i}]`));
    }
    if (typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[secretSigKey] === secretSig) {
            return notPlainData(record.value, `${at}<secret>`);
        }
        if (record[secretSigKey] !== undefined) {
            return [`${at}: a ${record[secretSigKey] === resourceSig ? "resource reference" : "special value"}, not data`];
        }
        return Object.entries(record).flatMap(([key, entry]) => notPlainData(entry, `${at}.${key}`));
    }
    return [`${at}: ${typeof value}`];
}
