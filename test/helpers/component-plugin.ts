// A source-based component plugin (a directory with PulumiPlugin.yaml, runtime nodejs) started
// the way the Pulumi CLI starts it, and driven over its gRPC ResourceProvider service the way the
// engine drives it. Sources (pulumi/pulumi at 1b5949891b3c, v3.259.0+14; SDK side from the
// installed @pulumi/pulumi 3.270.0):
// - pkg/resource/plugin/provider_plugin.go: a resource plugin's only argument is the engine's
//   address (host.ServerAddr()).
// - sdk/go/common/resource/plugin/plugin.go newPlugin/execPlugin: a plugin directory with
//   PulumiPlugin.yaml is run through its runtime's RunPlugin (program directory = the plugin
//   directory, absolute); the first stdout line is the port, parsed after trimming whitespace.
// - sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin: `node <@pulumi/pulumi/cmd/run-plugin,
//   resolved from the plugin directory> <plugin directory> <args...>`, in the engine's working
//   directory (req.Pwd), with PULUMI_NODEJS_TYPESCRIPT=true unless the runtime's typescript option
//   is false.
// - @pulumi/pulumi cmd/run-plugin/run.js: loads the directory (package.json main) and, when it
//   exports ComponentResource classes, serves them with componentProviderHost, naming the
//   provider after package.json's name (scope → namespace).

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PluginConnection, startPluginProcess } from "../../tools/plugin-process";

/* eslint-disable @typescript-eslint/no-var-requires */
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-var-requires */

export interface ConstructCall {
    project: string;
    stack: string;
    /** The stack's config ("namespace:key" → value), as the engine sends it with every Construct. */
    config: Record<string, string>;
    dryRun: boolean;
    monitorEndpoint: string;
    type: string;
    name: string;
    parent: string;
    inputs: Record<string, unknown>;
    /** Per input, the URNs it depends on (ConstructRequest.inputDependencies), as the engine sends them. */
    inputDependencies?: Record<string, string[]>;
    /** The resources the component depends on (ConstructRequest.dependencies). */
    dependencies?: string[];
    /** The config keys that are secret (ConstructRequest.configSecretKeys). */
    configSecretKeys?: string[];
}

export class ComponentPlugin extends PluginConnection {

    /** Runs `pluginDir` as the engine runs a nodejs source plugin, with `engineAddress` as its argument, in `pwd`. */
    static async start(pluginDir: string, engineAddress: string, pwd: string): Promise<ComponentPlugin> {
        const plugin = YAML.parse(fs.readFileSync(path.join(pluginDir, "PulumiPlugin.yaml"), "utf8"));
        const runtime = typeof plugin.runtime === "string" ? { name: plugin.runtime, options: {} } : plugin.runtime;
        if (runtime.name !== "nodejs") {
            throw new Error(`PulumiPlugin.yaml runtime ${JSON.stringify(runtime.name)}: this harness runs nodejs plugins only`);
        }
        const absolute = path.resolve(pluginDir);
        const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [absolute] });
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.NODE_OPTIONS;
        delete env.TS_NODE_PROJECT;
        if (runtime.options?.typescript !== false) {
            env.PULUMI_NODEJS_TYPESCRIPT = "true";
        }
        const started = await startPluginProcess([runPlugin, absolute, engineAddress], { cwd: pwd, env }, "plugin");
        return new ComponentPlugin(started);
    }

    /** GetSchema (version 0): the package schema as JSON text. */
    async getSchema(): Promise<string> {
        const response: any = await this.call("getSchema", new providerProto.GetSchemaRequest());
        return response.getSchema();
    }

    /**
     * The gRPC status code a call ends with (0: answered). The engine treats UNIMPLEMENTED (12) from
     * Handshake as "configure me" and from CheckConfig/DiffConfig as "news as they are".
     */
    async statusOf(method: "handshake" | "checkConfig" | "diffConfig"): Promise<number> {
        const request = method === "handshake" ? new providerProto.ProviderHandshakeRequest()
            : method === "checkConfig" ? new providerProto.CheckRequest() : new providerProto.DiffRequest();
        try {
            await this.call(method, request);
            return 0;
        } catch (error) {
            return (error as { code?: number }).code ?? -1;
        }
    }

    /** GetPluginInfo: the version the plugin reports (the engine asks before it uses a plugin). */
    async getPluginInfo(): Promise<string> {
        const response: any = await this.call("getPluginInfo", new emptyProto.Empty());
        return response.getVersion();
    }

    /**
     * Configure as the engine sends it before the first Construct (pkg/resource/plugin/provider_plugin.go):
     * what the plugin answers decides whether the engine may Construct at all (it must accept secrets)
     * and whether inputs reach it as output values.
     */
    async configure(variables: Record<string, string> = {}): Promise<{ acceptSecrets: boolean; acceptResources: boolean; acceptOutputs: boolean; supportsPreview: boolean }> {
        const request = new providerProto.ConfigureRequest();
        for (const [key, value] of Object.entries(variables)) {
            request.getVariablesMap().set(key, value);
        }
        request.setArgs(structProto.Struct.fromJavaScript({}));
        request.setAcceptsecrets(true);
        request.setAcceptresources(true);
        const response: any = await this.call("configure", request);
        return {
            acceptSecrets: response.getAcceptsecrets(), acceptResources: response.getAcceptresources(),
            acceptOutputs: response.getAcceptoutputs(), supportsPreview: response.getSupportspreview(),
        };
    }

    /** Construct: the component's URN and its output properties. */
    async construct(call: ConstructCall): Promise<{ urn: string; state: Record<string, unknown> }> {
        const request = new providerProto.ConstructRequest();
        request.setProject(call.project);
        request.setStack(call.stack);
        const config = request.getConfigMap();
        for (const [key, value] of Object.entries(call.config)) {
            config.set(key, value);
        }
        request.setDryrun(call.dryRun);
        request.setParallel(16);
        request.setMonitorendpoint(call.monitorEndpoint);
        request.setType(call.type);
        request.setName(call.name);
        request.setParent(call.parent);
        request.setInputs(structProto.Struct.fromJavaScript(call.inputs));
        for (const [key, urns] of Object.entries(call.inputDependencies ?? {})) {
            const dependencies = new providerProto.ConstructRequest.PropertyDependencies();
            dependencies.setUrnsList(urns);
            request.getInputdependenciesMap().set(key, dependencies);
        }
        request.setDependenciesList(call.dependencies ?? []);
        request.setConfigsecretkeysList(call.configSecretKeys ?? []);
        const response: any = await this.call("construct", request);
        return { urn: response.getUrn(), state: response.getState()?.toJavaScript() ?? {} };
    }
}
