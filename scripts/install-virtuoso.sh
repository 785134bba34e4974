#!/bin/sh
# Install Debian's OpenLink Virtuoso (virtuoso-opensource) for the remote-store tests (tests/test_remote_virtuoso.py).
#
# Idempotent: does nothing when virtuoso-t and isql-vt are already there. The tests start their own Virtuoso on
# 127.0.0.1 with a temporary database and virtuoso.ini, so the system instance the package's postinst may start
# is stopped and disabled, and debconf is told not to ask for a DBA password (non-interactive install).
set -eu

have_virtuoso() {
    { command -v virtuoso-t >/dev/null 2>&1 || [ -x /usr/bin/virtuoso-t ]; } &&
        { command -v isql-vt >/dev/null 2>&1 || [ -x /usr/bin/isql-vt ]; }
}

stop_system_instance() {
    # The package ships an init script (and, on some releases, a systemd unit); make sure neither runs.
    for svc in virtuoso-opensource-7 virtuoso-opensource-6.1 virtuoso-opensource; do
        if [ -x "/etc/init.d/$svc" ]; then
            "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
        fi
        if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
            systemctl stop "$svc" >/dev/null 2>&1 || true
            systemctl disable "$svc" >/dev/null 2>&1 || true
        fi
        if command -v update-rc.d >/dev/null 2>&1 && [ -e "/etc/init.d/$svc" ]; then
            update-rc.d -f "$svc" remove >/dev/null 2>&1 || true
        fi
    done
    # The default instance listens on 1111 and 8890; an orphan virtuoso-t started from /var/lib is killed by pid.
    for pidfile in /var/lib/virtuoso-opensource-7/db/virtuoso.lck /var/lib/virtuoso-opensource-6.1/db/virtuoso.lck; do
        if [ -f "$pidfile" ]; then
            pid=$(sed -n 's/^VIRT_PID=//p' "$pidfile" 2>/dev/null || true)
            [ -n "$pid" ] && kill "$pid" >/dev/null 2>&1 || true
        fi
    done
}

if have_virtuoso; then
    echo "install-virtuoso: virtuoso-t and isql-vt are installed"
    exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

# Answer the postinst's questions (DBA password) in advance: empty means "keep the default", no prompt.
if command -v debconf-set-selections >/dev/null 2>&1; then
    for pkg in virtuoso-opensource-7 virtuoso-opensource-6.1; do
        printf '%s\n' \
            "$pkg $pkg/dba-password password" \
            "$pkg $pkg/dba-password-again password" |
            $SUDO debconf-set-selections 2>/dev/null || true
    done
fi

# Keep the postinst from starting the system service (policy-rc.d exit 101 = "not allowed"), restoring any
# policy that was there before.
POLICY=/usr/sbin/policy-rc.d
saved=""
if [ -e "$POLICY" ]; then
    saved=$(mktemp)
    $SUDO cp -p "$POLICY" "$saved"
fi
restore_policy() {
    if [ -n "$saved" ]; then
        $SUDO cp -p "$saved" "$POLICY"
        rm -f "$saved"
    else
        $SUDO rm -f "$POLICY"
    fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
$SUDO chmod 755 "$POLICY"

if ! apt-cache show virtuoso-opensource >/dev/null 2>&1; then
    echo "install-virtuoso: apt-get update"
    $SUDO apt-get update
fi
echo "install-virtuoso: installing virtuoso-opensource"
$SUDO apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold virtuoso-opensource

stop_system_instance
if have_virtuoso; then
    echo "install-virtuoso: installed $(virtuoso-t -? 2>&1 | sed -n 's/^Version \(.*\)/\1/p' | head -1)"
else
    echo "install-virtuoso: virtuoso-t or isql-vt missing after the install" >&2
    exit 1
fi
