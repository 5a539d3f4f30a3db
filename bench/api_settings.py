"""The product's settings with the benchmark's URLconf: the real API plus the floor views beside it."""

from orderflow.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_floor"
