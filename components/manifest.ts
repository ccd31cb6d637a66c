import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

// Builders return plain objects of the Kubernetes input shapes (no Outputs inside),
// so that tests, the renderer and the policy rules read them directly.
export type Namespace = pulumi.Unwrap<k8s.types.input.core.v1.Namespace>;
export type ResourceQuota = pulumi.Unwrap<k8s.types.input.core.v1.ResourceQuota>;
export type LimitRange = pulumi.Unwrap<k8s.types.input.core.v1.LimitRange>;
export type NetworkPolicy = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicy>;
export type PersistentVolumeClaim = pulumi.Unwrap<k8s.types.input.core.v1.PersistentVolumeClaim>;
export type Deployment = pulumi.Unwrap<k8s.types.input.apps.v1.Deployment>;
export type DaemonSet = pulumi.Unwrap<k8s.types.input.apps.v1.DaemonSet>;
export type Service = pulumi.Unwrap<k8s.types.input.core.v1.Service>;
export type ConfigMap = pulumi.Unwrap<k8s.types.input.core.v1.ConfigMap>;
export type ServiceAccount = pulumi.Unwrap<k8s.types.input.core.v1.ServiceAccount>;
export type RuntimeClass = pulumi.Unwrap<k8s.types.input.node.v1.RuntimeClass>;
export type ClusterRole = pulumi.Unwrap<k8s.types.input.rbac.v1.ClusterRole>;
export type ClusterRoleBinding = pulumi.Unwrap<k8s.types.input.rbac.v1.ClusterRoleBinding>;
export type Role = pulumi.Unwrap<k8s.types.input.rbac.v1.Role>;
export type RoleBinding = pulumi.Unwrap<k8s.types.input.rbac.v1.RoleBinding>;
export type PodSpec = pulumi.Unwrap<k8s.types.input.core.v1.PodSpec>;
export type Container = pulumi.Unwrap<k8s.types.input.core.v1.Container>;
export type Volume = pulumi.Unwrap<k8s.types.input.core.v1.Volume>;
export type VolumeMount = pulumi.Unwrap<k8s.types.input.core.v1.VolumeMount>;
export type EnvVar = pulumi.Unwrap<k8s.types.input.core.v1.EnvVar>;
export type Probe = pulumi.Unwrap<k8s.types.input.core.v1.Probe>;
