"""Locate the reference data folder that the navdata tests read, and skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["require_shared", "shared_data_dir"]


def shared_data_dir() -> Path:
    """Return ``$FPP_SHARED_DATA``, else the ``shared/data`` folder beside the repository."""
    configured = os.environ.get("FPP_SHARED_DATA")
    if configured:
        return Path(configured)
    repository = Path(__file__).resolve().parents[2]
    return (repository / ".." / "shared" / "data").resolve()


def require_shared(subfolder: str) -> Path:
    """Return ``subfolder`` of the reference data, or skip the calling test when it is absent."""
    folder = shared_data_dir() / subfolder
    if not folder.is_dir():
        pytest.skip(f"needs ../shared/data/{subfolder}: reference data not present")
    return folder
