// The ports a sandbox really serves, and so the only ones its Service advertises.
// sshd always (the start-up script starts it on sshdPort); code-server only when the
// start-up script starts it on the code-server port (finding: a Service port nothing
// listens on is a broken promise to the developer).

import { sshdPort } from "../access/sshd";
import { sandboxPorts } from "../cluster/network-policies";
import { buildBootstrapScript } from "./bootstrap";

export interface ServedPort {
    /** Service port name. */
    name: string;
    /** Port the Service exposes. */
    servicePort: number;
    /** Port the workspace listens on (the Service's targetPort; envbox forwarders listen on it too). */
    port: number;
}

/** True when the start-up script starts code-server on the code-server port. */
export function bootstrapServesCodeServer(script = buildBootstrapScript()): boolean {
    return /\bcode-server\b/.test(script) && script.includes(String(sandboxPorts.codeServer));
}

export function sandboxServedPorts(): ServedPort[] {
    return [
        { name: "ssh", servicePort: sandboxPorts.ssh, port: sshdPort },
        ...(bootstrapServesCodeServer() ? [{ name: "code-server", servicePort: sandboxPorts.codeServer, port: sandboxPorts.codeServer }] : []),
    ];
}
