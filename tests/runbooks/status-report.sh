#!/usr/bin/env bash
# Count the numbers given on the command line by status, with `sort | uniq -c`; exit 1 if any
# is in a failed state. Ids that cannot be fetched are counted as "unknown".
set -uo pipefail
(($# > 0)) || { echo "usage: status-report.sh PHONE_NUMBER_ID..." >&2; exit 2; }

report=$(chimenum get "$@" -o ndjson --quiet |
  jq -r '[.PhoneNumber.E164PhoneNumber // .PhoneNumberId, .PhoneNumber.Status // "unknown"] | @tsv')
rc=${PIPESTATUS[0]}
case $rc in 0 | 3 | 4 | 7 | 8 | 9 | 12) ;; *) echo "report failed: chimenum exit $rc" >&2; exit "$rc" ;; esac

cut -f2 <<<"$report" | sort | uniq -c | sort -rn
failed=$(awk -F'\t' '$2 ~ /Failed$/ {print $1}' <<<"$report")
if [[ -n $failed ]]; then
  echo "in a failed state:" $failed
  exit 1
fi
