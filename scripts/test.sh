#!/bin/sh
# The whole test suite, from a fresh Debian machine with Node.js: installs what it needs, builds, checks
# formatting and lint, then runs unit, integration and end-to-end tests.
set -eu
cd "$(dirname "$0")/.."

. scripts/install-system-packages.sh
# The tests of network namespaces and containerd must run here, not skip.
export KATES_SYSTEM_TESTS=required

npm ci --no-audit --no-fund
npm run build
npm run format:check
npm run lint
npm run test:unit
npm run test:e2e
