// The components of the multi-language package. The SDK's component analyzer starts here
// (package.json exports "." default → index.ts) and the plugin serves exactly the
// ComponentResource classes exported here (cmd/run-plugin getPulumiComponents).

// The provider packages' indexes, for what they register with the SDK: the plugin's caller may
// pass its own providers (`providers: { kubernetes: ... }`), and the SDK turns each provider
// reference into that package's Provider class only through its registration (@pulumi/pulumi
// provider/server.js createProviderResource; otherwise a DependencyProviderResource). The
// components take their classes from their own modules (components/provider-classes.ts).
import "@pulumi/kubernetes";
import "@pulumi/vault";

export { PlatformStack } from "../components/package/platform-stack";
export { TeamStack } from "../components/package/team-stack";
