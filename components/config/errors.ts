/** Namespace of every stack config key this program reads. */
export const configNamespace = "sandbox-platform";

/**
 * A stack config value that cannot be used. `key` is the full path
 * (`sandbox-platform:teams[0].developers[1].name`) so that users can find it.
 */
export class ConfigError extends Error {
    constructor(readonly key: string, detail: string) {
        super(`${key}: ${detail}`);
        this.name = "ConfigError";
    }
}
