"""The library: settings, sessions, ids, errors, the request policy, fetch, listing and waiting.

No click, no rich, never prints: it returns plain dicts and :class:`~chimenum.core.errors.Failure`
objects, so it can be used from Python without the CLI. botocore is imported inside functions,
so importing the core costs nothing until a request is made.
"""
