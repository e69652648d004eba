#!/bin/sh
# One Redis of the Sentinel group: the master if the Sentinels (or, at first start, the
# ordinal) say so, else a replica of it. It announces its stable DNS name, not its pod IP, so
# the Sentinels and the lab reach it by name after a restart.
set -eu
me="$(hostname).redis.$DOMAIN"
master="$(sh /scripts/find-master.sh)"
# AOF on and no RDB snapshots, as compose runs it; no password inside the namespace, as in
# compose, so protected mode would refuse the other pods.
set -- --port 6379 --dir /data --appendonly yes --save '' --protected-mode no --replica-announce-ip "$me"
if [ "$master" != "$me" ]; then
  set -- "$@" --replicaof "$master" 6379
fi
echo "redis: $me starting; master is $master"
exec redis-server "$@"
