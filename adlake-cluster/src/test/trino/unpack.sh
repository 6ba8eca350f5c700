#!/bin/sh
# Unpacks the Trino server tarball for TrinoInteropTest: unpack.sh <tarball> <into> <directory name>.
# Once: a marker file makes later builds skip it. Only plugin/iceberg is kept (faster start); the tarball
# links plugin jars shared by several connectors as hard links, which survive removing the other plugins.
set -eu
tarball=$1 into=$2 name=$3
marker="$into/$name/.unpacked-from-$(basename "$tarball")"
[ -f "$marker" ] && exit 0
if [ ! -f "$tarball" ]; then
  echo "unpack.sh: $tarball is missing: the build resolves it (dependency:get) before this step" >&2
  exit 1
fi
rm -rf "${into:?}/$name"
mkdir -p "$into"
tar -xzf "$tarball" -C "$into"
find "$into/$name/plugin" -mindepth 1 -maxdepth 1 ! -name iceberg -exec rm -rf {} +
touch "$marker"
