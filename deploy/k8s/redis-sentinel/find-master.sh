#!/bin/sh
# Prints the host name of the current Redis master: what the first Sentinel that answers says,
# or redis-0 when none does yet (a group starting for the first time).
for i in 0 1 2; do
  master="$(timeout 2 redis-cli -h "sentinel-$i.sentinel.$DOMAIN" -p 26379 --raw \
    sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | head -n 1 || true)"
  if [ -n "$master" ]; then
    echo "$master"
    exit 0
  fi
done
echo "redis-0.redis.$DOMAIN"
