#!/usr/bin/env bash
# Builds (once) a Debian bookworm root filesystem from Debian's packages for tests
# that run sandbox start-up scripts and sshd for real (chroot + unshare -n), and
# prints its path. Reuses a complete previous build: the marker file records the
# suite and package list, so a change to either rebuilds.
#
#   test/rootfs/build.sh [DIR]    (default: $SANDBOX_ROOTFS or /var/cache/sandbox-platform/rootfs-bookworm)
#
# Needs root and debootstrap. Tests find the result through the same default path
# (or SANDBOX_ROOTFS) and skip, saying why, when it is absent.
set -euo pipefail

dir="${1:-${SANDBOX_ROOTFS:-/var/cache/sandbox-platform/rootfs-bookworm}}"
suite="bookworm"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# What the start-up script and its tests use: sshd + ssh-keygen, git, sudo for the
# non-root path, procps (pgrep), and dpkg-dev to serve a local apt repository of
# the kept .debs (the "install openssh-server when missing" test, with no network).
packages="openssh-server,openssh-client,git,sudo,procps,ca-certificates,dpkg-dev"
marker=".sandbox-platform-rootfs"
want="suite=${suite} packages=${packages} layout=2"

if [ -f "${dir}/${marker}" ] && [ "$(cat "${dir}/${marker}")" = "${want}" ]; then
    echo "${dir}"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "rootfs: building ${dir} needs root (debootstrap, chroot)" >&2
    exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
    echo "rootfs: debootstrap is not installed (apt-get install debootstrap)" >&2
    exit 1
fi
parent="$(dirname "${dir}")"
mkdir -p "${parent}"
# A minbase bookworm with these packages is about 350 MB; ask for 1 GiB of room.
avail_kb="$(df -Pk "${parent}" | awk 'NR==2 {print $4}')"
if [ "${avail_kb}" -lt 1048576 ]; then
    echo "rootfs: only ${avail_kb} KiB free under ${parent}; need 1 GiB" >&2
    exit 1
fi

tmp="${dir}.partial"
rm -rf "${tmp}"
start=$(date +%s)
# --keep-debootstrap-dir is not needed: the .debs stay in var/cache/apt/archives,
# which is where the tests' local apt repository is served from.
debootstrap --variant=minbase --include="${packages}" "${suite}" "${tmp}" "${mirror}" >"${parent}/rootfs-build.log" 2>&1 || {
    echo "rootfs: debootstrap failed; last lines of ${parent}/rootfs-build.log:" >&2
    tail -n 20 "${parent}/rootfs-build.log" >&2
    exit 1
}
# A local, unsigned apt repository of every .deb debootstrap fetched.
mkdir -p "${tmp}/srv/debs"
cp "${tmp}"/var/cache/apt/archives/*.deb "${tmp}/srv/debs/" 2>/dev/null || true
if ls "${tmp}"/srv/debs/*.deb >/dev/null 2>&1; then
    chroot "${tmp}" sh -c 'cd /srv/debs && dpkg-scanpackages -m . /dev/null > Packages 2>/dev/null'
fi
rm -rf "${dir}"
mv "${tmp}" "${dir}"
echo "${want}" > "${dir}/${marker}"
echo "rootfs: built ${dir} in $(( $(date +%s) - start )) s ($(du -sh "${dir}" | cut -f1))" >&2
echo "${dir}"
