// The SDK's mock monitor (@pulumi/pulumi runtime/mocks.js MockMonitor), keeping every
// RegisterResourceRequest as the engine would receive it: the request's fields
// (type, parent, custom, dependencies, propertyDependencies, version, options...) and its
// inputs as sent (secrets still in their envelope). For tests that prove two ways of
// creating a resource send the engine the same registration.

import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";

type Callback = (...args: unknown[]) => void;
interface Request { getName(): string; getObject(): { toJavaScript(): Record<string, unknown> }; toObject(): Record<string, unknown> }
type Monitor = { registerResource(req: unknown, callback: Callback): Promise<void> };

/* eslint-disable @typescript-eslint/no-var-requires */
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (mocks: pulumi.runtime.Mocks) => Monitor };
const { getStore } = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { monitor: unknown } } };
/* eslint-enable @typescript-eslint/no-var-requires */

export interface CapturedRequest {
    /** The request's fields (protobuf toObject), without name, call site and inputs. */
    fields: Record<string, unknown>;
    inputs: Record<string, unknown>;
    /** The call site the SDK sent (sourcePosition and stackTrace): the frame that created the resource and those above it. */
    callSite: { sourceposition: unknown; stacktrace: unknown };
}

class CapturingMonitor extends MockMonitor {
    readonly requests = new Map<string, CapturedRequest>();
    async registerResource(req: Request, callback: Callback): Promise<void> {
        const { name: _name, sourceposition: _position, stacktrace: _trace, object: _object, ...fields } = req.toObject();
        this.requests.set(req.getName(), { fields, inputs: req.getObject().toJavaScript(), callSite: { sourceposition: _position, stacktrace: _trace } });
        return super.registerResource(req, callback);
    }
}

/**
 * setMocks (with its feature flags: secrets, resource references, ...), then this monitor in
 * place of setMocks's own (with mocks, runtime/settings.js getMonitor returns the store's).
 * Returns the requests by resource name. `preview` runs as `pulumi preview` does (dryRun).
 */
export async function captureRegistrations(project: string, stack: string, preview = false): Promise<Map<string, CapturedRequest>> {
    const mocks: pulumi.runtime.Mocks = {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
    };
    await pulumi.runtime.setMocks(mocks, project, stack, preview);
    const monitor = new CapturingMonitor(mocks);
    getStore().settings.monitor = monitor;
    return monitor.requests;
}

/** Resolves once the resource's registration has been answered. */
export function registered(resource: pulumi.CustomResource): Promise<unknown> {
    return new Promise((resolve) => pulumi.all([resource.urn, resource.id]).apply(resolve));
}

/** A dynamic resource's captured request, its `__provider` apart from the other inputs. */
export function dynamicRequest(requests: Map<string, CapturedRequest>, name: string): { fields: Record<string, unknown>; inputs: Record<string, unknown>; provider: unknown } {
    const captured = requests.get(name);
    assert.ok(captured, `${name} was registered`);
    const { __provider, ...inputs } = captured.inputs;
    return { fields: captured.fields, inputs, provider: __provider };
}
