#!/usr/bin/env bash
# Debian packages the project needs beyond Python and npm: Pango and HarfBuzz for WeasyPrint's PDFs,
# Chromium for the browser tests (Playwright cannot download browsers here) and PgBouncer for
# its test. Installed only when missing; needs root (CI and these machines run as root).
set -euo pipefail

missing=()
# Read once: with pipefail, `ldconfig -p | grep -q` fails when grep stops reading early.
libs=$(ldconfig -p)
grep -q libpango-1.0 <<<"$libs" || missing+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
# HarfBuzz subsetting: without it WeasyPrint subsets fonts in Python (agendas twice as slow).
grep -q libharfbuzz-subset <<<"$libs" || missing+=(libharfbuzz-subset0)
for flag in "$@"; do
  case "$flag" in
    --browser) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
    # PgBouncer for the transaction-pooling test (tests/test_pgbouncer.py).
    --pgbouncer) command -v pgbouncer >/dev/null 2>&1 || [[ -x /usr/sbin/pgbouncer ]] ||
      missing+=(pgbouncer) ;;
  esac
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "Missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
