"""The near-limit yardstick: one botocore client, its pool sized to a thread pool, in order.

Usage: python botocore_pool.py ENDPOINT_URL IDS_FILE CONCURRENCY > out.ndjson
Errors are written as error lines (botocore's own retries, standard mode), nothing is retried here.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import botocore.session
from botocore.config import Config

concurrency = int(sys.argv[3])
client = botocore.session.Session().create_client(
    "chime",
    region_name="us-east-1",
    endpoint_url=sys.argv[1],
    config=Config(max_pool_connections=concurrency, retries={"mode": "standard"}),
)


def fetch(phone_number_id: str) -> str:
    try:
        number = client.get_phone_number(PhoneNumberId=phone_number_id)["PhoneNumber"]
    except client.exceptions.ClientError as exc:
        return json.dumps(
            {"PhoneNumberId": phone_number_id, "ErrorCode": exc.response["Error"]["Code"]}
        )
    return json.dumps({"PhoneNumber": number}, default=str)


with open(sys.argv[2]) as ids:  # noqa: PTH123
    wanted = [line.strip() for line in ids]
with ThreadPoolExecutor(concurrency) as pool:
    for line in pool.map(fetch, wanted):
        sys.stdout.write(line + "\n")
