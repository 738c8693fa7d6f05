"""Fixtures shared across the template's test modules."""

from __future__ import annotations

import pytest

from tests.projects import SyncedProjects


@pytest.fixture(scope="session")
def synced_projects(tmp_path_factory: pytest.TempPathFactory) -> SyncedProjects:
    """Provide the matrix renders of this worker, each rendered and synced once."""
    return SyncedProjects(tmp_path_factory.mktemp("matrix"))
