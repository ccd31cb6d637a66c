/** Namespace of every stack config key this program reads. */
export const configNamespace = "sandbox-platform";

/** One problem in a stack config: the full key path and what is wrong with its value. */
export interface ConfigIssue {
    /** `sandbox-platform:teams[0].developers[1].name` */
    key: string;
    /** The value, what is wrong and what would be accepted. */
    detail: string;
}

/**
 * A stack config that cannot be used. `key` is the first problem's full path
 * (`sandbox-platform:teams[0].developers[1].name`) so that users can find it;
 * `issues` lists every problem found, and the message shows them all, one a line.
 */
export class ConfigError extends Error {
    readonly issues: ConfigIssue[];

    constructor(readonly key: string, detail: string, issues?: ConfigIssue[]) {
        const all = issues && issues.length > 0 ? issues : [{ key, detail }];
        super(all.map((issue) => `${issue.key}: ${issue.detail}`).join("\n"));
        this.name = "ConfigError";
        this.issues = all;
    }
}
