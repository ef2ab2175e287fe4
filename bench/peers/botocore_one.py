"""The floor for one id: import botocore, make the client, do the one fetch, print it.

Usage: python botocore_one.py ENDPOINT_URL PHONE_NUMBER_ID
"""

import json
import sys

import botocore.session

client = botocore.session.Session().create_client(
    "chime", region_name="us-east-1", endpoint_url=sys.argv[1]
)
answer = client.get_phone_number(PhoneNumberId=sys.argv[2])
sys.stdout.write(json.dumps({"PhoneNumber": answer["PhoneNumber"]}, default=str, indent=4) + "\n")
