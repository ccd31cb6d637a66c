// Keys and values of the stack config that were renamed or removed, so that a stack file
// written for an earlier version gets the replacement named, not only "unknown key".
// Each entry says in which commit the change was made (`git show <commit>`).
// Add an entry whenever a key or accepted value is renamed or removed.

export interface RenamedKey {
    /** The old key path; `[]` stands for any list index (`teams[].x`). */
    key: string;
    /** The key that replaces it, if any. */
    replacement?: string;
    /** The commit that made the change. */
    commit: string;
    /** What to write instead, in a sentence. */
    advice: string;
}

export const renamedKeys: readonly RenamedKey[] = [
    {
        key: "network.accessFrom.namespaceLabels",
        replacement: "network.accessFrom.namespace",
        commit: "595d798",
        advice: "give the namespace's name (its pods are selected by kubernetes.io/metadata.name) and network.accessFrom.create: false if it already exists",
    },
    {
        key: "boundary.developerAuthMethodId",
        commit: "d2b6d9b",
        advice: "it was never used; the provider logs in with boundary.authMethodId",
    },
];

export interface RenamedValue {
    /** The key path whose value was renamed; `[]` stands for any list index. */
    key: string;
    from: string;
    to: string;
    commit: string;
    why: string;
}

export const renamedValues: readonly RenamedValue[] = [
    {
        key: "runtimes.kata.shims[]",
        from: "cloud-hypervisor",
        to: "clh",
        commit: "5c6d9ec",
        why: "kata-deploy 4.1.0 names the Cloud Hypervisor shim clh (RuntimeClass kata-clh)",
    },
];

/** `teams[3].foo` → `teams[].foo`, the form the tables use. */
export function keyPattern(path: string): string {
    return path.replace(/\[\d+\]/g, "[]");
}

/** The sentence for an unknown key that was renamed or removed, or undefined. */
export function renamedKeyMessage(path: string): string | undefined {
    const entry = renamedKeys.find((candidate) => candidate.key === keyPattern(path));
    if (!entry) {
        return undefined;
    }
    return entry.replacement
        ? `was renamed to ${entry.replacement} (commit ${entry.commit}); ${entry.advice}`
        : `was removed (commit ${entry.commit}); ${entry.advice}`;
}

/** The sentence for a value that was renamed, or undefined. */
export function renamedValueMessage(keyPath: string, value: unknown): string | undefined {
    const entry = renamedValues.find((candidate) => candidate.key === keyPattern(keyPath) && candidate.from === value);
    return entry ? `${JSON.stringify(entry.from)} was renamed to ${entry.to} (commit ${entry.commit}): ${entry.why}` : undefined;
}
