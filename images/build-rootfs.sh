#!/usr/bin/env bash
# images/build-rootfs.sh [DEB] [ROOTFS]: the appliance root filesystem.
#
# mmdebstrap makes a Debian bookworm root (variant apt, plus systemd so it
# boots with `systemd-nspawn --boot`) from this machine's own apt sources,
# installs the packages the .deb depends on, then `dpkg -i` of the .deb itself
# (its postinst creates the user inkan and /var/lib/inkan; no CA: that is
# `inkan-admin init`, the security officer's step). Debian's own nginx.service
# (port 80, default site) is masked: the appliance's nginx is the TLS front
# that inkan.service runs. DEB defaults to what
# scripts/package.sh builds; ROOTFS (a directory, or a name ending in .tar /
# .tar.gz for an archive) to build-image/rootfs. Downloaded packages are kept
# in $INKAN_APT_CACHE (default build-image/apt-cache) for the next run.
# Needs root and scripts/install-image-deps.sh.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
DEB="${1:-}"
ROOTFS="${2:-$REPO/build-image/rootfs}"
CACHE="${INKAN_APT_CACHE:-$REPO/build-image/apt-cache}"
if [[ -z "$DEB" ]]; then
    DEB="$("$REPO/scripts/package.sh")"
fi
DEB="$(realpath "$DEB")"
command -v mmdebstrap >/dev/null || {
    echo "build-rootfs: mmdebstrap missing: run scripts/install-image-deps.sh" >&2
    exit 1
}
[[ "$(id -u)" -eq 0 ]] || { echo "build-rootfs: run as root" >&2; exit 1; }

# The .deb's Depends, first alternative of each (nginx-light | nginx -> nginx-light),
# without version constraints: apt installs them from the archive.
depends="$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' |
    grep -v '^$' | paste -sd, -)"

# The mirrors this machine's apt uses (no host names in the project's files).
mirrors=()
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
    [[ -s "$f" ]] && grep -qv '^[[:space:]]*\(#\|$\)' "$f" && mirrors+=("$f")
done
[[ ${#mirrors[@]} -gt 0 ]] || { echo "build-rootfs: no apt sources on this machine" >&2; exit 1; }

if [[ -d "$ROOTFS" ]]; then
    rm -rf --one-file-system "$ROOTFS"
fi
mkdir -p "$CACHE" "$(dirname "$ROOTFS")"
CACHE="$(realpath "$CACHE")"
# mmdebstrap's special hooks (sync-in, copy-in) split their arguments on spaces.
[[ "$CACHE$DEB" != *[[:space:]]* ]] || { echo "build-rootfs: no spaces in paths, please" >&2; exit 1; }
export INKAN_DEB_NAME="${DEB##*/}"
mmdebstrap --variant=apt --skip=essential/unlink --quiet \
    --include="systemd,systemd-sysv,dbus,curl,openssl,ca-certificates,$depends" \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --setup-hook="sync-in $CACHE /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $CACHE" \
    --customize-hook="copy-in $DEB /tmp" \
    --customize-hook='chroot "$1" dpkg -i "/tmp/$INKAN_DEB_NAME"' \
    --customize-hook='rm -f "$1/tmp/$INKAN_DEB_NAME" "$1"/var/cache/apt/archives/*.deb' \
    --customize-hook='echo inkan-appliance > "$1/etc/hostname"' \
    --customize-hook='chroot "$1" systemctl mask --quiet nginx.service' \
    bookworm "$ROOTFS" "${mirrors[@]}"
echo "$ROOTFS"
