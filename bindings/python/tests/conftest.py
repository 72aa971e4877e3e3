"""Shared fixtures: where the conformance vectors are."""

import os
import pathlib

import pytest

#: conformance/vectors of this repository, or IKD_VECTORS.
VECTORS = pathlib.Path(
    os.environ.get(
        "IKD_VECTORS",
        pathlib.Path(__file__).resolve().parents[3] / "conformance" / "vectors",
    )
)


@pytest.fixture
def vectors_dir() -> pathlib.Path:
    return VECTORS
