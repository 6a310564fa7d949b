#!/bin/sh
# Prints a boot marker and every NIC's name, MAC and IPv4 address to the serial console.
# The lab's boot tests read these lines from qemu's serial log.
out=/dev/ttyS0
nics() { for d in /sys/class/net/*; do n=${d##*/}; [ "$n" = lo ] || echo "$n"; done; }
has_ipv4() { ip -4 -o addr show scope global | grep -q .; }
i=0
while [ "$i" -lt 10 ] && ! has_ipv4; do sleep 1; i=$((i + 1)); done
{
  echo
  echo "OSM-GUEST-READY host=$(hostname) kernel=$(uname -r)"
  for n in $(nics); do
    mac=$(cat "/sys/class/net/$n/address")
    ipv4=$(ip -4 -o addr show dev "$n" scope global | awk '{print $4}' | tr '\n' ',' | sed 's/,$//')
    echo "OSM-GUEST-NIC name=$n mac=$mac ipv4=${ipv4:--}"
  done
  echo "OSM-GUEST-DONE"
} > "$out"
