// Who can reach whom, for every shipped stack: the NetworkPolicies the program renders,
// evaluated by an evaluator written from the Kubernetes API (test/helpers/netpol-evaluator.ts)
// over a model of the cluster (rendered pods plus upstream-labelled chart pods, nodes and
// outside addresses), compared cell by cell with the intended matrix (docs/isolation.md "Isolation matrix").

import * as assert from "assert";
import { RenderResult } from "../tools/render-stack";
import { renderedEnvironment, shippedEnvironments } from "./helpers/stacks";
import { BuiltModel, apiServerEndpoint, buildClusterModel, nodes } from "./helpers/cluster-model";
import { Destination, NetworkPolicyEvaluator, PodModel, Semantics, apiSemantics, effectivePolicyTypes, k3sSemantics, selectorMatches } from "./helpers/netpol-evaluator";

// Each shipped environment as the cluster sees it: an all-in-one stack, or a platform stack with its team stacks.
const stacks = shippedEnvironments();

/** Addresses outside the pod network, by what they are. Written from the clouds' documentation, not from the code under test. */
const outside: Record<string, Destination[]> = {
    "internet-v4": [{ ip: "1.1.1.1", port: 443 }, { ip: "140.82.112.3", port: 22 }],
    "internet-v6": [{ ip: "2606:4700:4700::1111", port: 443 }],
    "api-server-node": [apiServerEndpoint],
    "kubelet": nodes.flatMap((n) => n.ips.map((ip) => ({ ip, port: 10250 }))),
    "node-host-service": nodes.map((n) => ({ ip: n.ips[0], port: 9100 })),
    "private": [{ ip: "10.20.0.5", port: 8200 }, { ip: "172.16.5.5", port: 443 }, { ip: "192.168.50.5", port: 22 }, { ip: "fd12::99", port: 443 }],
    "cgnat": [{ ip: "100.64.3.3", port: 443 }],
    "metadata": [
        { ip: "169.254.169.254", port: 80 }, // AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean, Hetzner
        { ip: "fd00:ec2::254", port: 80 }, // AWS IMDS over IPv6
        { ip: "100.100.100.200", port: 80 }, // Alibaba Cloud
        { ip: "168.63.129.16", port: 80 }, // Azure WireServer
        { ip: "169.254.0.23", port: 80 }, // Tencent Cloud
        { ip: "192.0.0.192", port: 80 }, // Oracle Cloud
        { ip: "fe80::a9fe:a9fe", port: 80 }, // IPv6 link-local
        { ip: "64:ff9b::a9fe:a9fe", port: 80 }, // 169.254.169.254 through NAT64
    ],
};

/**
 * The intended matrix: every (source role, destination) pair that must be allowed on K3s.
 * Everything else is denied. Reasons are in docs/isolation.md "Isolation matrix".
 */
const intended: Record<string, string[]> = {
    "team-sandbox": ["dns", "internet-v4", "internet-v6", "boundary-upstream", "model-api-anthropic", "model-api-anthropic-other-port"],
    "workspace-sandbox": ["dns", "internet-v4", "internet-v6", "boundary-upstream", "coderd-http", "model-api-anthropic", "model-api-anthropic-other-port"],
    // A team with egressInternet: false and the anthropic preset (docs/agents.md): the Claude API over HTTPS,
    // its own allowlist (the team's git server), DNS; nothing else, metadata never.
    "agent-sandbox": ["dns", "model-api-anthropic", "agent-team-allowlist"],
    // The access namespace (platform-owned): sandboxes' sshd and code-server, DNS, its upstream on 9201/9202 only.
    "boundary-worker": ["team-sandbox-ssh", "team-sandbox-code-server", "dns", "boundary-upstream"],
    // The platform's pods in kube-system: the API-calling installers reach the API server and DNS, the rest nothing.
    "installer-api": ["dns", "api-server-service", "api-server-node"],
    // sysbox-deploy-k8s also fetches Flatcar dependencies from github.com over HTTPS (public addresses only).
    "sysbox-installer": ["dns", "api-server-service", "api-server-node", "internet-v4", "internet-v6", "model-api-anthropic"],
    "installer-quiet": [],
    "k3s-system": [],
    "impostor": [],
    "attacker": [],
    "traefik": ["coderd-http"],
    "coderd": ["dns", "internet-v4", "internet-v6", "boundary-upstream", "postgres", "api-server-service", "api-server-node", "coderd-http", "model-api-anthropic", "model-api-anthropic-other-port"],
    "postgres": ["dns", "postgres", "postgres-status", "api-server-service", "api-server-node"],
    "cnpg-operator": ["dns", "postgres", "postgres-status", "api-server-service", "api-server-node"],
    // The agent-sandbox controller calls only the API server (in-cluster config dials the service IP: no DNS).
    "agent-sandbox-controller": ["api-server-service", "api-server-node"],
};
/** Sources whose own egress the platform does not govern: only their reach into platform pods is asserted. */
const ungovernedSources = new Set(["impostor", "attacker", "traefik", "k3s-system"]);

/** Roles of the platform's pods in kube-system that call the API (rendered DaemonSets are `workload:<name>`). */
const installerApiRoles = ["installer:kata-deploy", "installer:nvidia-device-plugin", "installer:gpu-feature-discovery", "installer:node-feature-discovery"];
const installerQuietRoles = ["workload:smarter-device-manager"];
const sysboxRoles = ["workload:sysbox-deploy-k8s"];

function podTargets(built: BuiltModel, role: string, port: number, filter: (pod: PodModel) => boolean = () => true): Destination[] {
    return (built.roles[role] ?? []).filter(filter).map((pod) => ({ ip: pod.ips[0], port }));
}

/**
 * The Claude API as Anthropic publishes it (platform.claude.com/docs/en/api/ip-addresses, inbound
 * 160.79.104.0/23, 153.61.224.0/22 and 2607:6bc0::/48, read 2026-12-06): addresses inside those ranges,
 * written here from the document, not from the preset under test.
 */
const anthropicApi: Destination[] = [{ ip: "160.79.104.10", port: 443 }, { ip: "153.61.225.1", port: 443 }, { ip: "2607:6bc0::10", port: 443 }];
/** The agents team's git server in stacks/Pulumi.codingagents.yaml (its own egress entry, 10.20.30.0/24 on 443). */
const agentTeamAllowlist: Destination[] = [{ ip: "10.20.30.5", port: 443 }];

/** Namespaces of teams that turned internet egress off (their sandboxes are the agent-sandbox role). */
function noInternetNamespaces(config: RenderResult["config"]): Set<string> {
    return new Set(config.teams.filter((team) => !(team.egressInternet ?? config.network.egressInternet)).map((team) => `sbx-${team.name}`));
}

function destinations(built: BuiltModel, workspacesNamespace: string): Record<string, { targets: Destination[]; platform: boolean }> {
    const team = (pod: PodModel) => pod.namespace !== workspacesNamespace;
    const workspace = (pod: PodModel) => pod.namespace === workspacesNamespace;
    const serviceTargets = (match: (ns: string) => boolean, port: number) => built.model.services
        .filter((s) => s.ports.some((p) => p.port === port) && match(s.namespace) && s.selector?.["sandbox-platform.io/sandbox"] !== undefined)
        .map((s) => ({ ip: s.clusterIP, port }));
    const platform = (targets: Destination[]) => ({ targets, platform: true });
    const external = (targets: Destination[]) => ({ targets, platform: false });
    return {
        "team-sandbox-ssh": platform([...podTargets(built, "sandbox", 2222, team), ...serviceTargets((ns) => ns !== workspacesNamespace, 22)]),
        "team-sandbox-code-server": platform(podTargets(built, "sandbox", 13337, team)),
        "team-sandbox-other-port": platform(podTargets(built, "sandbox", 2375, team)),
        "workspace-sandbox": platform([...podTargets(built, "sandbox", 2375, workspace), ...podTargets(built, "sandbox", 2222, workspace)]),
        "coderd-http": platform([...podTargets(built, "coderd", 8080), ...(built.services.coder ? [{ ip: built.services.coder.clusterIP, port: 80 }] : [])]),
        "coderd-metrics": platform(podTargets(built, "coderd", 2112)),
        "postgres": platform([...podTargets(built, "postgres", 5432), ...(built.services["coder-db-rw"] ? [{ ip: built.services["coder-db-rw"].clusterIP, port: 5432 }] : [])]),
        "postgres-status": platform(podTargets(built, "postgres", 8000)),
        "postgres-metrics": platform(podTargets(built, "postgres", 9187)),
        "cnpg-webhook": platform(podTargets(built, "cnpg-operator", 9443)),
        // Only the API server (from the nodes) may call its conversion webhook; its metrics and probes are closed to pods.
        "agent-sandbox-controller": platform([9443, 8080, 8081].flatMap((port) => podTargets(built, "workload:agent-sandbox-controller", port))),
        "boundary-worker-proxy": platform(podTargets(built, "boundary-worker", 9202)),
        "installer-pods": platform([...installerApiRoles, ...installerQuietRoles, ...sysboxRoles].flatMap((role) => [...podTargets(built, role, 8090), ...podTargets(built, role, 8080)])),
        "boundary-upstream": external([{ ip: "1.1.1.1", port: 9201 }, { ip: "2606:4700:4700::1111", port: 9202 }]),
        "model-api-anthropic": external(anthropicApi),
        // The same addresses on any other port: the preset opens HTTPS only.
        "model-api-anthropic-other-port": external(anthropicApi.map((target) => ({ ...target, port: 80 }))),
        "agent-team-allowlist": external(agentTeamAllowlist),
        "dns": external([{ ip: "10.43.0.10", port: 53, protocol: "UDP" }]),
        "api-server-service": external([{ ip: "10.43.0.1", port: 443 }]),
        ...Object.fromEntries(Object.entries(outside).map(([name, targets]) => [name, external(targets)])),
    };
}

function sourceRoles(built: BuiltModel, workspacesNamespace: string, agentNamespaces: Set<string>): Record<string, PodModel[]> {
    const sandboxes = built.roles.sandbox ?? [];
    return {
        "team-sandbox": sandboxes.filter((pod) => pod.namespace !== workspacesNamespace && !agentNamespaces.has(pod.namespace)),
        "agent-sandbox": sandboxes.filter((pod) => agentNamespaces.has(pod.namespace)),
        "workspace-sandbox": sandboxes.filter((pod) => pod.namespace === workspacesNamespace),
        ...Object.fromEntries(["boundary-worker", "impostor", "attacker", "traefik", "coderd", "postgres", "cnpg-operator", "k3s-system"]
            .map((role) => [role, built.roles[role] ?? []])),
        "installer-api": installerApiRoles.flatMap((role) => built.roles[role] ?? []),
        "installer-quiet": installerQuietRoles.flatMap((role) => built.roles[role] ?? []),
        "sysbox-installer": sysboxRoles.flatMap((role) => built.roles[role] ?? []),
        "agent-sandbox-controller": built.roles["workload:agent-sandbox-controller"] ?? [],
    };
}

/** The table: for each source role and destination, whether any source pod reaches any target (self excluded). */
function reachabilityTable(built: BuiltModel, semantics: Semantics, workspacesNamespace: string, agentNamespaces: Set<string>): Map<string, { allowed: boolean; why: string }> {
    const evaluator = new NetworkPolicyEvaluator(built.model, semantics);
    const table = new Map<string, { allowed: boolean; why: string }>();
    const dests = destinations(built, workspacesNamespace);
    for (const [role, pods] of Object.entries(sourceRoles(built, workspacesNamespace, agentNamespaces))) {
        for (const [name, { targets, platform }] of Object.entries(dests)) {
            if (pods.length === 0 || targets.length === 0 || (ungovernedSources.has(role) && !platform)) {
                continue;
            }
            let hit: string | undefined;
            for (const pod of pods) {
                for (const target of targets) {
                    if (pod.ips.includes(target.ip)) {
                        continue;
                    }
                    const verdict = evaluator.canReach(pod, target);
                    if (verdict.allowed) {
                        hit = `${pod.namespace}/${pod.name} -> ${target.ip}:${target.port} (${verdict.reason})`;
                        break;
                    }
                }
                if (hit) {
                    break;
                }
            }
            table.set(`${role} -> ${name}`, { allowed: hit !== undefined, why: hit ?? "denied" });
        }
    }
    return table;
}

describe("tenant isolation: NetworkPolicy reachability of every shipped stack", () => {
    assert.ok(stacks.length >= 2, `stacks found: ${stacks.join(", ")}`);
    for (const stack of stacks) {
        describe(`stack ${stack}`, () => {
            let result: RenderResult;
            let built: BuiltModel;
            const workspacesNamespace = "coder-workspaces";
            before(async () => {
                result = await renderedEnvironment(stack);
                built = buildClusterModel(result.run.resources, result.config);
            });

            it("matches the intended who-can-reach-whom matrix on K3s (kube-router, judged after Service DNAT)", () => {
                const table = reachabilityTable(built, k3sSemantics, workspacesNamespace, noInternetNamespaces(result.config));
                assert.ok(table.size > 60, `only ${table.size} cells`);
                const wrong: string[] = [];
                for (const [cell, verdict] of table) {
                    const [source, destination] = cell.split(" -> ");
                    const expected = (intended[source] ?? []).includes(destination);
                    if (verdict.allowed !== expected) {
                        wrong.push(`${cell}: expected ${expected ? "allowed" : "denied"}, got ${verdict.allowed ? "allowed" : "denied"} (${verdict.why})`);
                    }
                }
                assert.deepStrictEqual(wrong, []);
                // Every intended allow is actually exercised by the table.
                for (const [source, allowed] of Object.entries(intended)) {
                    for (const destination of allowed) {
                        if (table.has(`${source} -> ${destination}`)) {
                            assert.ok(table.get(`${source} -> ${destination}`)!.allowed);
                        }
                    }
                }
            });

            it("denies everything the matrix denies under any reading of the API (Service DNAT before or after policy, own-node exception aside)", () => {
                const permissive: Semantics = { ...apiSemantics, podToOwnNodeAllowed: false };
                const table = reachabilityTable(built, permissive, workspacesNamespace, noInternetNamespaces(result.config));
                const opened = [...table].filter(([cell, verdict]) => {
                    const [source, destination] = cell.split(" -> ");
                    return verdict.allowed && !(intended[source] ?? []).includes(destination);
                }).map(([cell, verdict]) => `${cell}: ${verdict.why}`);
                assert.deepStrictEqual(opened, []);
            });

            it("lets the access path reach every team sandbox on sshd and code-server, and nothing else on them", () => {
                const evaluator = new NetworkPolicyEvaluator(built.model, k3sSemantics);
                const worker = built.roles["boundary-worker"][0];
                const sandboxes = built.roles.sandbox.filter((pod) => pod.namespace !== workspacesNamespace);
                assert.ok(sandboxes.length > 0);
                for (const sandbox of sandboxes) {
                    for (const port of [2222, 13337]) {
                        assert.ok(evaluator.canReach(worker, { ip: sandbox.ips[0], port }).allowed, `${sandbox.name}:${port}`);
                    }
                    assert.ok(!evaluator.canReach(worker, { ip: sandbox.ips[0], port: 2375 }).allowed, `${sandbox.name}:2375`);
                }
                for (const service of built.model.services.filter((s) => s.selector?.["sandbox-platform.io/sandbox"] && s.namespace !== workspacesNamespace)) {
                    assert.ok(evaluator.canReach(worker, { ip: service.clusterIP, port: 22 }).allowed, `${service.name}:22 via its Service`);
                }
            });

            it("opens the CloudNativePG webhook to the API server's node address only", function () {
                const operator = built.roles["cnpg-operator"]?.[0];
                if (!operator) {
                    this.skip();
                }
                const evaluator = new NetworkPolicyEvaluator(built.model, k3sSemantics);
                assert.ok(evaluator.canReach({ ip: apiServerEndpoint.ip }, { ip: operator.ips[0], port: 9443 }).allowed);
                assert.ok(!evaluator.canReach(built.roles.attacker[0], { ip: operator.ips[0], port: 9443 }).allowed);
                assert.ok(!evaluator.canReach({ ip: "10.42.7.7" }, { ip: operator.ips[0], port: 9443 }).allowed, "pod addresses are excepted from the node ranges");
            });

            it("lets clients reach the Boundary worker's proxy port from outside the pod network only, and nothing else of it", () => {
                const evaluator = new NetworkPolicyEvaluator(built.model, k3sSemantics);
                const worker = built.roles["boundary-worker"][0];
                const proxy = { ip: worker.ips[0], port: result.config.network.accessFrom.proxyPort };
                assert.ok(evaluator.canReach({ ip: "203.0.113.7" }, proxy).allowed, "a client on the internet");
                assert.ok(evaluator.canReach({ ip: nodes[1].ips[0] }, proxy).allowed, "a client SNATed to a node address (LoadBalancer/NodePort)");
                assert.ok(!evaluator.canReach({ ip: "203.0.113.7" }, { ip: worker.ips[0], port: 9203 }).allowed, "the ops listener stays closed");
                assert.ok(!evaluator.canReach(built.roles.attacker[0], proxy).allowed, "no pod dials the worker");
            });

            it("puts NetworkPolicies in kube-system that select only the platform's pods, never K3s's own", () => {
                const systemPolicies = built.model.policies.filter((p) => p.metadata.namespace === "kube-system");
                const platformPods = [...installerApiRoles, ...installerQuietRoles, ...sysboxRoles].flatMap((role) => built.roles[role] ?? []);
                // A stack that runs nothing in kube-system puts nothing there.
                assert.strictEqual(systemPolicies.length > 0, platformPods.length > 0, "kube-system policies exactly when the platform runs pods there");
                const k3sPods = [...(built.roles["k3s-system"] ?? []), ...(built.roles.traefik ?? []), ...(built.roles.coredns ?? [])];
                assert.ok(k3sPods.length >= 4);
                for (const policy of systemPolicies) {
                    for (const pod of k3sPods) {
                        assert.ok(!selectorMatches(policy.spec.podSelector, pod.labels), `${policy.metadata.name} selects K3s's ${pod.name}`);
                    }
                }
                for (const pod of platformPods) {
                    assert.ok(!pod.hostNetwork, `${pod.name} is hostNetwork: NetworkPolicy would not apply`);
                    // The kubelet's probes (kata-deploy's health port 8090) come from the pod's own node: still answered.
                    const ownNode = nodes.find((n) => n.name === pod.node)!;
                    for (const port of pod.ports) {
                        assert.ok(new NetworkPolicyEvaluator(built.model, k3sSemantics).canReach({ ip: ownNode.ips[0] }, { ip: pod.ips[0], port: port.containerPort }).allowed, `kubelet -> ${pod.name}:${port.containerPort}`);
                    }
                    assert.ok(systemPolicies.some((p) => selectorMatches(p.spec.podSelector, pod.labels) && effectivePolicyTypes(p).includes("Ingress") && effectivePolicyTypes(p).includes("Egress")),
                        `${pod.name} is not isolated in both directions`);
                }
            });

            it("lets the sysbox installer fetch over HTTPS from public addresses only (its GKE metadata probe stays denied)", function () {
                const sysbox = built.roles["workload:sysbox-deploy-k8s"]?.[0];
                if (!sysbox) {
                    return this.skip();
                }
                const evaluator = new NetworkPolicyEvaluator(built.model, k3sSemantics);
                assert.ok(evaluator.canReach(sysbox, { ip: "140.82.112.3", port: 443 }).allowed, "github.com over HTTPS");
                assert.ok(!evaluator.canReach(sysbox, { ip: "140.82.112.3", port: 22 }).allowed);
                assert.ok(!evaluator.canReach(sysbox, { ip: "169.254.169.254", port: 80 }).allowed);
                assert.ok(!evaluator.canReach(sysbox, { ip: "10.20.0.5", port: 443 }).allowed);
            });

            it("creates the trusted access namespace itself, so nobody can create it first", () => {
                const namespaces = result.run.resources.filter((r) => r.custom && r.inputs.kind === "Namespace").map((r) => r.inputs.metadata.name);
                assert.ok(namespaces.includes(result.config.network.accessFrom.namespace));
            });
        });
    }
});

describe("hardening of every non-sandbox pod the stacks render", () => {
    for (const stack of stacks) {
        it(`${stack}: every container outside the sandboxes has a memory limit and cannot escalate unless it is a privileged node installer`, async () => {
            const result = await renderedEnvironment(stack);
            const workloads = result.run.resources.filter((r) => r.custom && ["Deployment", "DaemonSet", "StatefulSet"].includes(r.inputs.kind))
                .filter((r) => r.inputs.spec.template.metadata?.labels?.["sandbox-platform.io/sandbox"] === undefined);
            assert.ok(workloads.length > 0);
            const missing: string[] = [];
            for (const workload of workloads) {
                const spec = workload.inputs.spec.template.spec;
                for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
                    if (!container.resources?.limits?.memory) {
                        missing.push(`${workload.inputs.kind} ${workload.inputs.metadata.namespace}/${workload.inputs.metadata.name} ${container.name}: no memory limit`);
                    }
                    if (!container.securityContext?.privileged && container.securityContext?.allowPrivilegeEscalation !== false) {
                        missing.push(`${workload.inputs.kind} ${workload.inputs.metadata.namespace}/${workload.inputs.metadata.name} ${container.name}: may escalate`);
                    }
                }
            }
            assert.deepStrictEqual(missing, []);
        });
    }
});
