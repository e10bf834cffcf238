#!/usr/bin/env bash
# Builds halte's packages and checks them as a device would meet them:
#   scripts/package-test.sh [ARCH...]     (default: arm64 armhf amd64)
# For each architecture: scripts/build.sh --arch ARCH; the package lists
# the binary, the unit and the configuration as a conffile; the device
# binary passes TestReleaseBinary (halte version, halte selftest --sim, an
# offline agent speaking its state file into a WAV file), under
# qemu-user for arm64 and armhf. The amd64 package is then installed into a
# clean Debian made with debootstrap (cached in ~/.cache/halte/root), which
# must start nothing, run halte version, and on purge keep only the state.
# Installs qemu-user-static and debootstrap with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go
need_packages qemu-user-static debootstrap espeak-ng
archs=("$@")
((${#archs[@]})) || archs=(arm64 armhf amd64)

fail() { echo "halte package test: $*" >&2; exit 1; }

for arch in "${archs[@]}"; do
    deb=$(scripts/build.sh --arch "$arch")
    version=$(dpkg-deb -f "$deb" Version)
    echo "== $deb" >&2
    listing=$(dpkg-deb -c "$deb")
    for f in ./usr/bin/halte ./lib/systemd/system/halte-agent.service ./lib/systemd/system/halte-rollback.service ./etc/halte/halte.yaml; do
        grep -q " $f\$" <<<"$listing" || fail "$deb lacks $f"
    done
    dpkg-deb -I "$deb" conffiles | grep -qx /etc/halte/halte.yaml || fail "$deb: /etc/halte/halte.yaml is not a conffile"
    emulator=
    case $arch in
        arm64) emulator=qemu-aarch64-static ;;
        armhf) emulator=qemu-arm-static ;;
    esac
    if ! HALTE_BINARY=$PWD/dist/halte-device-$arch HALTE_EMULATOR=$emulator HALTE_VERSION=$version \
        go test -count=1 -run '^TestReleaseBinary$' -v ./cmd/halte >"dist/smoke-$arch.log" 2>&1; then
        cat "dist/smoke-$arch.log" >&2
        fail "the $arch device build failed its smoke test"
    fi
    grep -E '^(--- |ok)|release_test' "dist/smoke-$arch.log" >&2
done

[[ " ${archs[*]} " == *" amd64 "* ]] || exit 0
if [[ $(id -u) != 0 ]]; then
    echo "halte package test: not root, so the amd64 package is not installed into a clean Debian (debootstrap and chroot need root)" >&2
    exit 0
fi
# A clean Debian with what the package depends on already there (the
# machine may reach no mirror from inside the root).
root=${XDG_CACHE_HOME:-$HOME/.cache}/halte/root
if [[ ! -x $root/usr/bin/dpkg ]]; then
    echo "halte package test: making a clean Debian in $root (debootstrap, a few minutes)" >&2
    rm -rf "$root"
    debootstrap --variant=minbase --include=espeak-ng,libasound2,adduser bookworm "$root" http://deb.debian.org/debian >&2
fi
trial=$(mktemp -d)
trap 'umount "$trial/proc" 2>/dev/null || true; rm -rf "$trial"' EXIT
cp -a "$root/." "$trial/"
mount -t proc proc "$trial/proc"
deb=$(ls -t dist/halte_*_amd64.deb | head -1)
cp "$deb" "$trial/tmp/halte.deb"
in_root() { chroot "$trial" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
echo "== installing $deb into a clean Debian" >&2
in_root dpkg -i /tmp/halte.deb >&2
in_root halte version | grep -q "^halte $(dpkg-deb -f "$deb" Version) " || fail "halte version in the installed root"
in_root id -nG halte | grep -qw audio || fail "the halte user is not in the audio group"
[[ $(in_root stat -c %U /var/lib/halte) == halte ]] || fail "/var/lib/halte is not the halte user's"
for unit in halte-agent halte-hub; do
    [[ ! -e $trial/etc/systemd/system/multi-user.target.wants/$unit.service ]] || fail "the package enabled $unit"
done
for p in /proc/[0-9]*; do
    [[ $(readlink "$p/root" 2>/dev/null) != "$trial" ]] || fail "installing the package left a process running: $(tr '\0' ' ' <"$p/cmdline")"
done
echo "state" > "$trial/var/lib/halte/halte.db"
in_root dpkg --purge halte >&2
for f in /usr/bin/halte /etc/halte/halte.yaml /etc/halte/hub.env /lib/systemd/system/halte-agent.service; do
    [[ ! -e $trial$f ]] || fail "purge left $f"
done
[[ -f $trial/var/lib/halte/halte.db ]] || fail "purge removed the state file"
echo "halte package test: $deb installs into a clean Debian, starts nothing, runs, and purges all but the state" >&2
