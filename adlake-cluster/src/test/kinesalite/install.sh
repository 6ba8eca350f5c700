#!/bin/sh
# Installs the test Kinesis server (kinesalite, pinned by package-lock.json) into node_modules.
# Maven runs this in generate-test-resources. It does nothing when node_modules was installed from this
# very lock file, so builds after the first (and offline builds) skip npm. Without npm it only warns, so
# that builds which run no Kinesis test go on; the Kinesis tests then fail, naming what to install
# (`make test` checks for npm before Maven starts: bin/check-prerequisites).
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.adlake-package-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "kinesalite: node_modules is up to date"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "kinesalite: npm not found; the Kinesis tests will fail until Node.js with npm is installed (apt-get install nodejs npm)" >&2
  exit 0
fi
npm ci --no-audit --no-fund
cp package-lock.json "$stamp"
