// The CEL program of the cluster's ValidatingAdmissionPolicies, generated from the same
// rule definitions the CrossGuard pack reads (policy/definitions.ts, the pack's
// RuleConfig): the pod rules of the pack, re-expressed over one admitted object.
//
// Only what both Kubernetes' CEL environment (1.30+) and @bufbuild/cel provide is used:
// the standard macros (has, all, exists, filter, map), `in`, size, startsWith,
// endsWith, contains, matches (RE2), and from Kubernetes' strings extension (cel-go
// ext.Strings v2) split, substring, lastIndexOf and join. No optionals, no cel.bind,
// no two-variable comprehensions, no Kubernetes-only libraries (docs/upstream.md,
// "Admission policies").
//
// Equivalences the generator relies on (each proved on every fixture by the differential
// test): a privileged envbox container passes envboxProblems only when it is the one
// privileged container of its pod, so the envbox checks are evaluated once, for the pod's
// single privileged container (`variables.envbox`), never per container; a pack rule
// fails when any of its validations fails.

import type { RuleConfig } from "../config";
import * as d from "../definitions";

/** The pack rules enforced at admission, by the pack's names. */
export const admissionRuleNames = ["no-privileged-containers", "envbox-hardening", "isolated-runtime-pods", "pod-security-baseline", "pinned-sandbox-images"] as const;
export type AdmissionRuleName = typeof admissionRuleNames[number];

export interface AdmissionVariable { name: string; expression: string }
export interface AdmissionValidation {
    /** The pack rule this validation enforces. */
    rule: AdmissionRuleName;
    expression: string;
    /** Static message, used by the API server when messageExpression fails. */
    message: string;
    messageExpression: string;
    reason: "Forbidden" | "Invalid";
}
export interface AdmissionProgram { variables: AdmissionVariable[]; validations: AdmissionValidation[] }

/** Keys of the params ConfigMap's data: what varies per environment. */
export const paramKeys = { envboxRepositories: "envboxRepositories" } as const;

/** The params ConfigMap data for a pack configuration (lists are comma-separated). */
export function admissionParamsData(config: Pick<RuleConfig, "envboxRepositories">): Record<string, string> {
    for (const repository of config.envboxRepositories) {
        if (repository === "" || repository.includes(",")) {
            throw new Error(`envboxRepositories: ${JSON.stringify(repository)} cannot be passed to the admission policy (a repository is non-empty and has no ",")`);
        }
    }
    return { [paramKeys.envboxRepositories]: config.envboxRepositories.join(",") };
}

// ---- CEL text helpers --------------------------------------------------------------------

/** A CEL string literal (JSON's escapes are CEL's). */
export const str = (value: string): string => JSON.stringify(value);
const strList = (values: readonly string[]): string => `[${values.map(str).join(", ")}]`;
const and = (...terms: string[]): string => terms.map((t) => `(${t})`).join(" && ");
const or = (...terms: string[]): string => terms.map((t) => `(${t})`).join(" || ");
/** `has()` on every step of a dotted path below `root`, e.g. has(c.a) && has(c.a.b). */
function present(root: string, path: string): string {
    const steps = path.split(".");
    return steps.map((_, i) => `has(${root}.${steps.slice(0, i + 1).join(".")})`).join(" && ");
}
/** The field at `path` equals `value` (false when any step is absent). */
const fieldIs = (root: string, path: string, value: string): string => `${present(root, path)} && ${root}.${path} == ${value}`;
/** `child` is `parent` or below it (paths are clean: checked first). */
const under = (child: string, parent: string): string => `${parent} == "/" || ${child} == ${parent} || ${child}.startsWith(${parent} + "/")`;
/** A clean absolute path: no "", "." or ".." segment, no trailing "/" (the root alone excepted). */
const clean = (path: string, v: string): string =>
    `${path}.startsWith("/") && (${path} == "/" || ${path}.substring(1).split("/").all(${v}, ${v} != "" && ${v} != "." && ${v} != ".."))`;
/** isPinnedImage (policy/rules/workloads.ts), from the same patterns. */
const pinned = (image: string): string =>
    `${image} != "" && (${image}.matches(${str(d.pinnedImagePatterns.digest)}) || (${image}.matches(${str(d.pinnedImagePatterns.tag)}) && !${image}.matches(${str(d.pinnedImagePatterns.latest)})))`;
/** imageRepository (policy/rules/workloads.ts): no digest, and no tag after the last "/". */
function repository(image: string): string {
    const name = `${image}.split("@")[0]`;
    return `(${name}.lastIndexOf(":") > ${name}.lastIndexOf("/") ? ${name}.substring(0, ${name}.lastIndexOf(":")) : ${name})`;
}
const isEnvboxImage = (c: string): string => `has(${c}.image) && ${repository(`${c}.image`)} in variables.envboxRepositories`;
/** A volume (by name) whose contents belong to the pod: a pod volume of a mountable kind, else a volumeClaimTemplate's PVC. */
const mountableVolume = (name: string): string =>
    `(${name} in variables.podVolumeNames ? ${name} in variables.mountableVolumeNames : ${name} in variables.claimTemplates)`;

// ---- the program -------------------------------------------------------------------------

interface EnvboxCheck { name: string; expression: string; problem: string }

function envboxChecks(config: RuleConfig): EnvboxCheck[] {
    const e = "variables.envbox";
    const p = "variables.podSpec";
    const lastEnv = (name: string) => `variables.env_${name}[size(variables.env_${name}) - 1]`;
    const execAllowed = `[${config.envboxExecCommands.map(strList).join(", ")}]`;
    const execOk = (handler: string) => `!(${present(e, handler)}) || (has(${e}.${handler}.command) && ${e}.${handler}.command in ${execAllowed})`;
    const allowedHostPaths = `(variables.addsGpu ? ${strList([...d.envboxHostPathAllowlist, d.gpuLibraryHostPath])} : ${strList(d.envboxHostPathAllowlist)})`;
    const source = "t[0]";
    const backed = `has(${e}.volumeMounts) && ${e}.volumeMounts.exists(m, has(m.mountPath) && (${under(source, "m.mountPath")}) && has(m.name) && ${mountableVolume("m.name")}`
        + ` && ${e}.volumeMounts.all(o, !(has(o.mountPath) && (${under(source, "o.mountPath")})) || size(o.mountPath) <= size(m.mountPath)))`;
    const nested = `!has(${e}.volumeMounts) || ${e}.volumeMounts.all(n, !(has(n.mountPath) && n.mountPath != ${source} && (${under("n.mountPath", source)})) || (has(n.name) && ${mountableVolume("n.name")}))`;
    const notForbidden = `${source} != "/" && ${strList(d.forbiddenMountPaths)}.all(f, !(${source} == f || ${source}.startsWith(f + "/") || f.startsWith(${source} + "/"))) && !${source}.matches(${str(d.runtimeSocketPattern)})`;
    return [
        { name: "regularContainer", expression: `variables.containers.exists(c, has(c.name) && has(${e}.name) && c.name == ${e}.name)`, problem: "envbox runs only as a regular container (spec.containers), not an init or ephemeral container" },
        { name: "pinned", expression: `has(${e}.image) && ${pinned(`${e}.image`)}`, problem: "image must be pinned to a tag or digest" },
        { name: "mountPaths", expression: `!has(${e}.volumeMounts) || ${e}.volumeMounts.all(m, has(m.mountPath) && ${clean("m.mountPath", "s")})`, problem: "volumeMounts[].mountPath must be clean absolute paths" },
        { name: "command", expression: `has(${e}.command) && ${e}.command == ${strList(d.envboxCommand)}`, problem: `command must be ${JSON.stringify(d.envboxCommand)}` },
        { name: "args", expression: `!has(${e}.args) || size(${e}.args) == 0`, problem: "args must be empty (envbox flags bypass the checked environment)" },
        {
            name: "exec",
            expression: and(...d.probeNames.map((probe) => execOk(`${probe}.exec`)), ...d.lifecycleHooks.map((hook) => execOk(`lifecycle.${hook}.exec`))),
            problem: "probes and lifecycle hooks may not exec commands other than the platform's own in the privileged container",
        },
        { name: "podNamespaces", expression: and(...d.envboxPodNamespaceFields.map((f) => `!(${fieldIs(p, f, "true")})`)), problem: `pod sets one of ${d.envboxPodNamespaceFields.join(", ")}` },
        { name: "automount", expression: fieldIs(p, "automountServiceAccountToken", "false"), problem: "pod must set automountServiceAccountToken: false" },
        {
            name: "projectedToken",
            expression: "variables.volumes.all(v, !has(v.projected) || !has(v.projected.sources) || v.projected.sources.all(s, !has(s.serviceAccountToken)))",
            problem: "a projected volume carries a service-account token",
        },
        { name: "envFrom", expression: `!has(${e}.envFrom) || size(${e}.envFrom) == 0`, problem: "envFrom may set envbox's variables out of sight; set each with env" },
        {
            name: "pathVariables",
            expression: and(...d.envboxPathVariables.map((name) => `size(variables.env_${name}) == 0 || (!has(${lastEnv(name)}.valueFrom) && !(has(${lastEnv(name)}.value) && ${lastEnv(name)}.value.contains("$(")))`)),
            problem: `${d.envboxPathVariables.join(", ")} must be literal values (no valueFrom, no $(VAR) expansion)`,
        },
        {
            name: "hostPaths",
            expression: `variables.volumes.all(v, !has(v.hostPath) || (has(v.hostPath.path) && v.hostPath.path in ${allowedHostPaths}))`,
            problem: `hostPath volumes may only be ${d.envboxHostPathAllowlist.join(", ")} (and ${d.gpuLibraryHostPath} with CODER_ADD_GPU)`,
        },
        {
            name: "hostMounts",
            expression: `variables.allContainers.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m, !(has(m.name) && m.name in variables.hostVolumeNames) || (${fieldIs("m", "readOnly", "true")} && has(c.name) && c.name == ${e}.name)))`,
            problem: "hostPath volumes are mounted read-only, and only by the envbox container",
        },
        {
            name: "propagation",
            expression: `!has(${e}.volumeMounts) || ${e}.volumeMounts.all(m, !has(m.mountPropagation) || m.mountPropagation != "Bidirectional")`,
            problem: "no Bidirectional mount propagation (it carries mounts back to the host)",
        },
        {
            name: "coderMounts",
            expression: `variables.coderMountEntries.all(t, size(t) >= 2 && size(t) <= 3 && (${clean(source, "g")}) && (${notForbidden}) && (${backed}) && (${nested}))`,
            problem: "CODER_MOUNTS sources must be well-formed (src:dst[:ro]), clean, no host control surface, and backed by persistentVolumeClaim/emptyDir/configMap/secret/ephemeral mounts only",
        },
        {
            name: "usrLibDir",
            expression: `!variables.addsGpu || variables.usrLibDir == "" || ((${clean("variables.usrLibDir", "g")}) && has(${e}.volumeMounts) && ${e}.volumeMounts.exists(m, has(m.mountPath) && m.mountPath == variables.usrLibDir && ${fieldIs("m", "readOnly", "true")} && has(m.name) && variables.volumes.exists(v, has(v.name) && v.name == m.name && ${fieldIs("v", "hostPath.path", str(d.gpuLibraryHostPath))})))`,
            problem: `CODER_USR_LIB_DIR must be exactly the read-only mount of the host's ${d.gpuLibraryHostPath}`,
        },
    ];
}

/** matchingInstaller (policy/rules/installers.ts): the pod is exactly one of the allowlisted installer pods. */
function installerExpression(config: RuleConfig): string {
    const same = (c: string, field: "command" | "args", value: string[] | undefined) => (value === undefined ? `!has(${c}.${field})` : `has(${c}.${field}) && ${c}.${field} == ${strList(value)}`);
    const allowances = config.installers.map((allowance) => {
        const containers = allowance.containers.filter((allowed) => /* isPinnedImage */ new RegExp(d.pinnedImagePatterns.digest).test(allowed.image)
            || (new RegExp(d.pinnedImagePatterns.tag).test(allowed.image) && !new RegExp(d.pinnedImagePatterns.latest).test(allowed.image)));
        const containerMatch = containers.length === 0 ? "false" : or(...containers.map((allowed) => and(
            `has(c.image) && c.image == ${str(allowed.image)}`, same("c", "command", allowed.command), same("c", "args", allowed.args),
            ...(allowed.privileged ? [] : [`!(${fieldIs("c", "securityContext.privileged", "true")})`]))));
        return and(
            `request.namespace == ${str(allowance.namespace)}`,
            `variables.serviceAccount == ${str(allowance.serviceAccountName)}`,
            "size(variables.allContainers) > 0",
            "size(variables.ephemeralContainers) == 0",
            `variables.allContainers.all(c, ${containerMatch})`,
            `variables.volumes.all(v, !has(v.hostPath) || (has(v.hostPath.path) && v.hostPath.path in ${strList(allowance.hostPaths)}))`,
        );
    });
    return allowances.length === 0 ? "false" : or(...allowances);
}

function containerContextOk(s: string): string {
    const profileOk = (field: string) => `!(${present(s, `${field}.type`)}) || ${s}.${field}.type in ${strList(d.allowedProfileTypes)}`;
    return and(
        `!(${present(s, "capabilities.add")}) || ${s}.capabilities.add.all(k, k in ${strList(d.baselineCapabilities)})`,
        `!has(${s}.procMount) || ${s}.procMount == "Default"`,
        profileOk("seccompProfile"),
        profileOk("appArmorProfile"),
        seLinuxOk(`${s}`),
        `!(${fieldIs(s, "windowsOptions.hostProcess", "true")})`,
    );
}

function seLinuxOk(s: string): string {
    const o = `${s}.seLinuxOptions`;
    return `!has(${o}) || ((!has(${o}.type) || ${o}.type in ${strList(d.baselineSeLinuxTypes)}) && (!has(${o}.user) || ${o}.user == "") && (!has(${o}.role) || ${o}.role == ""))`;
}

function podContextOk(s: string): string {
    const profileOk = (field: string) => `!(${present(s, `${field}.type`)}) || ${s}.${field}.type in ${strList(d.allowedProfileTypes)}`;
    return and(
        `!(${fieldIs(s, "windowsOptions.hostProcess", "true")})`,
        profileOk("seccompProfile"),
        profileOk("appArmorProfile"),
        seLinuxOk(s),
        `!has(${s}.sysctls) || ${s}.sysctls.all(x, has(x.name) && x.name in ${strList(d.safeSysctls)})`,
    );
}

function probeHostsOk(c: string): string {
    const handlers = [...d.probeNames.map((probe) => probe), ...d.lifecycleHooks.map((hook) => `lifecycle.${hook}`)];
    return and(...handlers.flatMap((handler) => d.hostHandlers.map((kind) => `!(${present(c, `${handler}.${kind}.host`)}) || ${c}.${handler}.${kind}.host == ""`)));
}

const namesOf = (list: string, condition: string, v = "c") => `${list}.filter(${v}, ${condition}).map(${v}, has(${v}.name) ? ${v}.name : "(unnamed)").join(", ")`;

/** The program: variables shared by the validations, and one or more validations per pack rule. */
export function admissionProgram(config: RuleConfig, rules: readonly AdmissionRuleName[] = admissionRuleNames): AdmissionProgram {
    for (const rule of rules) {
        if (!admissionRuleNames.includes(rule)) {
            throw new Error(`admission rules: ${JSON.stringify(rule)} is not enforced at admission (accepted: ${admissionRuleNames.join(", ")})`);
        }
    }
    const p = "variables.podSpec";
    const checks = envboxChecks(config);
    const listOf = (field: string) => `has(${p}.${field}) ? ${p}.${field} : []`;
    const lastEnv = (name: string) => `variables.env_${name}[size(variables.env_${name}) - 1]`;
    const literalEnv = (name: string) => `size(variables.env_${name}) == 0 || has(${lastEnv(name)}.valueFrom) || !has(${lastEnv(name)}.value) || ${lastEnv(name)}.value.contains("$(")`;
    const privilegedTest = (c: string) => fieldIs(c, "securityContext.privileged", "true");
    const variables: AdmissionVariable[] = [
        { name: "subject", expression: `object.kind + " " + request.namespace + "/" + (has(object.metadata.name) ? object.metadata.name : (has(object.metadata.generateName) ? object.metadata.generateName + "*" : ""))` },
        { name: "podSpec", expression: `object.kind == "Pod" ? object.spec : object.kind == "CronJob" ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec` },
        { name: "podMeta", expression: `object.kind == "Pod" ? object.metadata : object.kind == "CronJob" ? (has(object.spec.jobTemplate.spec.template.metadata) ? object.spec.jobTemplate.spec.template.metadata : {}) : (has(object.spec.template.metadata) ? object.spec.template.metadata : {})` },
        { name: "podLabels", expression: "has(variables.podMeta.labels) ? variables.podMeta.labels : {}" },
        { name: "podAnnotations", expression: "has(variables.podMeta.annotations) ? variables.podMeta.annotations : {}" },
        { name: "containers", expression: listOf("containers") },
        { name: "initContainers", expression: listOf("initContainers") },
        { name: "ephemeralContainers", expression: listOf("ephemeralContainers") },
        { name: "allContainers", expression: "variables.containers + variables.initContainers + variables.ephemeralContainers" },
        { name: "volumes", expression: listOf("volumes") },
        { name: "claimTemplates", expression: `object.kind == "StatefulSet" && has(object.spec.volumeClaimTemplates) ? object.spec.volumeClaimTemplates.filter(t, ${present("t", "metadata.name")}).map(t, t.metadata.name) : []` },
        { name: "serviceAccount", expression: `has(${p}.serviceAccountName) ? ${p}.serviceAccountName : has(${p}.serviceAccount) ? ${p}.serviceAccount : "default"` },
        { name: "privileged", expression: `variables.allContainers.filter(c, ${privilegedTest("c")})` },
        { name: "sysbox", expression: `has(${p}.runtimeClassName) && ${p}.runtimeClassName == ${str(d.sysboxRuntimeClass)}` },
        { name: "sandboxRuntime", expression: `variables.sysbox || (has(${p}.runtimeClassName) && ${p}.runtimeClassName.startsWith(${str(d.kataRuntimeClassPrefix)}))` },
        { name: "envboxRepositories", expression: `params == null ? ${strList(config.envboxRepositories)} : params.data[${str(paramKeys.envboxRepositories)}].split(",")` },
        { name: "installer", expression: installerExpression(config) },
        { name: "envboxCandidate", expression: `size(variables.privileged) == 1 && ${isEnvboxImage("variables.privileged[0]")}` },
        { name: "envbox", expression: "variables.privileged[0]" },
        ...d.envboxPathVariables.map((name) => ({
            name: `env_${name}`,
            expression: `variables.envboxCandidate && has(variables.envbox.env) ? variables.envbox.env.filter(e, has(e.name) && e.name == ${str(name)}) : []`,
        })),
        { name: "addsGpu", expression: `!(${literalEnv("CODER_ADD_GPU")}) && ${lastEnv("CODER_ADD_GPU")}.value in ${strList(d.goTrueValues)}` },
        { name: "usrLibDir", expression: `${literalEnv("CODER_USR_LIB_DIR")} ? "" : ${lastEnv("CODER_USR_LIB_DIR")}.value` },
        { name: "coderMountEntries", expression: `${literalEnv("CODER_MOUNTS")} || ${lastEnv("CODER_MOUNTS")}.value == "" ? [] : ${lastEnv("CODER_MOUNTS")}.value.split(",").map(x, x.split(":"))` },
        { name: "podVolumeNames", expression: 'variables.volumes.filter(v, has(v.name)).map(v, v.name)' },
        {
            name: "mountableVolumeNames",
            expression: `variables.volumes.filter(v, has(v.name) && !has(v.hostPath) && (${or(...d.mountableVolumeKinds.map((kind) => `has(v.${kind})`))})).map(v, v.name)`,
        },
        { name: "hostVolumeNames", expression: 'variables.volumes.filter(v, has(v.hostPath)).map(v, has(v.name) ? v.name : "")' },
        ...checks.map((check) => ({ name: `envbox_${check.name}`, expression: `!variables.envboxCandidate || (${check.expression})` })),
        { name: "envboxOk", expression: `variables.envboxCandidate && ${checks.map((check) => `variables.envbox_${check.name}`).join(" && ")}` },
        { name: "envboxFailures", expression: `[${checks.map((check) => `variables.envbox_${check.name} ? "" : ${str(check.problem)}`).join(", ")}].filter(s, s != "").join("; ")` },
    ];
    const anyEnvboxImage = `variables.privileged.exists(c, ${isEnvboxImage("c")})`;
    const envboxShort = `(variables.envboxCandidate ? "; envbox falls short: " + variables.envboxFailures : "")`;
    const all: AdmissionValidation[] = [
        {
            rule: "no-privileged-containers",
            expression: `size(variables.privileged) == 0 || (!variables.sandboxRuntime && (variables.envboxOk || (!${anyEnvboxImage} && variables.installer)))`,
            message: "privileged container: only the hardened envbox outer container and allowlisted installer pods may be privileged",
            messageExpression: `variables.subject + ": container(s) " + ${namesOf("variables.privileged", "true")} + " set securityContext.privileged; " + (variables.sandboxRuntime ? "sysbox and kata sandboxes need no privileged container at all" : "only a hardened envbox outer container (the pod's one privileged container) or an allowlisted installer pod may" + ${envboxShort})`,
            reason: "Forbidden",
        },
        {
            rule: "envbox-hardening",
            expression: `!${anyEnvboxImage} || variables.envboxOk`,
            message: "envbox container is not in the hardened shape",
            messageExpression: `variables.subject + ": envbox container(s) " + ${namesOf("variables.privileged", isEnvboxImage("c"))} + ": " + (variables.envboxCandidate ? variables.envboxFailures : "it must be the only privileged container in its pod")`,
            reason: "Forbidden",
        },
        {
            rule: "isolated-runtime-pods",
            expression: `!variables.sandboxRuntime || (size(variables.privileged) == 0 && (!variables.sysbox || ${fieldIs(p, "hostUsers", "false")}))`,
            message: "sysbox and kata pods have no privileged container; sysbox pods set hostUsers: false",
            messageExpression: `variables.subject + ": " + (size(variables.privileged) > 0 ? "sysbox or kata pod has privileged container(s) " + ${namesOf("variables.privileged", "true")} : "sysbox pods must set spec.hostUsers: false")`,
            reason: "Forbidden",
        },
        {
            rule: "pod-security-baseline",
            expression: and(...d.hostNamespaceFields.map((f) => `!(${fieldIs(p, f, "true")})`)),
            message: "host namespaces are not allowed",
            messageExpression: `variables.subject + ": " + [${d.hostNamespaceFields.map((f) => `${fieldIs(p, f, "true")} ? ${str(f)} : ""`).join(", ")}].filter(f, f != "").join(", ") + " is not allowed"`,
            reason: "Forbidden",
        },
        {
            rule: "pod-security-baseline",
            expression: "variables.envboxOk || variables.installer || variables.volumes.all(v, !has(v.hostPath))",
            message: "hostPath volumes are not allowed",
            messageExpression: `variables.subject + ": hostPath volume(s) " + ${namesOf("variables.volumes", "has(v.hostPath)", "v")} + " (spec.volumes[].hostPath) are not allowed"`,
            reason: "Forbidden",
        },
        {
            rule: "pod-security-baseline",
            expression: `!has(${p}.securityContext) || (${podContextOk(`${p}.securityContext`)})`,
            message: "pod securityContext asks for more than the baseline",
            messageExpression: `variables.subject + ": spec.securityContext (hostProcess, seccompProfile, appArmorProfile, seLinuxOptions or sysctls) asks for more than the Pod Security baseline"`,
            reason: "Forbidden",
        },
        {
            rule: "pod-security-baseline",
            expression: `variables.podAnnotations.all(k, (!k.startsWith(${str(d.appArmorAnnotationPrefix)}) || variables.podAnnotations[k] in ${strList(d.allowedAppArmorAnnotationValues)} || variables.podAnnotations[k].startsWith(${str(d.allowedAppArmorAnnotationPrefix)}))`
                + ` && (!(k == ${str(d.seccompPodAnnotation)} || k.startsWith(${str(d.seccompContainerAnnotationPrefix)})) || variables.podAnnotations[k] in ${strList(d.allowedSeccompAnnotationValues)} || variables.podAnnotations[k].startsWith(${str(d.allowedSeccompAnnotationPrefix)})))`,
            message: "an AppArmor or seccomp annotation disables confinement",
            messageExpression: `variables.subject + ": annotation(s) " + variables.podAnnotations.filter(k, k.startsWith(${str(d.appArmorAnnotationPrefix)}) || k.startsWith("seccomp.") || k.startsWith(${str(d.seccompContainerAnnotationPrefix)})).join(", ") + " must keep AppArmor and seccomp confinement"`,
            reason: "Forbidden",
        },
        {
            rule: "pod-security-baseline",
            expression: `variables.allContainers.all(c, !has(c.securityContext) || (${containerContextOk("c.securityContext")}))`,
            message: "a container's securityContext asks for more than the baseline",
            messageExpression: `variables.subject + ": container(s) " + ${namesOf("variables.allContainers", `has(c.securityContext) && !(${containerContextOk("c.securityContext")})`)} + " ask in securityContext (capabilities.add, procMount, seccompProfile, appArmorProfile, seLinuxOptions or windowsOptions.hostProcess) for more than the Pod Security baseline"`,
            reason: "Forbidden",
        },
        {
            rule: "pod-security-baseline",
            expression: "variables.allContainers.all(c, !has(c.ports) || c.ports.all(q, !has(q.hostPort) || q.hostPort == 0))",
            message: "hostPort is not allowed",
            messageExpression: `variables.subject + ": container(s) " + ${namesOf("variables.allContainers", "has(c.ports) && c.ports.exists(q, has(q.hostPort) && q.hostPort != 0)")} + " use ports[].hostPort"`,
            reason: "Forbidden",
        },
        {
            rule: "pod-security-baseline",
            expression: `variables.allContainers.all(c, ${probeHostsOk("c")})`,
            message: "probes and hooks may not target another host",
            messageExpression: `variables.subject + ": container(s) " + ${namesOf("variables.allContainers", `!(${probeHostsOk("c")})`)} + " set a probe's or lifecycle hook's httpGet.host or tcpSocket.host; probes and hooks may not target another host"`,
            reason: "Forbidden",
        },
        {
            rule: "pinned-sandbox-images",
            expression: `!(${str(d.sandboxPodLabel)} in variables.podLabels) || variables.allContainers.all(c, has(c.image) && ${pinned("c.image")})`,
            message: "sandbox images must be pinned to a tag (not latest) or a digest",
            messageExpression: `variables.subject + ": container(s) " + ${namesOf("variables.allContainers", `!(has(c.image) && ${pinned("c.image")})`)} + " have no pinned tag or digest (image)"`,
            reason: "Invalid",
        },
    ];
    return { variables, validations: all.filter((validation) => rules.includes(validation.rule)) };
}
