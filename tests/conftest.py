"""Shared test configuration: hypothesis profiles and the GPU marker.

Profiles: ``default`` is derandomized and small enough for CI; ``thorough`` (``make test-thorough``,
or ``OPTLAB_PROFILE=thorough``) draws many more examples with fresh randomness.
"""
import os

import pytest
from hypothesis import HealthCheck, settings

# tests/fake_cupy is a stand-in CuPy for subprocesses only: collecting it (doctests) would import it as
# `cupy` into this process and hide the real CuPy, and with it every GPU test, on a GPU machine.
collect_ignore = ["fake_cupy"]

settings.register_profile(
    "default", max_examples=25, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("OPTLAB_PROFILE", "default"))


def _has_gpu():
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    if _has_gpu():
        return
    skip = pytest.mark.skip(reason="needs CuPy and an NVIDIA GPU")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
