"""The script a user writes to list an account: a bare botocore ``ListPhoneNumbers`` loop.

Usage: python botocore_list.py ENDPOINT_URL [--fast-timestamps] > out.ndjson

``--fast-timestamps`` sets a faster timestamp parser through botocore's parser factory (what
the AWS CLI does with its own), instead of botocore's dateutil-based default: the yardstick
for what a faster parser alone gains.
"""

import datetime
import json
import sys

import botocore.session
from botocore.utils import parse_timestamp


def fast_timestamp(value):  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return parse_timestamp(value)


session = botocore.session.Session()
if "--fast-timestamps" in sys.argv[2:]:
    session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=fast_timestamp
    )
client = session.create_client("chime", region_name="us-east-1", endpoint_url=sys.argv[1])
params = {"MaxResults": 99}
write = sys.stdout.write
while True:
    page = client.list_phone_numbers(**params)
    for number in page["PhoneNumbers"]:
        write(json.dumps({"PhoneNumber": number}, default=str) + "\n")
    if not page.get("NextToken"):
        break
    params["NextToken"] = page["NextToken"]
