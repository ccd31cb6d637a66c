// The components of the multi-language package. The SDK's component analyzer starts here
// (package.json exports "." default → index.ts) and the plugin serves exactly the
// ComponentResource classes exported here (cmd/run-plugin getPulumiComponents).
export { PlatformStack } from "../components/package/platform-stack";
export { TeamStack } from "../components/package/team-stack";
