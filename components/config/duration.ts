// Vault-style durations ("8h", "1h30m", "90s" or a plain number of seconds).

const durationPattern = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/;

/** Seconds in a duration, or undefined when the text is not one this platform accepts. */
export function parseDuration(text: string): number | undefined {
    if (/^[0-9]+$/.test(text)) {
        return Number(text);
    }
    const match = durationPattern.exec(text);
    if (!match || text === "") {
        return undefined;
    }
    const [, hours, minutes, seconds] = match;
    return Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}
