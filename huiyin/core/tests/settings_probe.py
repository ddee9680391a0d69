"""Read the settings as a fresh process builds them from `env` (settings are read once at start-up)."""

from __future__ import annotations

import os
import subprocess
import sys


def settings_output(env: dict[str, str], statements: str) -> str:
    """Run `statements` (with `s` the loaded settings) in a new interpreter under `env` (HUIYIN_DEBUG=1
    unless given); its printed line, or the last line of the error it raised."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='huiyin.settings'; django.setup();"
        "from django.conf import settings as s;" + statements
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "HUIYIN_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or out.stderr.strip().splitlines()[-1]
