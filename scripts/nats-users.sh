#!/usr/bin/env bash
# Adds or replaces a user of halte's NATS cluster, with the permissions of
# its role, the equivalent of firmware/mosquitto/halte.acl:
#
#   scripts/nats-users.sh --dir DIR --user NAME --role ROLE [--stop STOP]... \
#       [--password-file FILE]
#
# ROLE is hub, operator, instructor, app or device (a device needs its
# --stop ids; its user name is its device id). The password is read from
# FILE (default DIR/NAME.password), or made at random and written there
# (mode 0600) when FILE does not exist, so that a user's role or stops can
# change and its password stay; the users file keeps only its bcrypt hash. Each user is kept in DIR/users.d/NAME.conf,
# and DIR/halte-users.conf, which firmware/nats/halte.conf includes, is
# made again from them. Copy it to every node and reload them
# (nats-server --signal reload). No secret is printed.
set -euo pipefail
usage() { sed -n '2,17p' "$0" >&2; exit 2; }
dir= user= role= pwfile=
stops=()
while (($#)); do
    case $1 in
        --dir) dir=$2 ;; --user) user=$2 ;; --role) role=$2 ;; --stop) stops+=("$2") ;;
        --password-file) pwfile=$2 ;;
        -h|--help) usage ;;
        *) echo "nats-users: unknown argument $1" >&2; usage ;;
    esac
    shift 2
done
[[ -n $dir && -n $user && -n $role ]] || usage
[[ $user =~ ^[A-Za-z0-9_-]+$ ]] || { echo "nats-users: user name '$user' may hold only letters, digits, _ and -" >&2; exit 2; }
for s in "${stops[@]}"; do
    [[ $s =~ ^[A-Za-z0-9_-]+$ ]] || { echo "nats-users: '$s' is not a stop id NATS can name (letters, digits, _ and -)" >&2; exit 2; }
done
command -v htpasswd >/dev/null || { echo "nats-users: htpasswd is missing (apt-get install apache2-utils)" >&2; exit 1; }

# MQTT topics are NATS subjects with / as . and + as *. Every user may use
# the sync topics and read the hub's heartbeat; a QoS 1 subscription is
# delivered through $MQTT.sub.
common_pub='"halte.v1.sync.*"'
common_sub='"halte.v1.sync.*", "halte.v1.hub.status", "$MQTT.sub.>"'
case $role in
    hub) pub='"halte.v1.stops.*", "halte.v1.hub.status"'
         sub='"halte.v1.operator.alerts.*", "halte.v1.stops.*"' ;;
    operator) pub='"halte.v1.operator.alerts.*"'; sub='"halte.v1.operator.alerts.*", "halte.v1.devices.*.status"' ;;
    instructor) pub='"halte.v1.stops.*.trigger"'; sub='"halte.v1.stops.*", "halte.v1.devices.*.events"' ;;
    app) pub=''; sub='"halte.v1.stops.*", "halte.v1.devices.*.status"' ;;
    device)
        ((${#stops[@]})) || { echo "nats-users: a device needs its --stop ids" >&2; exit 2; }
        # A device's sync topic is its own client id's (halte-agent-ID).
        common_pub="\"halte.v1.sync.halte-agent-$user\""
        common_sub="\"halte.v1.sync.halte-agent-$user\", \"halte.v1.hub.status\", \"\$MQTT.sub.>\""
        pub="\"halte.v1.devices.$user.status\", \"halte.v1.devices.$user.events\""
        sub=$(for s in "${stops[@]}"; do printf '"halte.v1.stops.%s", "halte.v1.stops.%s.trigger", ' "$s" "$s"; done)
        sub=${sub%, } ;;
    *) echo "nats-users: unknown role '$role': want hub, operator, instructor, app or device" >&2; exit 2 ;;
esac

mkdir -p "$dir/users.d"
pwfile=${pwfile:-$dir/$user.password}
umask 077
[[ -s $pwfile ]] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$pwfile"
# NATS takes bcrypt hashes written $2a$; htpasswd writes the same hash as $2y$.
hash=$(htpasswd -inBC 10 "" < "$pwfile" | cut -d: -f2 | sed 's/^\$2y\$/$2a$/')
umask 022
cat > "$dir/users.d/$user.conf" <<CONF
  # $role${stops:+ for stop(s) ${stops[*]}}
  {user: "$user", password: "$hash", allowed_connection_types: ["MQTT"],
   permissions: {publish: [$common_pub${pub:+, $pub}], subscribe: [$common_sub, $sub]}}
CONF
{
    echo "# halte's NATS users, made by scripts/nats-users.sh from users.d: do not edit."
    echo "users = ["
    cat "$dir"/users.d/*.conf
    echo "]"
} > "$dir/halte-users.conf.new"
mv "$dir/halte-users.conf.new" "$dir/halte-users.conf"
echo "nats-users: $role $user in $dir/halte-users.conf, its password in $pwfile" >&2
