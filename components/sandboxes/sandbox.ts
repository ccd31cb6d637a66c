import * as pulumi from "@pulumi/pulumi";
import { k8sClasses } from "../provider-classes";
import { DevicesConfig, PlatformConfig, SandboxBackend } from "../config/schema";
import { KubernetesObject } from "../kubernetes-object";
import { serviceDnsName } from "../naming";
import { SandboxPlan } from "./plan";
import { buildSandboxConfigMap } from "./workspace";
import { buildSandboxClaims, immutableClaimFields } from "./volumes";
import { buildSandboxDeployment, buildSandboxPodSpec, buildSandboxService, managedSandboxDeployment } from "./workload";
import { agentSandboxReplaceOptions, buildAgentSandbox, buildAgentSandboxClaim, claimedMemberSelector } from "./agent-sandbox";

export interface SandboxArgs {
    /** What to run: name, namespace, runtime, image, resources, owner. */
    plan: SandboxPlan;
    /** Platform settings the pod depends on (runtimes, devices, storage class). */
    config: Pick<PlatformConfig, "runtimes" | "cluster"> & { devices: DevicesConfig };
    /** Developers whose certificates this sandbox's sshd accepts. */
    principals: pulumi.Input<string[]>;
    /** The namespace's shared start-up script ConfigMap (start-script.ts), created before the pod. */
    startScript?: pulumi.Resource;
    /** What runs the pod: a Deployment (default) or an agent-sandbox Sandbox / SandboxClaim. */
    backend?: SandboxBackend;
}

/**
 * One developer's (or one pool member's) sandbox: volumes, sshd config, controller, Service.
 * Its Kubernetes objects are registered as their @pulumi/kubernetes classes register them,
 * without the classes (kubernetes-object.ts): the same request, less work per developer.
 */
export class Sandbox extends pulumi.ComponentResource {
    readonly namespace: string;
    readonly serviceDns: string;
    readonly claimNames: string[];
    readonly runtime: string;

    constructor(name: string, args: SandboxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sandbox-platform:sandboxes:Sandbox", name, {}, opts);
        const { plan, config } = args;
        const claims = buildSandboxClaims(plan, config.cluster);
        // Volumes first and independent of the runtime: their URNs and names never change,
        // Pulumi never deletes them, and no config change can turn into a replacement.
        // An ephemeral pool member has none: its home and cache are emptyDirs (state lives only in git).
        const volumeOptions: pulumi.CustomResourceOptions = { parent: this, retainOnDelete: true, ignoreChanges: immutableClaimFields };
        const volumes = plan.ephemeral ? [] : [
            new KubernetesObject.PersistentVolumeClaim(claims.home.metadata!.name!, claims.home, volumeOptions),
            new KubernetesObject.PersistentVolumeClaim(claims.dockerCache.metadata!.name!, claims.dockerCache, volumeOptions),
        ];

        const backend = args.backend ?? "deployment";
        const startScript = args.startScript ? [args.startScript] : [];
        if (backend === "agent-sandbox" && plan.ephemeral) {
            // The pod comes from the team's SandboxTemplate (its sshd ConfigMap is the team's).
            new k8sClasses.apiextensions.CustomResource(plan.name, buildAgentSandboxClaim(plan), { parent: this });
        } else {
            // A dedicated sandbox knows its owner now; a pool member learns it from the assignment.
            const sshdSpec = Array.isArray(args.principals)
                ? buildSandboxConfigMap(plan, args.principals as string[])
                : pulumi.output(args.principals).apply((principals) => buildSandboxConfigMap(plan, principals));
            const sshdConfigMap = new KubernetesObject.ConfigMap(`${plan.name}-sshd`, {
                metadata: sshdSpec.metadata, data: sshdSpec.data,
            }, { parent: this });
            const podSpec = buildSandboxPodSpec(plan, config);
            if (backend === "agent-sandbox") {
                // The controller never changes a running pod: a new pod template (image, resources, the
                // script's sha256) replaces the Sandbox, deleted first (same name). Nothing depends on it,
                // so the replacement cascades to nothing; the PVCs are its dependencies, not its dependents.
                new k8sClasses.apiextensions.CustomResource(plan.name, buildAgentSandbox(plan, podSpec),
                    { parent: this, dependsOn: [...volumes, sshdConfigMap, ...startScript], ...agentSandboxReplaceOptions() });
            } else {
                new KubernetesObject.Deployment(plan.name, managedSandboxDeployment(buildSandboxDeployment(plan, podSpec)), { parent: this, dependsOn: [...volumes, sshdConfigMap, ...startScript] });
            }
        }
        // The Service (and the PVCs above) are the same resources on both backends: same URN,
        // same name, same inputs, so switching a team's backend replaces neither. An ephemeral
        // member's pod is whichever its claim adopted: the Service selects the claim's label.
        const service = buildSandboxService(plan);
        if (backend === "agent-sandbox" && plan.ephemeral) {
            service.spec = { ...service.spec, selector: claimedMemberSelector(plan) };
        }
        new KubernetesObject.Service(plan.name, service, { parent: this });

        this.namespace = plan.namespace;
        this.serviceDns = serviceDnsName(plan.name, plan.namespace);
        this.claimNames = plan.ephemeral ? [] : [claims.home.metadata!.name!, claims.dockerCache.metadata!.name!];
        this.runtime = plan.runtime;
        this.registerOutputs({ namespace: this.namespace, serviceDns: this.serviceDns, claimNames: this.claimNames, runtime: this.runtime });
    }
}
