#!/usr/bin/env bash
# Audit a list of phone numbers (one per line, # comments allowed) and report the ones that are
# not in the account. Exit 0: all present. Exit 1: some missing. Any other code: chimenum's.
set -uo pipefail
list=${1:?usage: audit-missing.sh FILE}

mapfile -t ids < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$list" | grep -v '^$')
if ((${#ids[@]} == 0)); then
  echo "no ids in $list" >&2
  exit 2
fi

# NDJSON: one object per id, the same shape whether one id or a thousand are asked for.
missing=$(chimenum get "${ids[@]}" -o ndjson --quiet |
  jq -r 'select(.ErrorCode == "NotFoundException") | .PhoneNumberId')
codes=("${PIPESTATUS[@]}")
# chimenum exits 3 when an id is missing: that is this audit's answer, not a failure.
if ((codes[0] != 0 && codes[0] != 3)); then
  echo "audit incomplete: chimenum exit ${codes[0]}" >&2
  exit "${codes[0]}"
fi

if [[ -z $missing ]]; then
  echo "all ${#ids[@]} numbers are in the account"
  exit 0
fi
count=$(wc -l <<<"$missing")
echo "$count of ${#ids[@]} numbers are missing:"
sed 's/^/  /' <<<"$missing"
exit 1
