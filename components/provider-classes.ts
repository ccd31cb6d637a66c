// The @pulumi/kubernetes and @pulumi/vault classes the program constructs, each loaded from its
// own module rather than through its package's index.
//
// @pulumi/kubernetes 4.34.2's index.js requires every API group's index, and the yaml and helm
// helpers with their dependencies (glob, path-scurry): 120 modules and about 70 ms of CPU in
// every render and every `pulumi up`, before the program builds anything; @pulumi/vault 7.8.0's
// index another 15 ms or so (docs/operations-scale.md, "Fifth pass"). A generated class's own
// module requires only @pulumi/pulumi and its package's utilities.js, and it is the very module
// the index hands out (each index lazy-loads it: `utilities.lazyLoad(exports, ["ConfigMap"], ()
// => require("./configMap"))`), so the class, its type token, its requests and `instanceof`
// are the same (test/provider-classes.test.ts).
//
// What the indexes do besides: each registers its group with the SDK as a resource module
// (pulumi.runtime.registerResourceModule), and the package for its Provider. The SDK reads
// those only to turn a resource reference that comes back in outputs into a class instance
// (@pulumi/pulumi runtime/rpc.js deserializeProperty; without one, the reference becomes its URN
// or id), and only a remote component's outputs hold references: the agent-sandbox CRDs'
// ConfigGroup is taken from the package's index, so its outputs come back as they always did.
// Types stay with the packages (`import type * as k8s from "@pulumi/kubernetes"`).

import type * as k8s from "@pulumi/kubernetes";
import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import { ValidatingAdmissionPolicy } from "@pulumi/kubernetes/admissionregistration/v1/validatingAdmissionPolicy";
import { ValidatingAdmissionPolicyBinding } from "@pulumi/kubernetes/admissionregistration/v1/validatingAdmissionPolicyBinding";
import { DaemonSet } from "@pulumi/kubernetes/apps/v1/daemonSet";
import { Deployment } from "@pulumi/kubernetes/apps/v1/deployment";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import { LimitRange } from "@pulumi/kubernetes/core/v1/limitRange";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace";
import { PersistentVolumeClaim } from "@pulumi/kubernetes/core/v1/persistentVolumeClaim";
import { ResourceQuota } from "@pulumi/kubernetes/core/v1/resourceQuota";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import { Service } from "@pulumi/kubernetes/core/v1/service";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1/serviceAccount";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1/networkPolicy";
import { RuntimeClass } from "@pulumi/kubernetes/node/v1/runtimeClass";
import { ClusterRole } from "@pulumi/kubernetes/rbac/v1/clusterRole";
import { ClusterRoleBinding } from "@pulumi/kubernetes/rbac/v1/clusterRoleBinding";
import { Role } from "@pulumi/kubernetes/rbac/v1/role";
import { RoleBinding } from "@pulumi/kubernetes/rbac/v1/roleBinding";
import { Group } from "@pulumi/vault/identity/group";
import { Mount } from "@pulumi/vault/mount";
import { Policy } from "@pulumi/vault/policy";
import { SecretBackendCa } from "@pulumi/vault/ssh/secretBackendCa";
import { SecretBackendRole } from "@pulumi/vault/ssh/secretBackendRole";
import { Token } from "@pulumi/vault/token";

/** The @pulumi/kubernetes classes the program constructs, at their paths in the package's namespace. */
export const k8sClasses = {
    admissionregistration: { v1: { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } },
    apiextensions: { CustomResource },
    apps: { v1: { DaemonSet, Deployment } },
    core: { v1: { ConfigMap, LimitRange, Namespace, PersistentVolumeClaim, ResourceQuota, Secret, Service, ServiceAccount } },
    helm: { v3: { Release } },
    networking: { v1: { NetworkPolicy } },
    node: { v1: { RuntimeClass } },
    rbac: { v1: { ClusterRole, ClusterRoleBinding, Role, RoleBinding } },
    yaml: {
        v2: {
            /** A remote component: from the package's index, which registers the modules its outputs' references need. */
            get ConfigGroup(): typeof k8s.yaml.v2.ConfigGroup {
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                return (require("@pulumi/kubernetes") as typeof k8s).yaml.v2.ConfigGroup;
            },
        },
    },
};

/** The @pulumi/vault classes the program constructs, at their paths in the package's namespace. */
export const vaultClasses = { Mount, Policy, Token, identity: { Group }, ssh: { SecretBackendCa, SecretBackendRole } };
