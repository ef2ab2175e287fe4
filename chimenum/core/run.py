"""The run object: what every request of one run shares, built once.

A :class:`Run` holds the run's :class:`~chimenum.core.settings.Settings`, its botocore sessions
(models and credentials loaded once), its clients (one per API, region and pool size, endpoints
already resolved: a :class:`~chimenum.core.session.Sandbox` such as the demo is given to it as
plain data, never looked up) and one :class:`~chimenum.core.policy.RequestPolicy` and
:class:`~chimenum.core.policy.RateLimiter` per endpoint. An endpoint is what AWS throttles on its
own: a service in a region at a URL. One region answering ``ThrottledClientException`` slows
only the requests sent to it; every other region and API keeps its own pace.

:meth:`Run.stop` (Ctrl-C, SIGTERM) stops every policy: every wait of every endpoint ends at once.
A policy's own :meth:`~chimenum.core.policy.RequestPolicy.stop` (a batch abandoned at its
deadline) stops that policy alone, so a request the run still makes afterwards (the one-id hint
under the other API) is sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chimenum.core.apis import Api
from chimenum.core.policy import Backoff, RateLimiter, RequestPolicy
from chimenum.core.session import Sandbox, endpoint_configured, make_client
from chimenum.core.settings import CHIME_GLOBAL_REGION, Settings

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from chimenum.core.regions import Resolver

#: The most clients a run keeps (each holds a connection pool and a copy of the model's
#: handlers: about a third of a megabyte). Two APIs in every region a resource is searched in
#: (at most 64, :data:`chimenum.core.resources.MAX_REGIONS`) fit; past it, the client used least
#: recently is dropped (a worker using it keeps its own reference) and made again when asked.
MAX_CLIENTS = 160

#: What one rate limit is shared by: ``(service, region, endpoint URL)``.
EndpointKey = tuple[str, str, str]


def endpoint_of(client: Any) -> EndpointKey:
    meta = client.meta
    return (str(meta.service_model.service_name), str(meta.region_name), str(meta.endpoint_url))


class Run:
    """One run's sessions, clients and per-endpoint request policies.

    ``sleep`` and ``backoff`` are the policies' (a test injects them instead of waiting);
    ``resolve`` answers whether a host name exists, asked once for a configured region botocore
    does not list (:mod:`chimenum.core.regions`; default: the system's resolver).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sandbox: Sandbox | None = None,
        sleep: Callable[[float], object] | None = None,
        backoff: Backoff | None = None,
        resolve: Resolver | None = None,
        shared: dict[str, Any] | None = None,
        credentials: tuple[str, str, str] | None = None,
    ) -> None:
        self.settings = settings
        #: What this run shares with the other runs of an estate (the one data loader).
        self.shared = shared
        #: Credentials already had (an assumed role), instead of the profile's.
        self.credentials = credentials
        self._sts: BaseClient | None = None
        self.sandbox = sandbox
        self.sessions: dict[Any, Any] = {}
        self.stopped = False
        self._sleep = sleep
        self._backoff = backoff
        self._resolve = resolve
        self._region_checked = False
        # One lock for clients and policies: botocore sessions are not safe to share while a
        # client is being created, and creating one is rare.
        self._lock = threading.RLock()
        self._clients: dict[tuple[Api, str | None, int], BaseClient] = {}
        self._limiters: dict[EndpointKey, RateLimiter] = {}
        self._policies: dict[tuple[EndpointKey, int], RequestPolicy] = {}

    def client(
        self, api: Api | None = None, region: str | None = None, *, pool: int | None = None
    ) -> BaseClient:
        """The client for ``api`` (default: the run's) in ``region`` (default: the configured
        one); the same object each time it is asked for the same (among the :data:`MAX_CLIENTS`
        used most recently).

        An ``--endpoint-url`` names the endpoint of the run's own API, so the other API's
        client uses its own (``AWS_ENDPOINT_URL_CHIME_SDK_VOICE``, the profile, AWS's, the
        sandbox's). A Chime run with no region configured resolves voice resources in
        us-east-1, where the Chime API itself lives. ``pool``: connections kept open (default:
        the run's concurrency).
        """
        own = self.settings
        api = api or own.api
        size = pool or own.concurrency
        key = (api, region, size)
        with self._lock:
            found = self._clients.pop(key, None)
            if found is not None:
                self._clients[key] = found  # now the most recently used
            else:
                while len(self._clients) >= MAX_CLIENTS:
                    del self._clients[next(iter(self._clients))]
                check = region is None and not self._region_checked
                settings = replace(
                    own,
                    api=api,
                    region=region or own.region,
                    endpoint_url=own.endpoint_url if api == own.api else None,
                )
                found = self._clients[key] = make_client(
                    settings,
                    sandbox=self.sandbox,
                    max_pool_connections=size,
                    default_region=CHIME_GLOBAL_REGION if api != own.api else None,
                    sessions=self.sessions,
                    # The configured region, once: a region the service named is AWS's own.
                    resolve=self._resolver() if check else None,
                    shared=self.shared,
                    credentials=self.credentials,
                )
                self._region_checked = self._region_checked or check
            return found

    def sts(self) -> BaseClient:
        """An STS client with the run's credentials (the sandbox's STS for the demo), in the
        run's own region, made once. Its calls go through :mod:`chimenum.core.identity`."""
        own = self.client()
        with self._lock:
            if self._sts is None:
                from botocore.config import Config

                session = next(iter(self.sessions.values()))
                url = self.sandbox.urls.get("sts") if self.sandbox is not None else None
                config = Config(
                    retries={"mode": "standard", "total_max_attempts": 1},
                    connect_timeout=self.settings.connect_timeout,
                    read_timeout=self.settings.read_timeout,
                )
                kwargs: dict[str, Any] = {"endpoint_url": url} if url else {}
                self._sts = session.create_client(
                    "sts", region_name=own.meta.region_name, config=config, **kwargs
                )
                from chimenum.core import secrets

                secrets.watch_sts(self._sts)
            return self._sts

    def _resolver(self) -> Resolver:
        if self._resolve is not None:
            return self._resolve
        from chimenum.core.regions import host_resolves

        timeout = self.settings.connect_timeout
        return lambda host: host_resolves(host, timeout)

    def limiter(self, client: Any) -> RateLimiter:
        """The rate limiter of ``client``'s endpoint."""
        with self._lock:
            key = endpoint_of(client)
            found = self._limiters.get(key)
            if found is None:
                found = self._limiters[key] = RateLimiter()
            return found

    def policy(self, client: Any, max_attempts: int | None = None) -> RequestPolicy:
        """The request policy of ``client``'s endpoint: its rate limit and whether it answered
        yet, the run's backoff and stop; ``max_attempts`` tries (default: the run's)."""
        attempts = max_attempts or self.settings.max_attempts
        limiter = self.limiter(client)
        with self._lock:
            key = (endpoint_of(client), attempts)
            found = self._policies.get(key)
            if found is None:
                found = self._policies[key] = RequestPolicy(
                    str(client.meta.endpoint_url),
                    max_attempts=attempts,
                    backoff=self._backoff,
                    limiter=limiter,
                    sleep=self._sleep,
                )
                if self.stopped:
                    found.stop()
            return found

    def endpoint_configured(self, client: Any) -> bool:
        """Whether ``client`` talks to an endpoint someone configured rather than AWS's own."""
        if self.sandbox is not None:
            return True
        with self._lock:
            return endpoint_configured(client, self.sessions)

    def stop(self) -> None:
        """Abandon the run: every policy's waits end at once and no further request is sent."""
        with self._lock:
            self.stopped = True
            for policy in self._policies.values():
                policy.stop()
