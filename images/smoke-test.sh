#!/usr/bin/env bash
# images/smoke-test.sh: the Debian package in the appliance root filesystem,
# booted, initialised, serving, and one certificate issued over HTTPS from
# outside the root (README "Package and image").
#
#  1. the .deb ($INKAN_DEB, else scripts/package.sh with $INKAN_BUILD_DIR);
#  2. images/build-rootfs.sh: mmdebstrap + dpkg -i of the .deb;
#  3. /etc/inkan/environment in the root: loopback and free ports (the example
#     /etc/inkan/inkan.json binds 0.0.0.0:8443/8444/8080);
#  4. mode nspawn (the default when systemd-nspawn can run here): a one-shot
#     unit in the root runs `inkan-admin init` as the security officer would,
#     moves the HSM user PIN out of the state folder into
#     /etc/credstore/inkan-hsm-pin (so the service can log in only through its
#     systemd credential), then `systemd-nspawn --boot` starts the packaged
#     inkan.service (its sandbox as shipped) under the root's own systemd;
#     mode chroot (INKAN_SMOKE_MODE=chroot, or where nspawn cannot run): the
#     same init through chroot, then the unit's ExecStart as user inkan with
#     the unit's Environment= lines and CREDENTIALS_DIRECTORY holding the PIN,
#     /proc, /sys and /dev mounted into the root;
#  5. from outside: /healthz over HTTPS through the front, a CSR posted with
#     the operator credential `init` made, the certificate checked with
#     `openssl verify` against the root's CA certificate;
#  6. stop; print the time taken.
# Needs root, scripts/install-image-deps.sh and Debian's archive reachable.
# The work folder is $INKAN_IMAGE_WORK (default a new folder under /var/tmp),
# removed at the end unless INKAN_KEEP_IMAGE=1.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
started=$(date +%s)
say() { echo "smoke-test: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
[[ "$(id -u)" -eq 0 ]] || fail "run as root"

WORK="${INKAN_IMAGE_WORK:-$(mktemp -d /var/tmp/inkan-smoke.XXXXXX)}"
mkdir -p "$WORK"
ROOT="$WORK/rootfs"
SERVICE_PID=""
MOUNTS=()
cleanup() {
    local rc=$?
    if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
        kill -TERM "$SERVICE_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVICE_PID" 2>/dev/null || true
    fi
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null || true; done
    if [[ $rc -ne 0 ]]; then
        for log in "$WORK/boot.log" "$WORK/serve.log" "$ROOT/var/lib/inkan/front/error.log"; do
            [[ -s "$log" ]] && { say "--- tail of $log"; tail -n 40 "$log" >&2; }
        done
    fi
    if [[ "${INKAN_KEEP_IMAGE:-}" = 1 ]]; then
        say "kept $WORK"
    else
        rm -rf --one-file-system "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

# 1-2: package and root filesystem.
DEB="${INKAN_DEB:-}"
if [[ -z "$DEB" ]]; then
    DEB="$(INKAN_BUILD_DIR="${INKAN_BUILD_DIR:-build-pkg}" "$REPO/scripts/package.sh")"
fi
say "package $DEB ($(( $(date +%s) - started )) s)"
"$REPO/images/build-rootfs.sh" "$DEB" "$ROOT" >/dev/null
say "root filesystem $ROOT ($(( $(date +%s) - started )) s)"
chroot "$ROOT" dpkg -s inkan | grep -q '^Status: install ok installed' || fail "inkan not installed"
chroot "$ROOT" id inkan >/dev/null || fail "postinst made no user inkan"
[[ ! -e "$ROOT/var/lib/inkan/ca.pem" ]] || fail "the package must not create a CA"

# The unit as installed: its sandbox must stay where README says (exposure 1.2).
unit="$ROOT/lib/systemd/system/inkan.service"
[[ -f "$unit" ]] || unit="$ROOT/usr/lib/systemd/system/inkan.service"
exposure="$(systemd-analyze security --offline=true "$unit" 2>/dev/null |
    sed -n 's/.*Overall exposure level for inkan.service: \([0-9.]*\).*/\1/p')"
[[ -n "$exposure" ]] || fail "systemd-analyze security gave no exposure level"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure level $exposure > 2.0"
say "systemd-analyze security: exposure $exposure"

# 3: ports.
read -r OP_PORT PUB_PORT CRL_PORT < <(/usr/bin/python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
cat > "$ROOT/etc/inkan/environment" <<ENV
INKAN_BIND_ADDRESS=127.0.0.1
INKAN_OPERATOR_PORT=$OP_PORT
INKAN_PUBLIC_PORT=$PUB_PORT
INKAN_CRL_PORT=$CRL_PORT
ENV
chmod 0640 "$ROOT/etc/inkan/environment"

# 4: boot (nspawn) or chroot.
MODE="${INKAN_SMOKE_MODE:-auto}"
if [[ "$MODE" = auto ]]; then
    MODE=chroot
    if command -v systemd-nspawn >/dev/null &&
        timeout 60 systemd-nspawn --quiet --register=no --keep-unit -D "$ROOT" /bin/true >/dev/null 2>&1; then
        MODE=nspawn
    fi
fi
say "mode $MODE"

HANDOVER=/var/tmp/inkan-handover   # in the root: the first operator's P12 + password file
make_handover="install -d -m 0700 -o inkan -g inkan $HANDOVER"
move_pin_to_credstore='install -d -m 0700 /etc/credstore && mv /var/lib/inkan/hsm-user-pin /etc/credstore/inkan-hsm-pin && chmod 0600 /etc/credstore/inkan-hsm-pin'
if [[ "$MODE" = nspawn ]]; then
    cat > "$ROOT/etc/systemd/system/inkan-smoke-init.service" <<UNIT
[Unit]
Description=smoke test: the security officer's inkan-admin init
Before=inkan.service
ConditionPathExists=!/var/lib/inkan/ca.pem
[Service]
Type=oneshot
ExecStartPre=/bin/sh -c '$make_handover'
ExecStart=/usr/sbin/inkan-admin init --handover $HANDOVER
ExecStartPost=/bin/sh -c '$move_pin_to_credstore'
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
UNIT
    ln -sf /etc/systemd/system/inkan-smoke-init.service \
        "$ROOT/etc/systemd/system/multi-user.target.wants/inkan-smoke-init.service"
    [[ -L "$ROOT/etc/systemd/system/multi-user.target.wants/inkan.service" ]] ||
        fail "postinst did not enable inkan.service"
    systemd-nspawn --quiet --register=no --keep-unit --boot -D "$ROOT" \
        --console=read-only >"$WORK/boot.log" 2>&1 &
    SERVICE_PID=$!
else
    for m in proc sys dev; do mkdir -p "$ROOT/$m"; done
    mount -t proc proc "$ROOT/proc" && MOUNTS+=("$ROOT/proc")
    mount -t sysfs sysfs "$ROOT/sys" && MOUNTS+=("$ROOT/sys")
    mount --bind /dev "$ROOT/dev" && MOUNTS+=("$ROOT/dev")
    mount -t tmpfs tmpfs "$ROOT/run" && MOUNTS+=("$ROOT/run")
    chroot "$ROOT" /bin/sh -c "$make_handover"
    chroot "$ROOT" /usr/sbin/inkan-admin init --handover "$HANDOVER" >"$WORK/init.log" 2>&1 ||
        { cat "$WORK/init.log" >&2; fail "inkan-admin init"; }
    chroot "$ROOT" /bin/sh -c "$move_pin_to_credstore"
    # The unit's own lines, so the chroot runs what systemd would.
    user="$(sed -n 's/^User=//p' "$unit")"
    exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
    mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$unit")
    mkdir -p "$ROOT/run/credentials/inkan.service"
    install -m 0400 -o "$(chroot "$ROOT" id -u "$user")" "$ROOT/etc/credstore/inkan-hsm-pin" \
        "$ROOT/run/credentials/inkan.service/inkan-hsm-pin"
    # shellcheck disable=SC2086
    setsid chroot "$ROOT" /bin/sh -c 'set -a; . /etc/inkan/environment; set +a; cd /var/lib/inkan;
        exec runuser -u "$0" -- env "$@"' "$user" "${unit_env[@]}" \
        CREDENTIALS_DIRECTORY=/run/credentials/inkan.service $exec_start >"$WORK/serve.log" 2>&1 &
    SERVICE_PID=$!
fi

# 5: from outside the root.
CA="$ROOT/var/lib/inkan/ca.pem"
deadline=$(( $(date +%s) + 240 ))
until [[ -f "$CA" ]] && curl -sf --cacert "$CA" "https://127.0.0.1:$PUB_PORT/healthz" >/dev/null 2>&1; do
    kill -0 "$SERVICE_PID" 2>/dev/null || fail "the $MODE root stopped before serving"
    [[ $(date +%s) -lt $deadline ]] || fail "no /healthz on 127.0.0.1:$PUB_PORT within 240 s"
    sleep 1
done
say "serving through the front on 127.0.0.1:$OP_PORT/$PUB_PORT/$CRL_PORT ($(( $(date +%s) - started )) s)"
[[ ! -e "$ROOT/var/lib/inkan/hsm-user-pin" ]] || fail "the PIN file should be in the credstore"
# The operator credential is handed over once (README "Operator credentials"):
# a P12 and its password file in the handover folder, no key in the state.
P12="$ROOT$HANDOVER/ra-operator.p12"
[[ -f "$P12" ]] || fail "init wrote no operator P12 to $HANDOVER"
P12_PASSWORD="$(head -n 1 "$ROOT$HANDOVER/ra-operator.p12-password")"
! ls "$ROOT"/var/lib/inkan/operators/*.key >/dev/null 2>&1 || fail "a clear operator key is in the state"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/u.key" \
    -out "$WORK/u.csr" -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Inkan Demo University/CN=smoke.example.ac.jp" \
    2>/dev/null
code=$(curl -s -o "$WORK/u.pem" -w '%{http_code}' --cacert "$CA" --cert-type P12 \
    --cert "$P12:$P12_PASSWORD" --data-binary @"$WORK/u.csr" \
    "https://127.0.0.1:$OP_PORT/api/v1/certificates?format=pem")
[[ "$code" = 200 || "$code" = 201 ]] || { cat "$WORK/u.pem" >&2; fail "issuance answered $code"; }
openssl verify -CAfile "$CA" "$WORK/u.pem" >&2 || fail "openssl verify"
openssl x509 -in "$WORK/u.pem" -noout -subject | grep -q 'CN *= *smoke.example.ac.jp' ||
    fail "unexpected subject"
say "issued and verified ($(( $(date +%s) - started )) s)"

# 6: stop.
kill -TERM "$SERVICE_PID"
for _ in $(seq 1 150); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$SERVICE_PID" 2>/dev/null; then fail "the $MODE root did not stop within 30 s"; fi
SERVICE_PID=""
say "passed in $(( $(date +%s) - started )) s (mode $MODE)"
