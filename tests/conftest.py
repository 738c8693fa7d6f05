"""Fixtures shared across the template's test modules."""

from __future__ import annotations

import pytest

from tests.projects import SyncedProjects
from tests.template_history import TemplateHistory, build_template_history


@pytest.fixture(scope="session")
def synced_projects(tmp_path_factory: pytest.TempPathFactory) -> SyncedProjects:
    """Provide the matrix renders of this worker, each rendered and synced once."""
    return SyncedProjects(tmp_path_factory.mktemp("matrix"))


@pytest.fixture(scope="session")
def template_history(tmp_path_factory: pytest.TempPathFactory) -> TemplateHistory:
    """Provide the tagged template history of this worker, built once."""
    return build_template_history(tmp_path_factory.mktemp("history") / "template")
