import * as assert from "assert";
import { helmChartSetValues, parseSetInto } from "../policy/helm-set";

const parsed = (argument: string, forceString = false) => {
    const data: Record<string, unknown> = {};
    parseSetInto(argument, data, forceString);
    return data;
};

describe("K3s HelmChart spec.set as Helm reads it (helm strvals, helm-controller v0.17.7 args)", () => {
    it("reads dotted paths, list indices, {a,b} lists and escapes as strvals does", () => {
        assert.deepStrictEqual(parsed("a.b.c=1"), { a: { b: { c: 1 } } });
        assert.deepStrictEqual(parsed("a=1,b=x"), { a: 1, b: "x" });
        assert.deepStrictEqual(parsed("l={x,true}"), { l: ["x", true] });
        assert.deepStrictEqual(parsed("l[1].k=v"), { l: [null, { k: "v" }] });
        assert.deepStrictEqual(parsed("a\\.b=c\\,d"), { "a.b": "c,d" });
    });

    it("types values as strvals typedVal does: true/false/null in any case, integers not starting with 0; --set-string keeps text", () => {
        assert.deepStrictEqual(parsed("a=TRUE,b=False,c=null,d=0,e=0123,f=-7,g=1.5"), { a: true, b: false, c: null, d: 0, e: "0123", f: -7, g: "1.5" });
        assert.deepStrictEqual(parsed("a=true", true), { a: "true" });
    });

    it("passes text true/false/null and integers through --set, anything else through --set-string with its commas escaped (helm-controller typedVal, escapeComma)", () => {
        assert.deepStrictEqual(helmChartSetValues({ "x.hostNetwork": "True", "x.n": 3, "x.note": "a,b.privileged=true" }).values,
            { x: { hostNetwork: true, n: 3, note: "a,b.privileged=true" } });
    });

    it("leaves the key unescaped, so one entry can assign twice", () => {
        assert.deepStrictEqual(helmChartSetValues({ "a=1,s.privileged": "true" }).values, { a: 1, s: { privileged: true } });
    });

    it("reports what Helm refuses instead of guessing", () => {
        assert.match(helmChartSetValues({ "a[x]": "1" }).errors.join(), /error parsing index/);
        assert.match(helmChartSetValues({ "l": "{a,b" }).errors.join(), /list must terminate with '}'/, "--set-string still reads {…} as a list");
        assert.match(helmChartSetValues({ "l": "true", "l[0]": 1 }).errors.join(), /unable to parse key/, "a list index into a boolean (Go's type assertion panics)");
    });
});
