// Durations as Vault reads them (hashicorp/go-secure-stdlib parseutil.ParseDurationSecond):
// a whole number is seconds ("3600" or 3600), "<n>d" is n days, anything else is a Go
// duration (time.ParseDuration: "8h", "1h30m", "1.5h", "90s", "300ms").

const goUnitSeconds: Record<string, number> = {
    ns: 1e-9, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600,
};
const goDuration = /^[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const goTerm = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Seconds in a duration as Vault parses it, or undefined when Vault would refuse the text. */
export function parseDuration(text: string | number): number | undefined {
    if (typeof text === "number") {
        return Number.isSafeInteger(text) ? text : undefined;
    }
    if (/^[-+]?[0-9]+$/.test(text)) {
        return Number(text);
    }
    if (text.endsWith("d")) {
        return /^[-+]?[0-9]+d$/.test(text) ? Number(text.slice(0, -1)) * 86400 : undefined;
    }
    if (!goDuration.test(text)) {
        return undefined;
    }
    let seconds = 0;
    for (const [, value, unit] of text.matchAll(goTerm)) {
        seconds += Number(value) * goUnitSeconds[unit];
    }
    return text.startsWith("-") ? -seconds : seconds;
}

/** Whole seconds, as a Vault TTL field stores a duration (truncated). */
export function durationSeconds(text: string | number): number | undefined {
    const seconds = parseDuration(text);
    return seconds === undefined ? undefined : Math.trunc(seconds + 1e-9);
}
