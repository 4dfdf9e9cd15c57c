#!/usr/bin/env bash
# image.sh — build docker/Dockerfile with podman on a machine with no
# container registry: the base debian:trixie-slim is imported from a
# debootstrap (minbase) tarball, the build runs with --isolation chroot.
#
#   image.sh build    install podman if missing, import the base once, build csm:latest
#   image.sh base     only the base image
#   image.sh test     mount the built image and start its `csm serve` in a chroot
#                     against the toolbox Postgres/Redis until /health answers
#
# CSM_IMAGE names the image (csm:latest); CSM_IMAGE_CACHE keeps the base tarball
# (/var/cache/csm-image).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
image=${CSM_IMAGE:-localhost/csm:latest}
cache=${CSM_IMAGE_CACHE:-/var/cache/csm-image}
base=debian:trixie-slim

log() { printf '\033[1;35m[image]\033[0m %s\n' "$*" >&2; }

mirror() {
  local m
  m=$(grep -h -m1 -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
      | grep -v security | head -1 | awk '{print $2}')
  echo "${m:-http://deb.debian.org/debian}"
}

need_podman() {
  command -v podman >/dev/null && return
  log "installing podman on the host (apt-get install podman)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null
}

ensure_base() {
  need_podman
  if podman image exists "$base"; then return; fi
  command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq debootstrap >/dev/null; }
  mkdir -p "$cache"
  local tar="$cache/trixie-minbase.tar" dir="$cache/rootfs.tmp"
  if [ ! -s "$tar" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    log "debootstrap --variant=minbase trixie (from $(mirror))"
    debootstrap --variant=minbase trixie "$dir" "$(mirror)" >"$cache/debootstrap.log" 2>&1 \
      || { tail -20 "$cache/debootstrap.log"; exit 1; }
    # what debian:*-slim images do: no apt caches, no docs, no daemons started
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
    printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod +x "$dir/usr/sbin/policy-rc.d"
    tar -C "$dir" --numeric-owner -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$dir"
  fi
  log "podman import $tar as $base"
  podman import --change 'CMD ["bash"]' "$tar" "$base" >/dev/null
}

build() {
  ensure_base
  local t0=$SECONDS
  log "podman build --isolation chroot -f docker/Dockerfile -t $image"
  # the host's CA bundle, for the Go downloads of the build stage (HTTPS
  # may pass an inspecting proxy whose CA only the host trusts)
  local ca=()
  [ -s /etc/ssl/certs/ca-certificates.crt ] && ca=(--volume /etc/ssl/certs/ca-certificates.crt:/run/host-ca.crt:ro)
  podman build --isolation chroot --network host "${ca[@]}" -f "$here/docker/Dockerfile" -t "$image" "$here"
  log "built $image in $((SECONDS - t0)) s"
}

# test: the image's root filesystem is mounted and chrooted into (podman run
# does not work on these machines); its csm serve runs against the toolbox
# services on a database of its own (csm_image) until /health answers.
test_image() {
  need_podman
  podman image exists "$image" || { echo "no image $image: run make image first" >&2; exit 1; }
  "$here/scripts/toolbox.sh" services-up
  local pgport=${CSM_PG_PORT:-55432} redisport=${CSM_REDIS_PORT:-56379} port=${CSM_IMAGE_TEST_PORT:-28011}
  "$here/scripts/toolbox.sh" exec sh -c "psql -h 127.0.0.1 -p $pgport -U csm -d csm -qtc \"select 1 from pg_database where datname='csm_image'\" | grep -q 1 || createdb -h 127.0.0.1 -p $pgport -U csm csm_image"
  mnt=""
  mnt=$(podman image mount "$image")
  pid="" logf="" data=""
  logf=$(mktemp /tmp/csm-image-test.XXXXXX.log)
  data=$(mktemp -d /tmp/csm-image-data.XXXXXX)
  cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    for m in var/lib/csm tmp dev proc; do umount "$mnt/$m" 2>/dev/null || true; done
    podman image unmount "$image" >/dev/null 2>&1 || true
    rm -rf "$data"
  }
  trap cleanup EXIT
  # the image's root is mounted read-only: only its existing directories
  # get mounts (proc, dev, a tmpfs /tmp and a data dir of our own)
  mount -t proc proc "$mnt/proc"
  mount --bind /dev "$mnt/dev"
  mount -t tmpfs tmpfs "$mnt/tmp"
  local ids
  ids=$(awk -F: '$1=="csm"{print $3":"$4}' "$mnt/etc/passwd")
  [ -n "$ids" ] || { echo "no csm user in the image" >&2; exit 1; }
  chown "$ids" "$data"
  mount --bind "$data" "$mnt/var/lib/csm"
  log "chroot $mnt: csm serve as csm ($ids) on 127.0.0.1:$port (database csm_image)"
  local t0=$SECONDS
  chroot --userspec="$ids" "$mnt" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/var/lib/csm \
    CSM_DATA_DIR=/var/lib/csm CSM_MODELS_DIR=/opt/csm/models CSM_ADDR="127.0.0.1:$port" \
    CSM_DATABASE_URL="postgres://csm:csm@127.0.0.1:$pgport/csm_image?sslmode=disable" \
    CSM_REDIS_URL="redis://127.0.0.1:$redisport/0" CSM_RATELIMIT_PREFIX=csm-image:rl: CSM_REALTIME_PREFIX=csm-image:rt: \
    /usr/local/bin/csm serve >"$logf" 2>&1 &
  pid=$!
  local body=""
  for _ in $(seq 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "csm serve from the image exited:" >&2; tail -30 "$logf" >&2; exit 1
    fi
    body=$(curl -fsS "http://127.0.0.1:$port/health" 2>/dev/null) && break
    sleep 0.2
  done
  if [ -z "$body" ]; then echo "no /health answer within 120 s" >&2; tail -30 "$logf" >&2; exit 1; fi
  log "/health answered after $((SECONDS - t0)) s: $body"
  echo "$body" | grep -q '"ok"' || { echo "unexpected /health: $body" >&2; exit 1; }
  echo "image-test: ok"
}

cmd=${1:-build}
case "$cmd" in
  build) build ;;
  base) ensure_base ;;
  test) test_image ;;
  *) echo "usage: $0 build|base|test" >&2; exit 2 ;;
esac
