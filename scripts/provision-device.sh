#!/usr/bin/env bash
# Makes a stop device's credentials and configuration.
#
#   scripts/provision-device.sh --device ID --stop STOP [--stop STOP]... --broker URL [--broker URL]... \
#       --hub-key HUB.pub --ca CA.crt (--passwd PASSWD --acl ACL | --nats DIR) --out DIR \
#       [--ca-key CA.key] [--etc /etc/halte]
#
# It writes into DIR what goes onto the device (as --etc, default /etc/halte):
#   halte.yaml   the agent's configuration (broker, device, stops, keys, TLS)
#   password     a new random broker password (mode 0600)
#   hub.pub, ca.crt   copies of the hub's public key and the broker's CA
#   device.crt, device.key   a client certificate named ID, with --ca-key
# and on the broker side adds the device to PASSWD (mosquitto_passwd) and
# its block to ACL: read its stops' documents and triggers, nothing else;
# or, on a NATS cluster, the same permissions as a NATS user in
# DIR/halte-users.conf (scripts/nats-users.sh; reload the nodes after).
# Each --broker is a node of a clustered broker (the device tries them all, in an order of its own).
# No secret is printed; nothing is written in the repository.
set -euo pipefail
usage() { sed -n '2,19p' "$0" >&2; exit 2; }
device= hubkey= ca= cakey= passwd= acl= nats= out= etc=/etc/halte
stops=() brokers=()
while (($#)); do
    case $1 in
        --device) device=$2 ;; --stop) stops+=("$2") ;; --broker) brokers+=("$2") ;;
        --hub-key) hubkey=$2 ;; --ca) ca=$2 ;; --ca-key) cakey=$2 ;;
        --passwd) passwd=$2 ;; --acl) acl=$2 ;; --nats) nats=$2 ;; --out) out=$2 ;; --etc) etc=$2 ;;
        -h|--help) usage ;;
        *) echo "provision-device: unknown argument $1" >&2; usage ;;
    esac
    shift 2
done
[[ -n $device && ${#stops[@]} -gt 0 && ${#brokers[@]} -gt 0 && -n $hubkey && -n $ca && -n $out ]] || usage
[[ -n $nats || ( -n $passwd && -n $acl ) ]] || usage
[[ $device =~ ^[A-Za-z0-9._-]+$ ]] || { echo "provision-device: device id '$device' may hold only letters, digits, . _ -" >&2; exit 2; }
for s in "${stops[@]}"; do
    [[ $s =~ ^[^/+#[:space:]]+$ ]] || { echo "provision-device: '$s' is not a stop id" >&2; exit 2; }
done

mkdir -p "$out"
umask 077
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$out/password"
umask 022
if [[ -n $nats ]]; then
    stop_args=()
    for s in "${stops[@]}"; do stop_args+=(--stop "$s"); done
    "$(dirname "$0")/nats-users.sh" --dir "$nats" --user "$device" --role device "${stop_args[@]}" --password-file "$out/password"
    where="$nats/halte-users.conf"
else
    command -v mosquitto_passwd >/dev/null || { echo "provision-device: mosquitto_passwd is missing (apt-get install mosquitto)" >&2; exit 1; }
    if [[ -f $passwd ]]; then
        mosquitto_passwd -b "$passwd" "$device" "$(cat "$out/password")"
    else
        mosquitto_passwd -c -b "$passwd" "$device" "$(cat "$out/password")"
    fi
    {
        echo
        echo "user $device"
        for s in "${stops[@]}"; do
            echo "topic read halte/v1/stops/$s"
            echo "topic read halte/v1/stops/$s/trigger"
        done
    } >> "$acl"
    where="$passwd and $acl"
fi
cp "$hubkey" "$out/hub.pub"
cp "$ca" "$out/ca.crt"
tls_client=""
if [[ -n $cakey ]]; then
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$device" \
        -keyout "$out/device.key" -out "$out/device.csr" 2>/dev/null
    openssl x509 -req -in "$out/device.csr" -CA "$ca" -CAkey "$cakey" -CAcreateserial -days 825 \
        -out "$out/device.crt" 2>/dev/null
    rm -f "$out/device.csr"
    chmod 600 "$out/device.key"
    tls_client="  cert: $etc/device.crt
  key: $etc/device.key"
fi
stop_list=$(printf '"%s", ' "${stops[@]}")
broker_list=$(printf '"%s", ' "${brokers[@]}")
cat > "$out/halte.yaml" <<YAML
# halte stop device $device, made by provision-device.sh
broker: [${broker_list%, }]
device: $device
stops: [${stop_list%, }]
username: $device
password_file: $etc/password
tls:
  ca: $etc/ca.crt
$tls_client
hub_keys: [$etc/hub.pub]
state_dir: /var/lib/halte
YAML
echo "provision-device: device $device for stop(s) ${stops[*]}: configuration in $out, credentials added to $where" >&2
