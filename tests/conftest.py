"""Fixtures shared by the execution tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import digests

REPRO_DATA = Path(__file__).parent / "data" / "repro"


@pytest.fixture
def repro_inputs_untouched() -> Iterator[None]:
    """Fails the test if it changed an input notebook or data file."""
    before = digests(REPRO_DATA)
    yield
    assert digests(REPRO_DATA) == before, "a test changed an input notebook or data file"


@pytest.fixture(scope="module")
def quiet_papermill() -> Iterator[None]:
    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)
