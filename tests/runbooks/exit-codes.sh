#!/usr/bin/env bash
# Look up one number and say what to do next, whichever way chimenum ends.
set -uo pipefail
id=${1:?usage: exit-codes.sh PHONE_NUMBER_ID}

status=$(chimenum get "$id" --json --max-attempts "${MAX_ATTEMPTS:-8}" | jq -r '.PhoneNumber.Status')
rc=${PIPESTATUS[0]}

case $rc in
  0) echo "$id: $status" ;;
  2) echo "$id: not a phone number id; fix the input" ;;
  3) echo "$id: not in this account; check the profile" ;;
  4) echo "$id: the service refused the request as malformed" ;;
  5 | 6) echo "$id: access denied; check the IAM policy allows chime:GetPhoneNumber" ;;
  7) echo "$id: still throttled after retries; try again later" ;;
  8 | 9) echo "$id: the Chime service is failing; check the AWS Health Dashboard" ;;
  10) echo "fix the AWS credentials or configuration first" ;;
  11) echo "cannot reach the Chime endpoint; check the network or proxy" ;;
  12) echo "$id: the service sent a malformed answer; rerun with --debug" ;;
  130) echo "interrupted" ;;
  *) echo "$id: unexpected failure (exit $rc)" ;;
esac
exit "$rc"
