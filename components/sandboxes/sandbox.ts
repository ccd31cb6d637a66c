import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DevicesConfig, PlatformConfig } from "../config/schema";
import { serviceDnsName } from "../naming";
import { SandboxPlan } from "./plan";
import { buildSandboxConfigMap } from "./workspace";
import { buildSandboxClaims, immutableClaimFields } from "./volumes";
import { buildSandboxDeployment, buildSandboxPodSpec, buildSandboxService, managedSandboxDeployment } from "./workload";

export interface SandboxArgs {
    /** What to run: name, namespace, runtime, image, resources, owner. */
    plan: SandboxPlan;
    /** Platform settings the pod depends on (runtimes, devices, storage class). */
    config: Pick<PlatformConfig, "runtimes" | "cluster"> & { devices: DevicesConfig };
    /** Developers whose certificates this sandbox's sshd accepts. */
    principals: pulumi.Input<string[]>;
    /** The namespace's shared start-up script ConfigMap (start-script.ts), created before the pod. */
    startScript?: pulumi.Resource;
}

/** One developer's (or one pool member's) sandbox: volumes, sshd config, controller, Service. */
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
            new k8s.core.v1.PersistentVolumeClaim(claims.home.metadata!.name!, claims.home, volumeOptions),
            new k8s.core.v1.PersistentVolumeClaim(claims.dockerCache.metadata!.name!, claims.dockerCache, volumeOptions),
        ];

        // A dedicated sandbox knows its owner now; a pool member learns it from the assignment.
        const sshdSpec = Array.isArray(args.principals)
            ? buildSandboxConfigMap(plan, args.principals as string[])
            : pulumi.output(args.principals).apply((principals) => buildSandboxConfigMap(plan, principals));
        const sshdConfigMap = new k8s.core.v1.ConfigMap(`${plan.name}-sshd`, {
            metadata: sshdSpec.metadata, data: sshdSpec.data,
        }, { parent: this });

        new k8s.apps.v1.Deployment(plan.name, managedSandboxDeployment(buildSandboxDeployment(plan, buildSandboxPodSpec(plan, config))), {
            parent: this, dependsOn: [...volumes, sshdConfigMap, ...(args.startScript ? [args.startScript] : [])],
        });
        new k8s.core.v1.Service(plan.name, buildSandboxService(plan), { parent: this });

        this.namespace = plan.namespace;
        this.serviceDns = serviceDnsName(plan.name, plan.namespace);
        this.claimNames = plan.ephemeral ? [] : [claims.home.metadata!.name!, claims.dockerCache.metadata!.name!];
        this.runtime = plan.runtime;
        this.registerOutputs({ namespace: this.namespace, serviceDns: this.serviceDns, claimNames: this.claimNames, runtime: this.runtime });
    }
}
