"""The bench server's settings: the product's, with the floor views' URLs mounted beside its own."""

from lms_project.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
