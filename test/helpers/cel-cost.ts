// An upper-bound cost estimate of a CEL expression, modelled on cel-go's cost model as
// Kubernetes configures it (k8s.io/apiserver pkg/cel/environment/base.go:
// PresenceTestHasCost(false); pkg/cel/library/cost.go): one unit per identifier, field
// selection and function call, string functions proportional to the string's length, `in`
// and list equality proportional to the list, and a comprehension costing its range plus
// one loop body per element. Where cel-go's static estimator takes a list's size from
// the OpenAPI schema's maxItems, or else from the largest request (pkg/cel/common/
// schemas.go estimateMaxArrayItemsFromMinSize), this takes it from explicit bounds: every
// comprehension's range must have one, or the estimate throws.

import { parse, unparse } from "@bufbuild/cel";

export interface SizeBounds {
    /** All containers of a pod (containers + initContainers + ephemeralContainers). */
    containers: number;
    volumeMounts: number;
    volumes: number;
    env: number;
    ports: number;
    /** Comma-separated entries of a list-valued env var (CODER_MOUNTS) or param. */
    listEntries: number;
    annotations: number;
    sysctls: number;
    capabilities: number;
    projectedSources: number;
    /** Longest string (image, path, env value). */
    stringLength: number;
}

const rangeRules: [RegExp, (b: SizeBounds) => number][] = [
    [/(allContainers|privileged|\.containers|initContainers|ephemeralContainers)$/, (b) => b.containers],
    [/\.volumeMounts$/, (b) => b.volumeMounts],
    [/(variables\.volumes|hostVolumeNames|podVolumeNames|mountableVolumeNames|claimTemplates|volumeClaimTemplates)$/, (b) => b.volumes],
    [/(\.env|variables\.env_[A-Z_]+)$/, (b) => b.env],
    [/\.ports$/, (b) => b.ports],
    [/\.sources$/, (b) => b.projectedSources],
    [/(coderMountEntries|envboxRepositories|\.split\(","\))$/, (b) => b.listEntries],
    [/\.split\("\/"\)$/, (b) => Math.ceil(b.stringLength / 2)],
    [/(podAnnotations|podLabels)$/, (b) => b.annotations],
    [/\.sysctls$/, (b) => b.sysctls],
    [/\.add$/, (b) => b.capabilities],
];

const stringFunctions = new Set(["contains", "startsWith", "endsWith", "split", "substring", "lastIndexOf", "indexOf", "join", "_+_", "_==_", "_!=_", "matches"]);

type Expr = { exprKind: { case: string; value: any } };

function rangeSize(range: Expr, bounds: SizeBounds): number {
    const kind = range.exprKind.case;
    if (kind === "listExpr") {
        return range.exprKind.value.elements.length;
    }
    if (kind === "comprehensionExpr") {
        // filter/map keep at most their range's elements.
        return rangeSize(range.exprKind.value.iterRange, bounds);
    }
    if (kind === "callExpr" && range.exprKind.value.function === "_?_:_") {
        return Math.max(rangeSize(range.exprKind.value.args[1], bounds), rangeSize(range.exprKind.value.args[2], bounds));
    }
    if (kind === "callExpr" && range.exprKind.value.function === "_+_") {
        return range.exprKind.value.args.reduce((sum: number, arg: Expr) => sum + rangeSize(arg, bounds), 0);
    }
    const text = unparse(range as never);
    const rule = rangeRules.find(([pattern]) => pattern.test(text));
    if (!rule) {
        throw new Error(`no size bound for the comprehension range ${text}`);
    }
    return rule[1](bounds);
}

function cost(expr: Expr, bounds: SizeBounds): number {
    const { case: kind, value } = expr.exprKind;
    switch (kind) {
        case "constExpr":
            return 0;
        case "identExpr":
            return 1;
        case "selectExpr":
            return (value.testOnly ? 0 : 1) + cost(value.operand, bounds);
        case "listExpr":
            return 10 + value.elements.reduce((sum: number, e: Expr) => sum + cost(e, bounds), 0);
        case "structExpr":
            return 30 + value.entries.reduce((sum: number, e: any) => sum + cost(e.value, bounds) + (e.mapKey ? cost(e.mapKey, bounds) : 0), 0);
        case "callExpr": {
            const args: Expr[] = [...(value.target ? [value.target] : []), ...value.args];
            let own = 1;
            if (stringFunctions.has(value.function)) {
                own += value.function === "matches" ? bounds.stringLength : Math.ceil(0.1 * bounds.stringLength) + (value.function === "join" ? bounds.containers * bounds.stringLength : 0);
            }
            if (value.function === "@in") {
                own += rangeSize(value.args[1], bounds) * Math.ceil(0.1 * bounds.stringLength);
            }
            return own + args.reduce((sum, arg) => sum + cost(arg, bounds), 0);
        }
        case "comprehensionExpr": {
            const n = rangeSize(value.iterRange, bounds);
            return cost(value.iterRange, bounds) + cost(value.accuInit, bounds) + n * (cost(value.loopCondition, bounds) + cost(value.loopStep, bounds)) + cost(value.result, bounds);
        }
        default:
            throw new Error(`unexpected CEL expression kind ${kind}`);
    }
}

/** The estimated worst-case cost of one expression under the bounds. */
export function estimateCost(expression: string, bounds: SizeBounds): number {
    return cost(parse(expression).expr as unknown as Expr, bounds);
}
