// The script that prepares a workspace at start. envbox runs it in the inner
// container as the image's user; sysbox and kata pods run it as their command.
// The access path plugs in through the files it finds mounted (sshd config, CA key).

import { sshCaDir, sshCaKeyFile, sshdConfigDir } from "../access/sshd";

export function buildBootstrapScript(options: { keepAlive: boolean }): string {
    const lines = [
        "#!/bin/sh",
        "set -eu",
        "echo \"sandbox bootstrap: $(id -un) on $(hostname)\"",
        "# Start dockerd where the runtime allows it (sysbox); envbox brings its own.",
        "if [ \"$(id -u)\" = 0 ] && command -v dockerd >/dev/null 2>&1 && ! pgrep -x dockerd >/dev/null 2>&1; then",
        "  (dockerd >/var/log/dockerd.log 2>&1 &)",
        "fi",
        `if [ -f ${sshdConfigDir}/sshd_config ] && [ -f ${sshCaDir}/${sshCaKeyFile} ]; then`,
        "  SSHD=$(command -v sshd || echo /usr/sbin/sshd)",
        "  if [ ! -x \"$SSHD\" ]; then",
        "    echo 'sandbox bootstrap: start sshd: openssh-server is not in the workspace image' >&2",
        "  else",
        "    # Boundary's injected certificates log in as the developer: give each principal a login",
        "    # alias of the workspace user (same UID and home) where the image lets us add one.",
        "    SUDO=''; [ \"$(id -u)\" = 0 ] || { sudo -n true 2>/dev/null && SUDO='sudo -n'; }",
        `    for principal in $(cat ${sshdConfigDir}/principals); do`,
        "      if ! id -u \"$principal\" >/dev/null 2>&1 && { [ \"$(id -u)\" = 0 ] || [ -n \"$SUDO\" ]; }; then",
        "        $SUDO useradd -o -u \"$(id -u)\" -g \"$(id -g)\" -d \"$HOME\" -M -s /bin/bash \"$principal\" || echo \"sandbox bootstrap: add login alias $principal failed\" >&2",
        "      fi",
        "    done",
        "    KEYDIR=\"$HOME/.config/sandbox-sshd\"",
        "    mkdir -p \"$KEYDIR\" && chmod 700 \"$KEYDIR\"",
        "    # The host key lives on the home volume so that it survives restarts.",
        "    [ -f \"$KEYDIR/ssh_host_ed25519_key\" ] || ssh-keygen -q -t ed25519 -N '' -f \"$KEYDIR/ssh_host_ed25519_key\"",
        `    "$SSHD" -f ${sshdConfigDir}/sshd_config -h "$KEYDIR/ssh_host_ed25519_key" -o PidFile="$KEYDIR/sshd.pid" -E "$KEYDIR/sshd.log"`,
        "  fi",
        "fi",
    ];
    if (options.keepAlive) {
        lines.push("exec sleep infinity");
    }
    return `${lines.join("\n")}\n`;
}
