#!/usr/bin/env bash
# Builds halte for one platform, and its Debian package:
#   scripts/build.sh [--arch arm64|armhf|amd64]    (default: this machine's)
# writes into dist/:
#   halte-device-<arch>, halte-full-<arch>   the bare binaries (stripped)
#   halte_<version>_<arch>.deb               arm64/armhf: the device build and the
#                                            agent's unit; amd64: the full build, and
#                                            the hub's unit too
# The build is reproducible: -trimpath, no build paths, the commit's date as
# the build date and the files' dates, the version in the Go build id. The
# version is VERSION's when the commit is tagged v<VERSION>, else
# <VERSION>~git<commit date>.<commit>. Installs with apt-get what it needs
# (Debian's cross compiler and the multiarch ALSA headers for arm64 and
# armhf), and nfpm with go install into ~/.cache/halte/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go

arch=$(dpkg --print-architecture)
while (($#)); do
    case $1 in
        --arch) arch=${2:?--arch needs arm64, armhf or amd64}; shift 2 ;;
        -h|--help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "halte build: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done
case $arch in
    amd64) goarch=amd64 triplet=x86_64-linux-gnu ;;
    arm64) goarch=arm64 triplet=aarch64-linux-gnu ;;
    armhf) goarch=arm triplet=arm-linux-gnueabihf ;;
    *) echo "halte build: --arch $arch: want arm64, armhf or amd64" >&2; exit 2 ;;
esac

if [[ $arch == "$(dpkg --print-architecture)" ]]; then
    need_packages gcc libasound2-dev pkg-config
    cc=gcc
else
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        echo "halte build: adding the Debian architecture $arch (multiarch)" >&2
        dpkg --add-architecture "$arch" && apt-get update -q >&2
    fi
    need_packages "gcc-$triplet" "libc6-dev-$arch-cross" "libasound2-dev:$arch" pkg-config
    cc=$triplet-gcc
    export PKG_CONFIG_LIBDIR=/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig
fi

commit=$(git rev-parse --short=12 HEAD)
epoch=$(git log -1 --format=%ct HEAD)
date=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
base=$(cat VERSION)
if [[ $(git tag --points-at HEAD) == *"v$base"* ]]; then
    version=$base
else
    version=$base~git$(date -u -d "@$epoch" +%Y%m%d%H%M%S).$commit
fi

mkdir -p dist
for build in device full; do
    tags=()
    [[ $build == device ]] && tags=(-tags device)
    out=dist/halte-$build-$arch
    echo "halte build: $out ($version)" >&2
    CGO_ENABLED=1 CC=$cc GOOS=linux GOARCH=$goarch GOARM=7 \
        go build "${tags[@]}" -trimpath -buildvcs=false \
        -ldflags "-s -w -buildid=halte-$version-$arch-$build -X main.version=$version -X main.commit=$commit -X main.date=$date" \
        -o "$out" ./cmd/halte
done

nfpm=${XDG_CACHE_HOME:-$HOME/.cache}/halte/bin/nfpm
if [[ ! -x $nfpm ]]; then
    echo "halte build: installing nfpm (go install) into ${nfpm%/*}" >&2
    GOBIN=${nfpm%/*} GOFLAGS= go install github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0
fi
config=$(mktemp --suffix=.yaml)
trap 'rm -f "$config"' EXIT
binary=dist/halte-device-$arch parts=(firmware/package/nfpm.yaml)
if [[ $arch == amd64 ]]; then
    binary=dist/halte-full-$arch parts+=(firmware/package/hub.yaml)
fi
cat "${parts[@]}" | sed -e "s|\${HALTE_ARCH}|$arch|g" -e "s|\${HALTE_VERSION}|$version|g" -e "s|\${HALTE_BINARY}|$binary|g" >"$config"
deb=dist/halte_${version}_$arch.deb
SOURCE_DATE_EPOCH=$epoch "$nfpm" package --config "$config" --packager deb --target "$deb" >&2
echo "$deb"
