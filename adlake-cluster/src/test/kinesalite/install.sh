#!/bin/sh
# Installs the test Kinesis server (kinesalite, pinned by package-lock.json) into node_modules.
# Maven runs this in generate-test-resources. It does nothing when node_modules was installed from this
# very lock file, so builds after the first (and offline builds) skip npm. Without npm it only warns:
# the Kinesis tests then report themselves skipped, naming the reason.
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.adlake-package-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "kinesalite: node_modules is up to date"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "kinesalite: npm not found; the Kinesis tests will be skipped" >&2
  exit 0
fi
npm ci --no-audit --no-fund
cp package-lock.json "$stamp"
