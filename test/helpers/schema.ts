// Validates Kubernetes objects against the real OpenAPI schemas shipped by
// kubernetes-models (ESM: loaded with a real dynamic import).

const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<any>;

/** Custom resources whose schemas kubernetes-models does not ship; checked by their own tests. */
export const customResourceKinds = new Set(["postgresql.cnpg.io/v1/Cluster", "helm.cattle.io/v1/HelmChart",
    // agent-sandbox: test/agent-sandbox.test.ts against test/helpers/agent-sandbox-crds.ts.
    "agents.x-k8s.io/v1beta1/Sandbox", "extensions.agents.x-k8s.io/v1beta1/SandboxTemplate",
    "extensions.agents.x-k8s.io/v1beta1/SandboxWarmPool", "extensions.agents.x-k8s.io/v1beta1/SandboxClaim"]);

export async function validateManifest(manifest: Record<string, any>): Promise<void> {
    const apiVersion: string = manifest.apiVersion;
    const kind: string = manifest.kind;
    if (customResourceKinds.has(`${apiVersion}/${kind}`)) {
        return;
    }
    let module: any;
    try {
        module = await importEsm(`kubernetes-models/${apiVersion}/${kind}`);
    } catch (error) {
        throw new Error(`no schema for ${apiVersion} ${kind}: ${(error as Error).message}`);
    }
    const Model = module[kind];
    try {
        new Model(manifest).validate();
    } catch (error) {
        throw new Error(`${kind} ${manifest.metadata?.namespace ?? ""}/${manifest.metadata?.name}: ${(error as Error).message}`);
    }
}
