#!/usr/bin/env bash
# toolbox.sh — a Debian 13 (trixie) root filesystem with the project's native stack
# (OpenCV, Tesseract, ONNX Runtime, PostgreSQL 17 + pgvector, Redis, Chromium), kept
# outside the checkout and rebuilt only when docker/packages.txt changes.
#
#   toolbox.sh ensure          build the rootfs if missing, mount what it needs
#   toolbox.sh exec CMD...     run CMD inside it, in the same working directory
#   toolbox.sh root            print the rootfs path
#   toolbox.sh services-up     start Postgres and Redis (idempotent)
#   toolbox.sh services-down   stop them
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
pkgfile="$here/docker/packages.txt"
hash=$(grep -v '^\s*#' "$pkgfile" | sed '/^\s*$/d' | sort | sha256sum | cut -c1-12)
base=${CSM_TOOLBOX_DIR:-/var/cache/csm-toolbox}
root="$base/trixie-$hash"
goroot=$(go env GOROOT 2>/dev/null || echo /usr/local/go)
gomodcache=$(go env GOMODCACHE 2>/dev/null || echo /root/go/pkg/mod)
gocache=$(go env GOCACHE 2>/dev/null || echo /root/.cache/go-build)
PGPORT=${CSM_PG_PORT:-55432}
REDISPORT=${CSM_REDIS_PORT:-56379}

log() { printf '\033[1;34m[toolbox]\033[0m %s\n' "$*" >&2; }

mirror() {
  local m
  m=$(grep -h -m1 -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
      | grep -v security | head -1 | awk '{print ($1=="deb") ? $2 : $2}')
  echo "${m:-http://deb.debian.org/debian}"
}

build() {
  if [ -f "$root/.csm-ready" ]; then return; fi
  command -v debootstrap >/dev/null || { log "installing debootstrap on the host"; apt-get update -qq; apt-get install -y -qq debootstrap >/dev/null; }
  local tmp="$root.tmp"
  umount_all "$tmp" || true
  rm -rf "$tmp"; mkdir -p "$tmp"
  log "debootstrap trixie into $tmp (from $(mirror))"
  debootstrap --variant=minbase trixie "$tmp" "$(mirror)" >"$base/debootstrap.log" 2>&1 || { tail -20 "$base/debootstrap.log"; exit 1; }
  chmod 1777 "$tmp/tmp"
  mount_all "$tmp"
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"; chmod +x "$tmp/usr/sbin/policy-rc.d"
  log "apt-get install $(grep -v '^\s*#' "$pkgfile" | sed '/^\s*$/d' | wc -l) packages"
  chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $(grep -v '^\s*#' "$pkgfile" | sed '/^\s*$/d' | tr '\n' ' ') >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }; apt-get clean"
  umount_all "$tmp"
  touch "$tmp/.csm-ready"
  mv "$tmp" "$root"
  log "rootfs ready: $root"
}

bind() { # src dst
  mkdir -p "$2"
  # a bind left from before src was replaced (a remounted folder) is stale:
  # it still shows the old directory, so bind again
  if mountpoint -q "$2" && [ "$(stat -c %d:%i "$1")" != "$(stat -c %d:%i "$2")" ]; then
    umount -l "$2" || true
  fi
  mountpoint -q "$2" || mount --bind "$1" "$2"
}

mount_all() {
  local r=$1
  mkdir -p "$r/proc" "$r/dev" "$r/sys"
  mountpoint -q "$r/proc" || mount -t proc proc "$r/proc"
  bind /dev "$r/dev"
  mountpoint -q "$r/dev/pts" || mount --bind /dev/pts "$r/dev/pts" 2>/dev/null || true
  mkdir -p "$r/dev/shm"
  mountpoint -q "$r/dev/shm" || mount -t tmpfs -o size=2g tmpfs "$r/dev/shm" 2>/dev/null || true
  mountpoint -q "$r/sys" || mount --bind /sys "$r/sys" 2>/dev/null || true
  cp -f /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
}

umount_all() {
  local r=$1 m
  [ -d "$r" ] || return 0
  for m in $(grep " $r/" /proc/mounts | awk '{print $2}' | sort -r); do umount -l "$m" 2>/dev/null || true; done
}

ensure() {
  build
  mount_all "$root"
  bind "$goroot" "$root/usr/local/go"
  mkdir -p "$gomodcache" "$gocache"
  bind "$gomodcache" "$root/gomod"
  bind "$gocache" "$root/gocache"
  bind "$here" "$root$here"
  # the shared datasets beside the checkout, and any CSM_BIND paths (colon
  # separated, e.g. a DATASETS folder), appear at the same path inside
  local extra p
  extra="${CSM_BIND:-}"
  [ -d "$here/../shared" ] && extra="$(cd "$here/../shared" && pwd):$extra"
  IFS=: read -ra paths <<<"$extra"
  for p in "${paths[@]}"; do
    [ -n "$p" ] && [ -e "$p" ] && bind "$p" "$root$p"
  done
  chmod 1777 "$root/tmp"
}

run_in() { # run a command in the rootfs, cwd = current dir when inside the checkout
  local cwd=$PWD
  case "$cwd" in "$here"*) ;; *) cwd=$here ;; esac
  local passenv=()
  while IFS= read -r kv; do passenv+=("$kv"); done < <(env | grep -E '^(CSM_|CORS_EXTRA_ORIGINS=|SESSION_SECRET=|GOTOOLCHAIN=|OPENBLAS_)' || true)
  chroot "$root" /usr/bin/env -i "${passenv[@]}" \
    HOME=/root PATH=/usr/local/go/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOMODCACHE=/gomod GOCACHE=/gocache GOFLAGS="-mod=mod -buildvcs=false" GOPROXY=off GOTOOLCHAIN=local \
    GONOSUMDB='*' GONOSUMCHECK=1 GOSUMDB=off CGO_ENABLED=1 \
    CSM_DATABASE_URL="${CSM_DATABASE_URL:-postgres://csm:csm@127.0.0.1:$PGPORT/csm?sslmode=disable}" \
    CSM_REDIS_ADDR="${CSM_REDIS_ADDR:-127.0.0.1:$REDISPORT}" \
    CSM_DATA_DIR="${CSM_DATA_DIR:-}" CSM_SHARED_DATASETS="${CSM_SHARED_DATASETS:-}" CI="${CI:-}" \
    CSM_ADDR="${CSM_ADDR:-}" CSM_BENCH_POINTS="${CSM_BENCH_POINTS:-}" TERM="${TERM:-dumb}" \
    sh -c 'cd "$0" && exec "$@"' "$cwd" "$@"
}

services_up() {
  local pgdata=/var/lib/csm/pg
  if ! run_in sh -c "pg_isready -q -h 127.0.0.1 -p $PGPORT" 2>/dev/null; then
    if [ ! -f "$root$pgdata/PG_VERSION" ]; then
      log "initdb $pgdata"
      mkdir -p "$root$pgdata"; chroot "$root" chown -R postgres:postgres /var/lib/csm
      chroot "$root" su postgres -s /bin/sh -c "/usr/lib/postgresql/17/bin/initdb -D $pgdata -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/tmp/initdb.log"
      cat >>"$root$pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '/tmp'
max_connections = 200
shared_buffers = 1GB
work_mem = 32MB
maintenance_work_mem = 1GB
max_wal_size = 8GB
synchronous_commit = off
fsync = off
full_page_writes = off
CONF
    fi
    log "starting postgres on 127.0.0.1:$PGPORT"
    chroot "$root" su postgres -s /bin/sh -c "/usr/lib/postgresql/17/bin/pg_ctl -D $pgdata -l /var/lib/csm/pg.log -w start >/dev/null"
    chroot "$root" su postgres -s /bin/sh -c "psql -h /tmp -p $PGPORT -qtc \"select 1 from pg_roles where rolname='csm'\" | grep -q 1 || psql -h /tmp -p $PGPORT -qc \"create role csm login superuser password 'csm'\"; psql -h /tmp -p $PGPORT -lqt | cut -d'|' -f1 | grep -qw csm || createdb -h /tmp -p $PGPORT -O csm csm"
  fi
  if ! run_in sh -c "redis-cli -p $REDISPORT ping" >/dev/null 2>&1; then
    # AOF on (fsync every second): queued scans and rate-limit counters
    # survive a restart of Redis
    log "starting redis on 127.0.0.1:$REDISPORT (AOF in /var/lib/csm/redis)"
    mkdir -p "$root/var/lib/csm/redis"
    chroot "$root" redis-server --bind 127.0.0.1 --port "$REDISPORT" --daemonize yes --save '' \
      --appendonly yes --appendfsync everysec --dir /var/lib/csm/redis --logfile /tmp/redis.log
    for _ in $(seq 50); do run_in sh -c "redis-cli -p $REDISPORT ping" >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

services_down() {
  chroot "$root" su postgres -s /bin/sh -c "/usr/lib/postgresql/17/bin/pg_ctl -D /var/lib/csm/pg -m fast stop" >/dev/null 2>&1 || true
  run_in sh -c "redis-cli -p $REDISPORT shutdown" >/dev/null 2>&1 || true
}

cmd=${1:-ensure}; shift || true
case "$cmd" in
  ensure) ensure ;;
  root) echo "$root" ;;
  exec) ensure; run_in "$@" ;;
  services-up) ensure; services_up ;;
  services-down) services_down ;;
  *) echo "usage: $0 ensure|root|exec CMD...|services-up|services-down" >&2; exit 2 ;;
esac
