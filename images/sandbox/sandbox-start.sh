#!/bin/sh
# sandbox-start: prepares a developer sandbox and starts its servers. One script for
# every runtime: envbox pipes it into `/bin/sh -s` in the inner container as the
# image's user; sysbox and kata pods run it as the container command (as root);
# envbuilder runs it as the init script of the image it built.
#
# Steps, each logged with its duration:
#   1. sshd: install openssh-server when missing (root or passwordless sudo; apt, apk,
#      dnf, yum), then start it on $SANDBOX_SSHD_PORT with the platform's sshd_config
#      (Vault CA only, the owner's principals, no passwords, no authorized_keys);
#   2. repository: clone $SANDBOX_REPO_URL at $SANDBOX_REPO_REF into $SANDBOX_REPO_DIR
#      on first start only; files already there always win (nothing is overwritten
#      or deleted); credentials from the mounted Secret (ssh-privatekey, or
#      username/password/token); without them an ssh:// URL waits for `ssh -A`;
#   2b. workspace variables: plain ones from the ConfigMap ($config_dir/env.<NAME>) and
#      secret ones from the mounted Secret files ($SANDBOX_SECRETS_DIR/<secret>/<NAME>) into
#      the workspace user's ~/.sandbox/env (shell), ~/.ssh/environment (sshd sessions) and
#      ~/.sandbox/devcontainer-secrets.json, all 0600; values only ever pass through files,
#      pipes and shell variables, never argv, the environment of this script or a log;
#   3. code-server on $SANDBOX_CODE_SERVER_PORT when the image has it (with the variables);
#   4. the repository's devcontainer through the devcontainer CLI (devcontainer mode);
#   5. foreground mode: watch sshd (and, for ephemeral sandboxes, recycle after the
#      last session has been gone for $SANDBOX_IDLE_SECONDS: exit so the container
#      restarts clean, or with SANDBOX_RECYCLE=inplace (envbox, whose inner container
#      outlives the script) empty the home and clone again).
#
#   sandbox-start.sh            run all steps
#   sandbox-start.sh clone      only the clone step (after logging in with `ssh -A`)
#
# A failure that leaves the sandbox unusable (no sshd, no clone) exits non-zero with
# the reason on stderr, in $SANDBOX_STATE_DIR/start.log and, where Kubernetes reads
# it, in /dev/termination-log (shown in the pod's status).
set -eu
# envbox copies only the first KiB of the script's output and then closes the stream:
# a write after that must fail quietly, never kill the script.
trap '' PIPE

config_dir=${SANDBOX_CONFIG_DIR:-/etc/sandbox/sshd}
if [ -r "$config_dir/sandbox.env" ]; then
    # shellcheck source=/dev/null
    . "$config_dir/sandbox.env"
fi

ca_dir=${SANDBOX_CA_DIR:-/etc/sandbox/ssh-ca}
sandbox_user=${SANDBOX_USER:-coder}
sshd_port=${SANDBOX_SSHD_PORT:-2222}
code_server_port=${SANDBOX_CODE_SERVER_PORT:-13337}
repo_url=${SANDBOX_REPO_URL:-}
repo_ref=${SANDBOX_REPO_REF:-}
credentials_dir=${SANDBOX_REPO_CREDENTIALS_DIR:-/etc/sandbox/repo-credentials}
devcontainer=${SANDBOX_DEVCONTAINER:-off}
ephemeral=${SANDBOX_EPHEMERAL:-false}
idle_seconds=${SANDBOX_IDLE_SECONDS:-1800}
recycle=${SANDBOX_RECYCLE:-exit}
foreground=${SANDBOX_FOREGROUND:-false}
env_names=${SANDBOX_ENV_NAMES:-}
secret_env=${SANDBOX_SECRET_ENV:-}
secrets_dir=${SANDBOX_SECRETS_DIR:-/etc/sandbox/workspace-secrets}
command=${1:-start}

# The workspace's variables are for the workspace, not for this script: the runtime may have
# put the plain ones into its environment (pod env, envbox's CODER_INNER_ENVS), where they
# could steer git or ssh here (GIT_DIR, GIT_SSH_COMMAND, ...).
for pair in $env_names $secret_env; do
    case ${pair%%=*} in
        '' | [0-9]* | *[!A-Za-z0-9_]*) ;;
        *) unset "${pair%%=*}" 2>/dev/null || true ;;
    esac
done

uid=$(id -u)
if [ "$uid" = 0 ]; then
    home=$(getent passwd "$sandbox_user" 2>/dev/null | cut -d: -f6 || true)
    home=${home:-/home/$sandbox_user}
else
    home=${HOME:-/home/$(id -un)}
fi
repo_dir=${SANDBOX_REPO_DIR:-$home/workspace}
state_dir=${SANDBOX_STATE_DIR:-$home/.sandbox}
mkdir -p "$state_dir"
log_file=$state_dir/start.log

now_ms() {
    t=$(date +%s%3N 2>/dev/null || true)
    case $t in
        '' | *N*) echo $(($(date +%s) * 1000)) ;;
        *) echo "$t" ;;
    esac
}

log() {
    line="$(date -u +%Y-%m-%dT%H:%M:%SZ) sandbox-start: $*"
    printf '%s\n' "$line" >>"$log_file" || true
    printf '%s\n' "$line" >&2 || true
}

fail() {
    log "FAILED: $*"
    printf 'sandbox-start: %s\n' "$*" >"$state_dir/failed"
    if [ -w /dev/termination-log ]; then
        printf 'sandbox-start: %s\n' "$*" >/dev/termination-log || true
    fi
    exit 1
}

step_name=
step_started=0
step() {
    step_name=$1
    step_started=$(now_ms)
    log "step $step_name: start"
}
step_done() {
    log "step $step_name: ${1:-done} in $(($(now_ms) - step_started)) ms"
}

# Root runs commands directly; a user with passwordless sudo through it; else nothing.
as_root=
can_be_root() {
    if [ "$uid" = 0 ]; then
        as_root=
        return 0
    fi
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root="sudo -n"
        return 0
    fi
    return 1
}

find_sshd() {
    for candidate in "$(command -v sshd 2>/dev/null || true)" /usr/sbin/sshd /usr/bin/sshd /usr/local/sbin/sshd; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

install_sshd() {
    can_be_root || fail "install openssh-server: it is not in the image and $(id -un) is neither root nor has passwordless sudo; use an image with openssh-server (the platform's sandbox image has it)"
    if command -v apt-get >/dev/null 2>&1; then
        if ! $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$log_file" 2>&1; then
            fail "install openssh-server: apt-get update failed (see $log_file)"
        fi
        if ! $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server >>"$log_file" 2>&1; then
            fail "install openssh-server with apt-get failed (see $log_file)"
        fi
    elif command -v apk >/dev/null 2>&1; then
        $as_root apk add --no-cache openssh-server openssh-keygen >>"$log_file" 2>&1 || fail "install openssh-server with apk failed (see $log_file)"
    elif command -v dnf >/dev/null 2>&1; then
        $as_root dnf install -y openssh-server >>"$log_file" 2>&1 || fail "install openssh-server with dnf failed (see $log_file)"
    elif command -v yum >/dev/null 2>&1; then
        $as_root yum install -y openssh-server >>"$log_file" 2>&1 || fail "install openssh-server with yum failed (see $log_file)"
    else
        fail "install openssh-server: no apt-get, apk, dnf or yum in the image"
    fi
}

# The workspace user must exist for sshd to log it in; images built for the platform have it.
ensure_user() {
    if id -u "$sandbox_user" >/dev/null 2>&1; then
        return 0
    fi
    [ "$uid" = 0 ] || fail "user $sandbox_user does not exist and $(id -un) cannot create it"
    if command -v useradd >/dev/null 2>&1; then
        useradd --no-create-home --home-dir "$home" --shell /bin/sh --uid 1000 --user-group "$sandbox_user" 2>/dev/null ||
            useradd --no-create-home --home-dir "$home" --shell /bin/sh --user-group "$sandbox_user" || fail "useradd $sandbox_user failed"
    elif command -v adduser >/dev/null 2>&1; then
        adduser -D -H -h "$home" -s /bin/sh "$sandbox_user" || fail "adduser $sandbox_user failed"
    else
        fail "user $sandbox_user does not exist and there is no useradd or adduser"
    fi
    mkdir -p "$home"
    chown "$sandbox_user:" "$home" 2>/dev/null || true
}

# A root sshd with UsePAM no refuses accounts whose password field is locked ("!"),
# which is how useradd leaves them; "*" keeps password logins impossible but unlocked.
unlock_login() {
    [ "$uid" = 0 ] || return 0
    if [ -r /etc/shadow ] && grep -q "^$1:!" /etc/shadow && command -v usermod >/dev/null 2>&1; then
        usermod -p '*' "$1" || log "unlock $1 for certificate logins failed"
    fi
}

# Boundary-injected certificates log in as the developer's name: give each principal a
# login alias of the workspace user (same UID and home) where the image lets us.
add_principal_aliases() {
    [ -r "$config_dir/principals" ] || return 0
    target_uid=$(id -u "$sandbox_user")
    target_gid=$(id -g "$sandbox_user")
    while IFS= read -r principal; do
        [ -n "$principal" ] || continue
        if ! id -u "$principal" >/dev/null 2>&1 && can_be_root && command -v useradd >/dev/null 2>&1; then
            $as_root useradd -o -u "$target_uid" -g "$target_gid" -d "$home" -M -s /bin/sh "$principal" 2>>"$log_file" ||
                log "add login alias $principal failed (certificates for it will log in as $sandbox_user only)"
        fi
        unlock_login "$principal"
    done <"$config_dir/principals"
}

sshd_running() {
    [ -f "$state_dir/sshd.pid" ] && kill -0 "$(cat "$state_dir/sshd.pid")" 2>/dev/null
}

sshd_pid=
start_sshd() {
    step sshd
    [ -r "$config_dir/sshd_config" ] || fail "start sshd: $config_dir/sshd_config is missing (the sandbox's sshd ConfigMap is not mounted)"
    [ -r "$ca_dir/trusted-user-ca-keys.pem" ] || fail "start sshd: $ca_dir/trusted-user-ca-keys.pem is missing (the vault-ssh-ca ConfigMap has not been published in this namespace yet)"
    sshd=$(find_sshd || true)
    if [ -z "$sshd" ]; then
        log "openssh-server is not installed; installing it"
        install_sshd
        sshd=$(find_sshd || true)
        [ -n "$sshd" ] || fail "install openssh-server: the package installed but no sshd binary was found"
    fi
    if [ "$uid" = 0 ]; then
        ensure_user
        unlock_login "$sandbox_user"
        # Privilege separation directory of a root sshd.
        mkdir -p /run/sshd
        chmod 0755 /run/sshd
    fi
    add_principal_aliases
    if sshd_running; then
        sshd_pid=$(cat "$state_dir/sshd.pid")
        step_done "already running (pid $sshd_pid)"
        return 0
    fi
    # The host key lives in the state directory (the home volume): it survives restarts,
    # so known_hosts entries stay valid.
    if [ ! -f "$state_dir/ssh_host_ed25519_key" ]; then
        ssh-keygen -q -t ed25519 -N '' -C "sandbox ${SANDBOX_NAME:-}" -f "$state_dir/ssh_host_ed25519_key" || fail "start sshd: ssh-keygen failed"
    fi
    set -- -f "$config_dir/sshd_config" -h "$state_dir/ssh_host_ed25519_key" -p "$sshd_port" \
        -o "PidFile=$state_dir/sshd.pid" -E "$state_dir/sshd.log"
    "$sshd" -t "$@" >>"$log_file" 2>&1 || fail "start sshd: sshd -t rejects the configuration ($("$sshd" -t "$@" 2>&1 | tail -n 1))"
    if [ "$foreground" = true ]; then
        "$sshd" -D "$@" &
        sshd_pid=$!
    else
        "$sshd" "$@" || fail "start sshd: $sshd exited with $?"
    fi
    # Wait until it has written its pid (it listens by then).
    i=0
    while [ ! -s "$state_dir/sshd.pid" ] && [ $i -lt 100 ]; do
        sleep 0.1 2>/dev/null || sleep 1
        i=$((i + 1))
    done
    sshd_running || fail "start sshd: it exited at once: $(tail -n 3 "$state_dir/sshd.log" 2>/dev/null)"
    sshd_pid=$(cat "$state_dir/sshd.pid")
    step_done "listening on port $sshd_port (pid $sshd_pid)"
}

# Runs git with the credentials the sandbox has: the Secret's deploy key or token, or
# a forwarded agent. Nothing is written to the repository's config.
git_with_credentials() {
    if [ -r "$credentials_dir/ssh-privatekey" ]; then
        install -m 600 "$credentials_dir/ssh-privatekey" "$state_dir/repo-key" 2>/dev/null ||
            { cp "$credentials_dir/ssh-privatekey" "$state_dir/repo-key" && chmod 600 "$state_dir/repo-key"; }
        if [ -r "$credentials_dir/known_hosts" ]; then
            hosts="-o UserKnownHostsFile=$credentials_dir/known_hosts -o StrictHostKeyChecking=yes"
        else
            hosts="-o UserKnownHostsFile=$state_dir/known_hosts -o StrictHostKeyChecking=accept-new"
        fi
        GIT_SSH_COMMAND="ssh -i $state_dir/repo-key -o IdentitiesOnly=yes -o BatchMode=yes $hosts" GIT_TERMINAL_PROMPT=0 git "$@"
    elif [ -r "$credentials_dir/password" ] || [ -r "$credentials_dir/token" ]; then
        # A credential helper that reads the mounted files when git asks: the token
        # never lands in .git/config or in the process list.
        helper="!f() { test \"\$1\" = get || exit 0; u=x-access-token; [ -r '$credentials_dir/username' ] && u=\$(cat '$credentials_dir/username'); p=\$(cat '$credentials_dir/password' 2>/dev/null || cat '$credentials_dir/token'); printf 'username=%s\\npassword=%s\\n' \"\$u\" \"\$p\"; }; f"
        GIT_TERMINAL_PROMPT=0 git -c credential.helper= -c "credential.helper=$helper" "$@"
    else
        GIT_SSH_COMMAND="ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=$state_dir/known_hosts" GIT_TERMINAL_PROMPT=0 git "$@"
    fi
}

has_credentials() {
    [ -r "$credentials_dir/ssh-privatekey" ] || [ -r "$credentials_dir/password" ] || [ -r "$credentials_dir/token" ] || [ -n "${SSH_AUTH_SOCK:-}" ]
}

# Puts HEAD of the repository in the current directory at $repo_ref (a branch, tag or
# commit), without touching the work tree.
point_head_at_ref() {
    [ -n "$repo_ref" ] || return 0
    if git show-ref --verify -q "refs/remotes/origin/$repo_ref"; then
        git show-ref --verify -q "refs/heads/$repo_ref" || git update-ref "refs/heads/$repo_ref" "refs/remotes/origin/$repo_ref"
        git symbolic-ref HEAD "refs/heads/$repo_ref"
        git branch -q --set-upstream-to="origin/$repo_ref" "$repo_ref" >/dev/null
    elif commit=$(git rev-parse -q --verify "$repo_ref^{commit}"); then
        git update-ref --no-deref HEAD "$commit"
    elif git_with_credentials fetch -q origin "$repo_ref" >>"$log_file" 2>&1 && commit=$(git rev-parse -q --verify "FETCH_HEAD^{commit}"); then
        git update-ref --no-deref HEAD "$commit"
    else
        return 1
    fi
}

clone_repo() {
    step clone
    if [ -z "$repo_url" ]; then
        step_done "skipped (no repository configured)"
        return 0
    fi
    if [ -e "$repo_dir/.git" ]; then
        # First start only: an existing repository is the developer's work.
        step_done "skipped ($repo_dir already has a repository; it is never touched)"
        return 0
    fi
    command -v git >/dev/null 2>&1 || fail "clone $repo_url: git is not installed in the image"
    case $repo_url in
        ssh://* | git@* | *@*:*)
            if ! has_credentials; then
                log "clone $repo_url: no deploy key in the Secret and no forwarded agent yet; connect with 'ssh -A' and run: sh $config_dir/sandbox-start.sh clone"
                step_done "deferred (waiting for agent forwarding)"
                return 0
            fi
            ;;
    esac
    mkdir -p "$repo_dir"
    # Clone beside the workspace (same file system), then move only .git in: files the
    # developer already has in the workspace stay exactly as they are.
    tmp=$(mktemp -d "$repo_dir.clone.XXXXXX")
    if ! git_with_credentials clone -q --no-checkout "$repo_url" "$tmp" >"$state_dir/clone.log" 2>&1; then
        rm -rf "$tmp"
        cat "$state_dir/clone.log" >>"$log_file"
        fail "clone $repo_url into $repo_dir failed: $(grep -m 1 -E 'fatal|error' "$state_dir/clone.log")"
    fi
    mv "$tmp/.git" "$repo_dir/.git"
    rmdir "$tmp"
    cd "$repo_dir"
    point_head_at_ref || fail "clone $repo_url: ref '$repo_ref' is neither a branch, a tag nor a commit of the repository"
    # Index = HEAD; the work tree is untouched. Then write only the files that are missing.
    git reset -q
    kept=$(git diff --name-only --diff-filter=M | wc -l | tr -d ' ')
    git ls-files -z --deleted | git checkout-index -z --stdin
    cd - >/dev/null
    if [ "$kept" -gt 0 ]; then
        step_done "cloned at ${repo_ref:-the default branch}; kept $kept existing file(s) that differ from the repository (see git status)"
    else
        step_done "cloned at ${repo_ref:-the default branch}"
    fi
}

# Each workspace variable as "NAME FILE": the plain ones from the ConfigMap, the secret ones
# from the Secret volume. Names were checked by the platform; checked again here because they
# end up in eval and file contents.
workspace_env_files() {
    for name in $env_names; do
        printf '%s %s\n' "$name" "$config_dir/env.$name"
    done
    for pair in $secret_env; do
        printf '%s %s\n' "${pair%%=*}" "$secrets_dir/${pair#*=}/${pair%%=*}"
    done
}

valid_env_name() {
    case $1 in
        '' | [0-9]* | *[!A-Za-z0-9_]*) return 1 ;;
        *) return 0 ;;
    esac
}

# Single-quotes its argument for sh; the value travels through a pipe, never argv.
sh_quote() {
    printf "'"
    printf '%s' "$1" | sed "s/'/'\\\\''/g"
    printf "'"
}

# A JSON string of FILE's content (without its final newline); sed reads the file itself.
json_string_of_file() {
    printf '"'
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' "$1" | awk 'NR > 1 { printf "%s", "\\n" } { printf "%s", $0 }'
    printf '"'
}

# First line of every file written from the variables: a comment to sshd and sh (octal 043 is the number sign).
env_marker=$(printf '\043 %s' "Written by sandbox-start from the sandbox's env and secretEnv; rewritten at every start.")

# Removes a file the script wrote earlier (its first line is the marker); never anyone else's.
remove_written() {
    if [ -f "$1" ] && [ ! -L "$1" ] && [ "$(head -n 1 "$1" 2>/dev/null)" = "$env_marker" ]; then
        rm -f "$1"
    fi
}

# Hands a file the script wrote (as root) to the workspace user, 0600.
give_to_user() {
    chmod 600 "$1"
    if [ "$uid" = 0 ]; then
        chown "$sandbox_user:" "$1"
    fi
}

write_workspace_env() {
    step env
    shell_env=$state_dir/env
    ssh_env=$home/.ssh/environment
    secrets_json=$state_dir/devcontainer-secrets.json
    if [ -z "$env_names" ] && [ -z "$secret_env" ]; then
        remove_written "$shell_env"
        remove_written "$ssh_env"
        rm -f "$secrets_json"
        step_done "skipped (no env or secretEnv configured)"
        return 0
    fi
    # Never write through a link the user may have planted (this may run as root).
    for dir in "$state_dir" "$home/.ssh"; do
        [ ! -L "$dir" ] || fail "env: $dir is a symbolic link; refusing to write the workspace variables through it"
    done
    if [ ! -d "$home/.ssh" ]; then
        mkdir -m 700 "$home/.ssh"
        [ "$uid" != 0 ] || chown "$sandbox_user:" "$home/.ssh"
    fi
    old_umask=$(umask)
    umask 077
    shell_tmp=$(mktemp "$state_dir/env.XXXXXX")
    ssh_tmp=$(mktemp "$home/.ssh/environment.XXXXXX")
    json_tmp=$(mktemp "$state_dir/devcontainer-secrets.XXXXXX")
    printf '%s\n' "$env_marker" >"$shell_tmp"
    printf '%s\n' "$env_marker" >"$ssh_tmp"
    printf '{' >"$json_tmp"
    count=0
    missing=
    multiline=
    newline='
'
    workspace_env_files >"$state_dir/env-files.$$"
    while read -r name file; do
        valid_env_name "$name" || { log "env: skipped a variable with an invalid name"; continue; }
        if [ ! -r "$file" ]; then
            missing="$missing $name"
            continue
        fi
        value=$(cat "$file")
        printf 'export %s=%s\n' "$name" "$(sh_quote "$value")" >>"$shell_tmp"
        case $value in
            *"$newline"* | *"$(printf '\r')"*) multiline="$multiline $name" ;;
            *) printf '%s=%s\n' "$name" "$value" >>"$ssh_tmp" ;;
        esac
        [ $count = 0 ] || printf ',' >>"$json_tmp"
        printf '"%s":%s' "$name" "$(json_string_of_file "$file")" >>"$json_tmp"
        count=$((count + 1))
    done <"$state_dir/env-files.$$"
    rm -f "$state_dir/env-files.$$"
    unset value
    printf '}\n' >>"$json_tmp"
    umask "$old_umask"
    for file in "$shell_tmp" "$ssh_tmp" "$json_tmp"; do
        give_to_user "$file"
    done
    mv -f "$shell_tmp" "$shell_env"
    mv -f "$ssh_tmp" "$ssh_env"
    mv -f "$json_tmp" "$secrets_json"
    if [ -n "$multiline" ]; then
        log "env:$multiline span lines: in ~/.sandbox/env and devcontainers, not in ssh sessions (sshd's ~/.ssh/environment is one line per variable)"
    fi
    if [ -n "$missing" ]; then
        # Names only: which key of which Secret is missing is in the sandbox's config.
        log "ERROR: env:$missing not readable (is the Secret key present?); the workspace runs without them"
        step_done "$count variable(s) written, missing:$missing"
        return 0
    fi
    step_done "$count variable(s) for the workspace user (ssh sessions, code-server, devcontainer)"
}

# Exports the workspace variables into the current (sub)shell, reading their files again:
# never the user-writable ~/.sandbox/env, which this script may be running as root to read.
export_workspace_env() {
    workspace_env_files | while read -r name file; do
        valid_env_name "$name" && [ -r "$file" ] && printf '%s %s\n' "$name" "$file"
    done >"$state_dir/env-export.$$"
    while read -r name file; do
        value=$(cat "$file")
        eval "$name=\$value"
        export "${name?}"
    done <"$state_dir/env-export.$$"
    rm -f "$state_dir/env-export.$$"
    unset value
}

start_code_server() {
    step code-server
    if ! command -v code-server >/dev/null 2>&1; then
        step_done "skipped (code-server is not in this image; port $code_server_port is not served)"
        return 0
    fi
    if [ -f "$state_dir/code-server.pid" ] && kill -0 "$(cat "$state_dir/code-server.pid")" 2>/dev/null; then
        step_done "already running"
        return 0
    fi
    folder=$home
    [ -d "$repo_dir" ] && folder=$repo_dir
    # Reached only through Boundary (the namespace's NetworkPolicy admits only its
    # workers), so code-server's own password is off.
    (
        export_workspace_env
        exec code-server --bind-addr "0.0.0.0:$code_server_port" --auth none --disable-telemetry --disable-update-check "$folder"
    ) >>"$state_dir/code-server.log" 2>&1 &
    echo $! >"$state_dir/code-server.pid"
    step_done "listening on port $code_server_port"
}

start_docker() {
    if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
        return 0
    fi
    command -v dockerd >/dev/null 2>&1 || return 1
    can_be_root || return 1
    $as_root sh -c 'dockerd >/var/log/dockerd.log 2>&1 &'
    i=0
    while [ $i -lt 30 ]; do
        if docker info >/dev/null 2>&1 || $as_root docker info >/dev/null 2>&1; then
            return 0
        fi
        sleep 1
        i=$((i + 1))
    done
    return 1
}

devcontainer_up() {
    step devcontainer
    if [ "$devcontainer" != auto ]; then
        step_done "skipped (devcontainer mode is off)"
        return 0
    fi
    if [ ! -f "$repo_dir/.devcontainer/devcontainer.json" ] && [ ! -f "$repo_dir/.devcontainer.json" ]; then
        step_done "skipped (no .devcontainer/devcontainer.json in $repo_dir)"
        return 0
    fi
    if ! command -v devcontainer >/dev/null 2>&1; then
        log "ERROR: $repo_dir has a devcontainer.json but the devcontainer CLI is not in this image"
        step_done "failed"
        return 0
    fi
    if ! start_docker; then
        log "ERROR: $repo_dir has a devcontainer.json but no Docker daemon is reachable"
        step_done "failed"
        return 0
    fi
    # Reuses the container of an earlier start (devcontainer up finds it by its labels).
    # The workspace variables reach the devcontainer as the CLI's secrets (used like remoteEnv,
    # kept out of its logs and labels): devcontainers/cli --secrets-file.
    set -- --workspace-folder "$repo_dir"
    if [ -f "$state_dir/devcontainer-secrets.json" ]; then
        set -- "$@" --secrets-file "$state_dir/devcontainer-secrets.json"
    fi
    if devcontainer up "$@" >>"$state_dir/devcontainer.log" 2>&1; then
        step_done "up (enter it with: devcontainer exec --workspace-folder $repo_dir bash)"
    else
        log "ERROR: devcontainer up failed (see $state_dir/devcontainer.log); the sandbox itself is usable"
        step_done "failed"
    fi
}

# Established TCP connections to the sandbox's ports, from /proc/net/tcp{,6}.
open_sessions() {
    ports=$(printf ':%04X|:%04X' "$sshd_port" "$code_server_port")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v ports="$ports" '
        BEGIN { n = split(ports, p, "|") }
        $4 == "01" { for (i = 1; i <= n; i++) if (substr($2, length($2) - 4) == p[i]) c++ }
        END { print c + 0 }'
}

# Ephemeral sandboxes keep nothing between sessions: the next session starts from an
# empty home (an emptyDir the platform owns; state lives only in git). Only the state
# directory stays (host key: known_hosts entries stay valid).
recycle_ephemeral_home() {
    [ "$ephemeral" = true ] || return 0
    if [ -f "$state_dir/session-seen" ]; then
        step recycle
        find "$home" -mindepth 1 -maxdepth 1 ! -name "$(basename "$state_dir")" -exec rm -rf {} + 2>/dev/null || true
        rm -f "$state_dir/session-seen"
        step_done "previous session's files removed"
    fi
}

watch() {
    seen=false
    idle_since=$(date +%s)
    while :; do
        if [ -n "$sshd_pid" ] && ! kill -0 "$sshd_pid" 2>/dev/null; then
            fail "sshd (pid $sshd_pid) exited: $(tail -n 3 "$state_dir/sshd.log" 2>/dev/null)"
        fi
        if [ "$ephemeral" = true ]; then
            if [ "$(open_sessions)" -gt 0 ]; then
                if [ "$seen" = false ]; then
                    log "session started"
                    : >"$state_dir/session-seen"
                fi
                seen=true
                idle_since=$(date +%s)
            elif [ "$seen" = true ] && [ $(($(date +%s) - idle_since)) -ge "$idle_seconds" ]; then
                if [ "$recycle" = exit ]; then
                    log "no session for ${idle_seconds}s after the last one ended: exiting so the sandbox restarts clean"
                    exit 0
                fi
                # envbox: the inner container outlives this script, so recycle in place.
                log "no session for ${idle_seconds}s after the last one ended: recycling in place"
                recycle_ephemeral_home
                write_workspace_env
                clone_repo
                seen=false
            fi
        fi
        sleep "${SANDBOX_WATCH_INTERVAL:-10}"
    done
}

if [ "$command" = clone ]; then
    clone_repo
    exit 0
fi
log "starting sandbox ${SANDBOX_NAME:-} as $(id -un) (workspace ${SANDBOX_WORKSPACE:-image})"
started=$(now_ms)
rm -f "$state_dir/failed"
recycle_ephemeral_home
start_sshd
write_workspace_env
clone_repo
start_code_server
devcontainer_up
log "ready in $(($(now_ms) - started)) ms"
if [ "$foreground" = true ]; then
    watch
fi
