#!/usr/bin/env bash
# Audit a list of phone numbers (one per line, # comments allowed) and report the ones that are
# not in the account. Exit 0: all present. Exit 1: some missing. Any other code: chimenum's.
set -uo pipefail
list=${1:?usage: audit-missing.sh FILE}

# NDJSON: one object per id, the same shape whether the list holds one id or a thousand.
results=$(chimenum get --from-file "$list" -o ndjson --quiet)
rc=$?
# chimenum exits 3 when an id is missing: that is this audit's answer, not a failure.
if ((rc != 0 && rc != 3)); then
  echo "audit incomplete: chimenum exit $rc" >&2
  exit "$rc"
fi

total=$(jq -s 'length' <<<"$results")
if ((total == 0)); then
  echo "no ids in $list" >&2
  exit 2
fi
missing=$(jq -r 'select(.ErrorCode == "NotFoundException") | .PhoneNumberId' <<<"$results")
if [[ -z $missing ]]; then
  echo "all $total numbers are in the account"
  exit 0
fi
echo "$(wc -l <<<"$missing") of $total numbers are missing:"
sed 's/^/  /' <<<"$missing"
exit 1
