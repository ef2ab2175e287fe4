#!/usr/bin/env bash
# Is this number in service and able to receive SMS?
# Exit 0: ready. Exit 1: not ready. Any other code: chimenum's, we could not tell.
set -uo pipefail
id=${1:?usage: sms-ready.sh PHONE_NUMBER_ID}

# Text output with --query: one line, tab-separated, ready for `read`.
line=$(chimenum get "$id" -o text --query 'PhoneNumber.[Status, Capabilities.InboundSMS]')
rc=$?
if ((rc != 0)); then
  echo "$id: could not check (chimenum exit $rc)"
  exit "$rc"
fi
IFS=$'\t' read -r status inbound_sms <<<"$line"

if [[ $status == Assigned && $inbound_sms == True ]]; then
  echo "$id: ready for SMS"
  exit 0
fi
echo "$id: NOT ready for SMS (status $status, inbound SMS $inbound_sms)"
exit 1
