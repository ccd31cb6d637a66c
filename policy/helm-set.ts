// A K3s HelmChart's `spec.set` as the chart finally sees it. helm-controller turns each
// entry into a Helm flag (k3s-io/helm-controller pkg/controllers/chart/chart.go @ v0.17.7,
// `args`/`typedVal`/`escapeComma`): keys in sorted order; an integer, or text that is
// true/false/null in any case, becomes `--set key=value`, anything else
// `--set-string key=value` with its unescaped commas escaped. The key is not escaped, so
// `a.b`, `a[0]` and even `x=1,y` are Helm paths and assignments. Helm parses each flag
// with strvals (helm/helm pkg/strvals/parser.go), all `--set` before all `--set-string`
// (pkg/cli/values/options.go MergeValues). This file models that parser; code written
// here from its behaviour, not copied. docs/upstream.md lists the facts.

type Values = Record<string, unknown>;

/** Helm's limits (strvals MaxIndex, MaxNestedNameLevel). */
const maxIndex = 65536;
const maxNestedNameLevel = 30;

class Scanner {
    private at = 0;
    constructor(private readonly text: string) {}
    /** Reads up to a stop character (consumed and returned) or the end (stop undefined); `\x` is x. */
    until(stops: string): { text: string; stop?: string } {
        let text = "";
        while (this.at < this.text.length) {
            const ch = this.text[this.at++];
            if (stops.includes(ch)) {
                return { text, stop: ch };
            }
            if (ch === "\\") {
                if (this.at >= this.text.length) {
                    return { text };
                }
                text += this.text[this.at++];
            } else {
                text += ch;
            }
        }
        return { text };
    }
    peek(): string | undefined {
        return this.text[this.at];
    }
    next(): string | undefined {
        return this.text[this.at++];
    }
    done(): boolean {
        return this.at >= this.text.length;
    }
}

/** strvals typedVal: what `--set` makes of a value's text (`--set-string` keeps the text). */
function typed(text: string, forceString: boolean): unknown {
    if (forceString) {
        return text;
    }
    const lower = text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
    if (text === "0") return 0;
    // Go's ParseInt(s, 10, 64) for text not starting with 0: an optional sign and digits.
    if (text.length > 0 && text[0] !== "0" && /^[-+]?[0-9]+$/.test(text)) {
        const value = BigInt(text);
        if (value >= -(2n ** 63n) && value < 2n ** 63n) {
            return Number(value);
        }
    }
    return text;
}

class SetParser {
    constructor(private readonly scanner: Scanner, private readonly forceString: boolean) {}

    parseInto(data: Values): void {
        while (!this.scanner.done()) {
            this.key(data, 0);
        }
    }

    private key(data: Values, level: number): void {
        const { text: key, stop } = this.scanner.until("=[,.");
        if (stop === undefined) {
            throw new Error(key.length === 0 ? "empty assignment" : `key ${JSON.stringify(key)} has no value`);
        }
        if (stop === "[") {
            const index = this.index();
            const existing = own(data, key);
            if (existing !== undefined && !Array.isArray(existing)) {
                // Go's type assertion panics; strvals reports the recovered panic.
                throw new Error(`unable to parse key: ${JSON.stringify(key)} is not a list`);
            }
            set(data, key, this.listItem(existing ?? [], index, level));
            return;
        }
        if (stop === "=") {
            const list = this.valueList();
            if (list !== undefined) {
                set(data, key, list);
                return;
            }
            set(data, key, typed(this.scanner.until(",").text, this.forceString));
            return;
        }
        if (stop === ",") {
            throw new Error(`key ${JSON.stringify(key)} has no value (cannot end with ,)`);
        }
        // "." : a nested map.
        if (level + 1 > maxNestedNameLevel) {
            throw new Error(`value name nested level is greater than maximum supported nested level of ${maxNestedNameLevel}`);
        }
        const existing = own(data, key);
        if (existing !== undefined && (existing === null || typeof existing !== "object" || Array.isArray(existing))) {
            throw new Error(`unable to parse key: ${JSON.stringify(key)} is not a map`);
        }
        const inner: Values = (existing as Values | undefined) ?? {};
        this.key(inner, level + 1);
        if (Object.keys(inner).length > 0) {
            set(data, key, inner);
        }
    }

    private index(): number {
        const { text } = this.scanner.until("]");
        if (!/^[-+]?[0-9]+$/.test(text)) {
            throw new Error(`error parsing index: ${JSON.stringify(text)}`);
        }
        const index = Number(text);
        if (index < 0) {
            throw new Error(`negative ${index} index not allowed`);
        }
        if (index > maxIndex) {
            throw new Error(`index of ${index} is greater than maximum supported index of ${maxIndex}`);
        }
        return index;
    }

    private listItem(list: unknown[], index: number, level: number): unknown[] {
        const { text, stop } = this.scanner.until("[.=");
        if (text.length > 0) {
            throw new Error(`unexpected data at end of array index: ${JSON.stringify(text)}`);
        }
        const copy = [...list];
        while (copy.length <= index) copy.push(null);
        if (stop === "=") {
            const values = this.valueList();
            copy[index] = values !== undefined ? values : typed(this.scanner.until(",").text, this.forceString);
        } else if (stop === "[") {
            const next = this.index();
            const existing = copy[index];
            copy[index] = this.listItem(Array.isArray(existing) ? existing : [], next, level);
        } else if (stop === ".") {
            const existing = copy[index];
            const inner: Values = existing !== null && typeof existing === "object" && !Array.isArray(existing) ? existing as Values : {};
            this.key(inner, level);
            copy[index] = inner;
        } else {
            throw new Error("unexpected end of an array index");
        }
        return copy;
    }

    /** `{a,b}` after `=`: a list of values; undefined when the value is not a list. */
    private valueList(): unknown[] | undefined {
        if (this.scanner.peek() !== "{") {
            return undefined;
        }
        this.scanner.next();
        const list: unknown[] = [];
        for (;;) {
            const { text, stop } = this.scanner.until(",}");
            if (stop === undefined) {
                throw new Error("list must terminate with '}'");
            }
            list.push(typed(text, this.forceString));
            if (stop === "}") {
                if (this.scanner.peek() === ",") {
                    this.scanner.next();
                }
                return list;
            }
        }
    }
}

/** A key Go's map holds (never a prototype's). */
function own(data: Values, key: string): unknown {
    return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
}

function set(data: Values, key: string, value: unknown): void {
    if (key.length > 0) {
        // defineProperty: a key "__proto__" stays data.
        Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
    }
}

/** Parses one `--set` (or `--set-string`) argument into `data`, as Helm's strvals.ParseInto does. */
export function parseSetInto(argument: string, data: Values, forceString = false): void {
    new SetParser(new Scanner(argument), forceString).parseInto(data);
}

/** helm-controller's typedVal: an integer, or true/false/null in any case, goes through `--set`. */
function setTyped(value: unknown): boolean {
    if (typeof value === "number" || typeof value === "boolean") {
        // A boolean is not an IntOrString (the API server refuses it); judged as its text would be.
        return true;
    }
    return typeof value === "string" && ["true", "false", "null"].includes(value.toLowerCase());
}

/** helm-controller's escapeComma: a comma after an even number of backslashes gets one more. */
function escapeCommas(text: string): string {
    return text.replace(/\\*,/g, (match) => match.length % 2 === 1 ? `\\${match}` : match);
}

/** The values a HelmChart's `spec.set` gives the chart, and the flags Helm could not parse. */
export function helmChartSetValues(spec: unknown): { values: Values; errors: string[] } {
    const values: Values = {};
    const errors: string[] = [];
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
        return { values, errors };
    }
    const entries = Object.keys(spec).sort().map((key) => [key, (spec as Values)[key]] as const);
    const typedFlags = entries.filter(([, value]) => setTyped(value)).map(([key, value]) => `${key}=${String(value)}`);
    const stringFlags = entries.filter(([, value]) => !setTyped(value)).map(([key, value]) => `${key}=${escapeCommas(typeof value === "string" ? value : JSON.stringify(value) ?? "")}`);
    for (const [flags, forceString] of [[typedFlags, false], [stringFlags, true]] as const) {
        for (const flag of flags) {
            try {
                parseSetInto(flag, values, forceString);
            } catch (error) {
                errors.push(`${forceString ? "--set-string" : "--set"} ${flag}: ${(error as Error).message}`);
            }
        }
    }
    return { values, errors };
}
