#!/bin/sh
# Generates configure and Makefile.in (as OVS's boot.sh does).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
