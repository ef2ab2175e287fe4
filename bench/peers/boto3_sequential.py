"""The quick script a user writes: boto3, one client, one id after another.

Usage: python boto3_sequential.py ENDPOINT_URL IDS_FILE > out.ndjson
"""

import json
import sys

import boto3

client = boto3.client("chime", region_name="us-east-1", endpoint_url=sys.argv[1])
with open(sys.argv[2]) as ids:  # noqa: PTH123
    for line in ids:
        number = client.get_phone_number(PhoneNumberId=line.strip())["PhoneNumber"]
        sys.stdout.write(json.dumps({"PhoneNumber": number}, default=str) + "\n")
