"""The AWS CLI as the tests' oracle: what `aws ...` prints for the same answers chimenum reads.

Named ``aws_cli`` rather than ``awscli``: the tests' folder is on ``sys.path``, and a module of that
name would shadow the installed awscli package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The AWS CLI v2 prints ISO 8601 timestamps by default; v1 (the one on PyPI) does with this.
ISO8601_CONFIG = "[default]\ncli_timestamp_format = iso8601\n"


def aws_executable() -> str:
    aws = Path(sys.executable).parent / "aws"
    found = str(aws) if aws.exists() else shutil.which("aws")
    assert found, "awscli is a test dependency"
    return found


def print_iso8601(aws_env: Path) -> None:
    """Make the AWS CLI print timestamps as v2 does (``aws_env``: the conftest fixture's folder)."""
    (aws_env / "aws-config").write_text(ISO8601_CONFIG)


def aws(*args: str, region: str = "us-east-1") -> subprocess.CompletedProcess[str]:
    """``aws ARGS --region REGION`` in the test's environment (endpoints, credentials, config)."""
    return subprocess.run(
        [aws_executable(), *args, "--region", region],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


def aws_json(*args: str, region: str = "us-east-1") -> Any:
    """The parsed JSON document ``aws ARGS --output json`` prints; it must succeed."""
    done = aws(*args, "--output", "json", region=region)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
