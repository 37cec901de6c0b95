#!/usr/bin/env bash
# report.html in a real browser: headless Chromium (installed from the distribution's packages
# when missing) loads the reports of a run of bpos-2011 and of tenant-to-tenant, a comparison, a
# two-key sweep (with a --precision target its cells miss), a sensitivity study, a selection and a seek, and check_report.py checks each: no
# console error, no request outside the file, every chart drawn with a non-zero size, a screenshot
# that is not blank, a PDF on A4 and on Letter, and on a phone a page that does not scroll sideways
# with every chart wide enough to read. Screenshots go to target/browser/*.png (and *-phone.png); docs/img/report.png
# is a copy of target/browser/run.png. When Chromium will not start, the check prints what it
# wrote and the machine's limits and stops; under a hard address-space cap below what Chromium
# reserves (about 96 GiB), no browser can run and the check says so and is not run.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is not installed; install it (apt-get install chromium) or run as root" >&2
    exit 2
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

cargo build --locked --release --quiet
bin=target/release/cutover
out=target/browser
rm -rf "$out"
mkdir -p "$out"
"$bin" run bpos-2011 --reps 3 --out "$out/run" --quiet
"$bin" run tenant-to-tenant --reps 2 --out "$out/tenant-to-tenant" --quiet
"$bin" compare small-pilot --policies fifo,smallest-first,largest-first --reps 3 --out "$out/compare" --quiet
"$bin" sweep small-pilot --set 'sweep.operators.weekend=[2, 8]' --set 'sweep.helpdesk.weekday=[1, 4]' \
  --reps 2 --precision errors=0.001 --out "$out/sweep" --quiet
"$bin" sensitivity small-pilot --vary operators.weekend=1..6 --vary helpdesk.weekday=1..4 --samples 3 \
  --reps 2 --out "$out/sensitivity" --quiet
"$bin" select small-pilot --policies fifo,smallest-first --metric slips --delta 0.5 --out "$out/select" --quiet
"$bin" seek small-pilot --vary helpdesk.weekday=1..3 --require 'mean(slips) <= 3' --out "$out/seek" --quiet

status=0
for kind in run tenant-to-tenant compare sweep sensitivity select seek; do
  charts=$(find "$out/$kind" -path '*/charts/*.svg' | wc -l)
  code=0
  python3 tests/browser/check_report.py "$out/$kind/report.html" "$out/$kind.png" "$charts" || code=$?
  case $code in
    0) ;;
    1) status=1 ;;
    # No browser can run under this machine's hard address-space limit: said, and not a failure
    # of the report. Any other start failure is one, and the other folders would only repeat it.
    4) echo "browser check not run on this machine (see above)" >&2; exit 0 ;;
    *) exit 1 ;;
  esac
done
exit $status
