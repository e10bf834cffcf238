# Shared by halte's scripts: installing what they need, with apt, saying so.

# need_packages PKG...: installs the Debian packages that are missing.
need_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    echo "halte: installing Debian packages: ${missing[*]}" >&2
    local sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    local apt=("${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}")
    "${apt[@]}" >&2 || { "${sudo[@]}" apt-get update -q >&2 && "${apt[@]}" >&2; }
}

# need_go: checks that Go 1.26 or newer is on PATH (or in /usr/local/go).
need_go() {
    if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
        export PATH=$PATH:/usr/local/go/bin
    fi
    if ! command -v go >/dev/null; then
        echo "halte: Go is not installed; install Go 1.26 or newer from https://go.dev/dl/" >&2
        return 1
    fi
}

# machine: one line that says what a figure was measured on.
machine() {
    echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem:/ {print $2}') GiB"
}
