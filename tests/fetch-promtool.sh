#!/bin/bash
# fetch-promtool.sh: makes Prometheus's promtool available to
# tests/metrics-promtool.sh without installing Prometheus.  Debian ships
# promtool only inside the "prometheus" package (19 MB to download, 96 MB
# installed, the server, a web UI's JavaScript libraries, a system user and
# a service that would be enabled): instead, that package is downloaded
# with "apt-get download" and only usr/bin/promtool (48 MB, a Go program
# that needs only libc) is kept, in .cache/promtool/ (ignored by git).
# Nothing is installed on the host.
#
# Usage: tests/fetch-promtool.sh      (root, or a cache already filled)
# Prints the path of the promtool binary.  Does nothing but print it when
# it is there already.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/.cache/promtool
current=$cache/current

if [ -x "$current/promtool" ]; then
    echo "$current/promtool"
    exit 0
fi

die() { echo "fetch-promtool: $*" >&2; exit 1; }
command -v apt-get >/dev/null || die "needs apt-get (Debian)"
[ "$(id -u)" = 0 ] || die "no promtool in $cache yet; run as root to fetch it"

version=$(apt-cache policy prometheus 2>/dev/null \
          | awk '/Candidate:/ {print $2}')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    apt-get update -q >/dev/null 2>&1 || true
    version=$(apt-cache policy prometheus 2>/dev/null \
              | awk '/Candidate:/ {print $2}')
fi
[ -n "$version" ] && [ "$version" != "(none)" ] \
    || die "apt-cache knows no prometheus package (check the apt sources)"

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get download writes into the current folder.
(cd "$tmp" && apt-get download -q "prometheus=$version" >download.log 2>&1) \
    || { cat "$tmp/download.log" >&2; die "apt-get download prometheus failed"; }
dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb \
    | tar -C "$tmp" -xf - ./usr/bin/promtool \
    || die "the prometheus package holds no usr/bin/promtool"
dir=$cache/$version
rm -rf "$dir"
mkdir -p "$dir"
mv "$tmp/usr/bin/promtool" "$dir/promtool"
"$dir/promtool" --version >/dev/null 2>&1 || die "$dir/promtool does not run"
ln -sfn "$version" "$current"
echo "fetch-promtool: unpacked promtool $version into $dir" >&2
echo "$current/promtool"
