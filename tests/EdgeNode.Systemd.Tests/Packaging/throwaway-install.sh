#!/usr/bin/env bash
# Installs, upgrades, removes and purges the edgenode package with the real dpkg and maintainer scripts in a
# throwaway root: a private mount namespace holding a copy-on-write overlay of this machine's root, so the host is
# never touched and everything vanishes with the namespace. Prints "CHECK key=value" lines for the test to assert.
#   throwaway-install.sh FIRST.deb UPGRADE.deb          (run as root; re-executes itself under unshare -m)
set -uo pipefail

if [ "${EDGENODE_IN_NAMESPACE:-}" != 1 ]; then
  exec env EDGENODE_IN_NAMESPACE=1 unshare --mount --propagation private "$0" "$@"
fi

FIRST="$1"
UPGRADE="$2"
T="$(mktemp -d /tmp/edgenode-root.XXXXXX)"
mount -t tmpfs tmpfs "$T"
mkdir -p "$T/upper" "$T/work" "$T/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$T/root" || { echo "CHECK overlay=failed"; exit 1; }
R="$T/root"
mount --bind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount -t tmpfs tmpfs "$R/tmp"
# A fresh /run: no /run/systemd/system, i.e. no running systemd, as in a chroot or an image build.
mount -t tmpfs tmpfs "$R/run"
# No .NET on this machine: the self-contained package must bring its own runtime (no dotnet, no DOTNET_ROOT).
rm -f "$R/usr/bin/dotnet" "$R/usr/local/bin/dotnet"
for d in /usr/share/dotnet /usr/lib/dotnet /opt/dotnet /etc/dotnet "${HOME:-/root}/.dotnet"; do
  if [ -d "$R$d" ]; then mount -t tmpfs tmpfs "$R$d"; fi
done
cp "$FIRST" "$R/tmp/first.deb"
cp "$UPGRADE" "$R/tmp/upgrade.deb"

# systemctl stand-in for a running systemd: records every call; the calls that need the manager (start, stop,
# daemon-reload, is-active…) succeed without one, the offline ones (preset, enable, is-enabled… on unit files) go to
# the real systemctl, as deb-systemd-helper expects.
# A container's policy-rc.d (exit 101: "do not start services") would hide the start/stop decisions under test.
rm -f "$R/usr/sbin/policy-rc.d"
mkdir -p "$R/usr/local/bin"
cat > "$R/usr/local/bin/systemctl" <<'SH'
#!/bin/sh
echo "$*" >> /var/log/fake-systemctl.log
for arg in "$@"; do
  case "$arg" in
    start|stop|restart|try-restart|reload|daemon-reload|daemon-reexec|reset-failed) exit 0 ;;
    is-active) echo active; exit 0 ;;
    is-system-running) echo running; exit 0 ;;
    # Answered from the unit files (offline), as the running manager would.
    is-enabled) exec /usr/bin/systemctl --root=/ "$@" ;;
  esac
done
exec /usr/bin/systemctl "$@"
SH
chmod 0755 "$R/usr/local/bin/systemctl"

in_root() {
  chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@" </dev/null
}
check() { printf 'CHECK %s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' '|')"; }
calls() { in_root sh -c 'cat /var/log/fake-systemctl.log 2>/dev/null; : > /var/log/fake-systemctl.log'; }

# 1. Install without a running systemd.
out="$(in_root dpkg -i /tmp/first.deb 2>&1)"; check install.rc $?
check install.output "$out"
check install.systemctl "$(calls)"
check version "$(in_root dpkg-query -W -f='${Version}' edgenode)"
check passwd "$(in_root getent passwd edgenode | cut -d: -f6,7)"
check groups "$(in_root id -nG edgenode)"
check config.stat "$(in_root stat -c '%U:%G %a' /etc/edgenode/edgenode.yaml)"
check state.stat "$(in_root stat -c '%U:%G %a' /var/lib/edgenode)"
check conffiles "$(in_root dpkg-query -W -f='${Conffiles}' edgenode | awk '{print $1}' | sort | tr '\n' ' ')"
check enabled.link "$(in_root readlink /etc/systemd/system/multi-user.target.wants/edgenode.service)"
check unit.exists "$(in_root test -f /lib/systemd/system/edgenode.service && echo yes)"
check udev.exists "$(in_root test -f /lib/udev/rules.d/60-edgenode.rules && echo yes)"
check dotnet.absent "$(in_root sh -c 'command -v dotnet || ls /usr/share/dotnet/dotnet /usr/lib/dotnet/dotnet 2>/dev/null' || true)"
check launcher.version "$(in_root edgenode --version 2>&1)"
check validate.example "$(in_root edgenode validate --config /etc/edgenode/edgenode.yaml 2>&1)"
# As the service user: reads its configuration, writes its state, is refused a login shell.
check user.config "$(in_root setpriv --reuid edgenode --regid edgenode --init-groups head -c 5 /etc/edgenode/edgenode.yaml >/dev/null 2>&1 && echo readable)"
check user.state "$(in_root setpriv --reuid edgenode --regid edgenode --init-groups touch /var/lib/edgenode/probe 2>&1 && echo writable)"
check config.dir.stat "$(in_root stat -c '%U:%G %a' /etc/edgenode)"
# The web console's save: a new file in the folder, renamed over the map, the previous version kept.
check user.config.save "$(in_root setpriv --reuid edgenode --regid edgenode --init-groups sh -c 'cp /etc/edgenode/edgenode.yaml /etc/edgenode/.probe.tmp && mv /etc/edgenode/.probe.tmp /etc/edgenode/.probe.yaml && rm /etc/edgenode/.probe.yaml' 2>&1 && echo writable)"
check other.config "$(in_root setpriv --reuid nobody --regid nogroup --clear-groups cat /etc/edgenode/edgenode.yaml >/dev/null 2>&1 && echo readable || echo denied)"
verify="$(in_root systemd-analyze verify /lib/systemd/system/edgenode.service 2>&1)"; check verify.rc $?
check verify.output "$verify"

# 2. systemd is running from now on. Reinstalling with the shipped configuration untouched: stopped, not started.
mkdir -p "$R/run/systemd/system"
out="$(in_root dpkg -i /tmp/first.deb 2>&1)"; check reinstall.rc $?
check reinstall.output "$out"
check reinstall.systemctl "$(calls)"

# 3. The technician edits the configuration and the node has state; then an upgrade.
in_root sh -c 'echo "# edited on site" >> /etc/edgenode/edgenode.yaml; echo 41 > /var/lib/edgenode/bdseq; chown edgenode:edgenode /var/lib/edgenode/bdseq'
out="$(in_root dpkg -i /tmp/upgrade.deb 2>&1)"; check upgrade.rc $?
check upgrade.output "$out"
check upgrade.systemctl "$(calls)"
check upgrade.version "$(in_root dpkg-query -W -f='${Version}' edgenode)"
check upgrade.config.edit "$(in_root grep -c '^# edited on site$' /etc/edgenode/edgenode.yaml)"
check upgrade.config.stat "$(in_root stat -c '%U:%G %a' /etc/edgenode/edgenode.yaml)"
check upgrade.bdseq "$(in_root cat /var/lib/edgenode/bdseq)"

# 4. Remove: stopped; configuration, state and user stay.
out="$(in_root dpkg -r edgenode 2>&1)"; check remove.rc $?
check remove.systemctl "$(calls)"
check remove.binary "$(in_root test -e /usr/lib/edgenode/edgenode.dll && echo present || echo gone)"
check remove.config.edit "$(in_root grep -c '^# edited on site$' /etc/edgenode/edgenode.yaml)"
check remove.bdseq "$(in_root cat /var/lib/edgenode/bdseq)"
check remove.user "$(in_root getent passwd edgenode >/dev/null && echo present || echo gone)"

# 5. Purge: configuration, state, user and group go; the shared device groups stay.
out="$(in_root dpkg -P edgenode 2>&1)"; check purge.rc $?
check purge.output "$out"
check purge.etc "$(in_root test -e /etc/edgenode && echo present || echo gone)"
check purge.state "$(in_root test -e /var/lib/edgenode && echo present || echo gone)"
check purge.user "$(in_root getent passwd edgenode >/dev/null && echo present || echo gone)"
check purge.group "$(in_root getent group edgenode >/dev/null && echo present || echo gone)"
check purge.statoverride "$(in_root dpkg-statoverride --list /etc/edgenode/edgenode.yaml >/dev/null 2>&1 && echo present || echo gone)"
check purge.statoverride.dir "$(in_root dpkg-statoverride --list /etc/edgenode >/dev/null 2>&1 && echo present || echo gone)"
check purge.devicegroups "$(in_root getent group gpio >/dev/null && in_root getent group i2c >/dev/null && echo present)"
check done yes
