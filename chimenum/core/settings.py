"""Settings, and every default in one place: timeouts, attempts, concurrency, the global region.

The click side shows these defaults in its help and uses them as option defaults; nothing else
types them again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from chimenum.core.apis import SERVICE_NAMES, Api

#: Amazon Chime has a single global endpoint, signed for us-east-1, whatever region is set.
CHIME_GLOBAL_REGION = "us-east-1"

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 15.0
#: Seconds the credential chain (a ``credential_process``, SSO, assume-role) may take;
#: ``$CHIMENUM_CREDENTIALS_TIMEOUT`` overrides it. Long enough to type an MFA code.
DEFAULT_CREDENTIALS_TIMEOUT = 60.0
#: Requests in flight at once for a batch (get, wait).
DEFAULT_CONCURRENCY = 16
#: Tries per request when throttled or the service fails.
DEFAULT_MAX_ATTEMPTS = 8


@dataclass
class Settings:
    """Everything the user said about where and how to reach AWS."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    api: Api = "chime"
    debug: bool = False
    demo: bool = False
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    credentials_timeout: float = DEFAULT_CREDENTIALS_TIMEOUT

    @property
    def service_name(self) -> str:
        return SERVICE_NAMES[self.api]


def resolve_region(settings: Settings, config_region: str | None) -> str | None:
    """Pick the region the way the AWS CLI v2 does (botocore alone ignores ``AWS_REGION``)."""
    return (
        settings.region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or config_region
    )
