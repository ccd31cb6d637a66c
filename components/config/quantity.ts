// Kubernetes resource quantities ("500m", "8Gi", "1.5", "2e3"), parsed to plain numbers
// so that quotas, overheads and CODER_MEMORY can be computed from the roster.

const binarySuffixes: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const decimalSuffixes: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

const quantityPattern = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/** The value of a quantity in base units (cores or bytes), or undefined when it is not a quantity. */
export function parseQuantity(text: string): number | undefined {
    const match = quantityPattern.exec(text);
    if (!match) {
        return undefined;
    }
    const mantissa = Number(match[1]);
    const suffix = match[2] ?? "";
    if (suffix in binarySuffixes) {
        return mantissa * binarySuffixes[suffix];
    }
    if (suffix in decimalSuffixes) {
        return mantissa * decimalSuffixes[suffix];
    }
    return mantissa * 10 ** Number(suffix.slice(1));
}

/** CPU in the canonical millicore form Kubernetes prints ("2500m"), or whole cores when exact. */
export function formatCpu(cores: number): string {
    const milli = Math.ceil(cores * 1000 - 1e-6);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes in the largest binary unit that represents them exactly ("8Gi", "320Mi"). */
export function formatBytes(bytes: number): string {
    const whole = Math.ceil(bytes);
    for (const [suffix, factor] of [["Ei", 2 ** 60], ["Pi", 2 ** 50], ["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) {
        if (whole >= factor && whole % factor === 0) {
            return `${whole / factor}${suffix}`;
        }
    }
    return String(whole);
}
