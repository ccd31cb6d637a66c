// The SDK's own dynamic-provider host, started as the Pulumi CLI starts it, and driven
// over its gRPC ResourceProvider service the way the engine drives it.
//
// How the CLI starts it (pulumi/pulumi sdk/nodejs/dist/pulumi-resource-pulumi-nodejs):
// `node $(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") $@`,
// in the project directory (sdk/go/common/resource/plugin/plugin.go execPlugin:
// cmd.Dir = pwd; pkg/engine/project.go getPwdMain: the directory of Pulumi.yaml's main),
// with the engine's address as its argument; the host prints its port on stdout
// (@pulumi/pulumi cmd/dynamic-provider/index.js main). What the engine sends per call
// (pulumirpc CheckRequest olds/news, DiffRequest id/olds/news, CreateRequest properties,
// ReadRequest id/properties/inputs, UpdateRequest id/olds/news, DeleteRequest
// id/properties) is proto/provider.proto; the olds of Diff/Update and the properties of
// Read/Delete are the resource's stored outputs.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PluginConnection, startPluginProcess } from "../../tools/plugin-process";

/* eslint-disable @typescript-eslint/no-var-requires */
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-var-requires */

export type Props = Record<string, unknown>;

export interface HostDiff { changes: "none" | "some" | "unknown"; replaces: string[]; deleteBeforeReplace: boolean }

/** One running host process and a client for it. */
export class DynamicProviderHost extends PluginConnection {

    /** Starts `node <@pulumi/pulumi>/cmd/dynamic-provider <engine>` in `projectDir`, resolving the host from there as the CLI's script does. */
    static async start(projectDir: string): Promise<DynamicProviderHost> {
        const script = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [projectDir] });
        // The host only needs an engine address to exist as an argument; it never calls it for these operations.
        const started = await startPluginProcess([script, "127.0.0.1:1"], { cwd: projectDir, env: { ...process.env, NODE_OPTIONS: "" } }, "dynamic-provider host");
        return new DynamicProviderHost(started);
    }

    async check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const request = new providerProto.CheckRequest();
        request.setOlds(structProto.Struct.fromJavaScript(olds));
        request.setNews(structProto.Struct.fromJavaScript(news));
        const response: any = await this.call("check", request);
        return {
            inputs: response.getInputs().toJavaScript(),
            failures: response.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(id: string, olds: Props, news: Props): Promise<HostDiff> {
        const request = new providerProto.DiffRequest();
        request.setId(id);
        request.setOlds(structProto.Struct.fromJavaScript(olds));
        request.setNews(structProto.Struct.fromJavaScript(news));
        const response: any = await this.call("diff", request);
        const changes = { [providerProto.DiffResponse.DiffChanges.DIFF_NONE]: "none", [providerProto.DiffResponse.DiffChanges.DIFF_SOME]: "some" }[response.getChanges() as number] ?? "unknown";
        return { changes: changes as HostDiff["changes"], replaces: response.getReplacesList(), deleteBeforeReplace: response.getDeletebeforereplace() };
    }

    async create(properties: Props): Promise<{ id: string; properties: Props }> {
        const request = new providerProto.CreateRequest();
        request.setProperties(structProto.Struct.fromJavaScript(properties));
        const response: any = await this.call("create", request);
        return { id: response.getId(), properties: response.getProperties().toJavaScript() };
    }

    async read(id: string, properties: Props, inputs: Props): Promise<{ id: string; properties: Props }> {
        const request = new providerProto.ReadRequest();
        request.setId(id);
        request.setProperties(structProto.Struct.fromJavaScript(properties));
        request.setInputs(structProto.Struct.fromJavaScript(inputs));
        const response: any = await this.call("read", request);
        return { id: response.getId(), properties: response.getProperties()?.toJavaScript() ?? {} };
    }

    async update(id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
        const request = new providerProto.UpdateRequest();
        request.setId(id);
        request.setOlds(structProto.Struct.fromJavaScript(olds));
        request.setNews(structProto.Struct.fromJavaScript(news));
        const response: any = await this.call("update", request);
        return { properties: response.getProperties().toJavaScript() };
    }

    async delete(id: string, properties: Props): Promise<void> {
        const request = new providerProto.DeleteRequest();
        request.setId(id);
        request.setProperties(structProto.Struct.fromJavaScript(properties));
        await this.call("delete", request);
    }
}

/** The project directory (where Pulumi.yaml is). */
export const projectDir = path.join(__dirname, "..", "..");

/**
 * The installed provider module `moduleName` is a copy of packages/<packageDir> under node_modules
 * (npm copies `file:` dependencies: .npmrc install-links=true), not a symlink, which would resolve to
 * packages/ and be serialized by value; and not an old copy.
 */
export function assertInstalledCopy(moduleName: string, packageDir: string): void {
    const installed = path.join(projectDir, "node_modules", ...moduleName.split("/"));
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), "npm copies file: dependencies (.npmrc install-links=true); a symlink would resolve to packages/ and be serialized by value");
    assert.strictEqual(fs.readFileSync(path.join(installed, "index.js"), "utf8"), fs.readFileSync(path.join(projectDir, "packages", packageDir, "index.js"), "utf8"),
        "node_modules holds an old copy: run `npm ci` (or rm -r it and `npm install`)");
}

/** A `__provider` text loaded as the host loads it (cmd/dynamic-provider/index.js getProvider: requireFromString(text).handler()). */
export function providerOfText(text: string): unknown {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const requireFromString = require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi/cmd/dynamic-provider"))] }));
    return requireFromString(text).handler();
}
