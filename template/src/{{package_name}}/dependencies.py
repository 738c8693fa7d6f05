"""FastAPI dependencies: the objects that the lifespan built, typed for the routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

if TYPE_CHECKING:
    from .backends import Backend
    from .jobs import JobService
    from .settings import Settings


@dataclass(frozen=True)
class Services:
    """Everything the routes use, built once per app by the lifespan."""

    settings: Settings
    backend: Backend
    jobs: JobService


def get_services(request: Request) -> Services:
    """Return the services that the lifespan stored on the app."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
