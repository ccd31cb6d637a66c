// A plugin process started as the engine starts one, up to the port it serves on: the engine
// reads the first line of the plugin's stdout, trimmed, as its port (pulumi/pulumi
// sdk/go/common/resource/plugin/plugin.go execPlugin/newPlugin), then dials it over gRPC.

import { ChildProcess, SpawnOptions, spawn } from "child_process";

/* eslint-disable @typescript-eslint/no-var-requires */
const grpc = require("@grpc/grpc-js");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
/* eslint-enable @typescript-eslint/no-var-requires */

export interface PluginProcess {
    child: ChildProcess;
    /** A pulumirpc.ResourceProvider client connected to the plugin's port. */
    client: any;
    /** What the plugin wrote to stderr so far. */
    stderr: () => string;
}

/** Spawns `node <args>` and connects to the port the plugin prints first; `what` names it in errors. */
export async function startPluginProcess(args: string[], options: SpawnOptions, what: string): Promise<PluginProcess> {
    const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk) => { stderr += chunk; });
    const port = await new Promise<number>((resolve, reject) => {
        let stdout = "";
        child.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const newline = stdout.indexOf("\n");
            if (newline >= 0) {
                const port = Number(stdout.slice(0, newline).trim());
                if (Number.isInteger(port) && port > 0 && port <= 65535) {
                    resolve(port);
                } else {
                    reject(new Error(`${what} wrote an invalid port to stdout: ${JSON.stringify(stdout.slice(0, newline))}`));
                }
            }
        });
        child.on("exit", (code) => reject(new Error(`${what} exited with ${code} before printing its port: ${stderr}`)));
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return { child, client, stderr: () => stderr };
}

/** Calls a unary method of a grpc-js client as a promise. */
export function callPlugin<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))));
}

/** A started plugin's connection: its unary calls, and stopping it (client closed, process killed). */
export class PluginConnection {
    readonly stderr: () => string;
    protected constructor(private readonly started: PluginProcess) {
        this.stderr = started.stderr;
    }

    stop(): void {
        this.started.client.close();
        this.started.child.kill();
    }

    protected call<T>(method: string, request: unknown): Promise<T> {
        return callPlugin(this.started.client, method, request);
    }
}
