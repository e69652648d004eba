#!/bin/sh
# One of the three Sentinels watching the group under MASTER_NAME (quorum 2). Host names
# throughout (resolve-hostnames, announce-hostnames): pod IPs change, DNS names do not.
set -eu
me="$(hostname).sentinel.$DOMAIN"
master="$(sh /scripts/find-master.sh)"
# Sentinel rewrites its config file, so it lives in the pod's emptyDir, not in the ConfigMap.
cat > /data/sentinel.conf <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $me
sentinel monitor $MASTER_NAME $master 6379 2
sentinel down-after-milliseconds $MASTER_NAME 5000
sentinel failover-timeout $MASTER_NAME 30000
sentinel parallel-syncs $MASTER_NAME 1
CONF
echo "sentinel: $me starting; master is $master"
exec redis-server /data/sentinel.conf --sentinel
