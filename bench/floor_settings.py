"""The framework's floor: the production settings and middleware, one view (bench/run.py)."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
