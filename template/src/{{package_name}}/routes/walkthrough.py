"""Step records shared by the walk-through routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog
from pydantic import BaseModel

if TYPE_CHECKING:
    from collections.abc import Awaitable

log = structlog.get_logger(__name__)


class Step(BaseModel):
    """One call of a walk-through: the operation, its arguments, and its outcome."""

    operation: str
    args: list[Any]
    result: Any = None
    raised: str | None = None


class Walkthrough(BaseModel):
    """Every step of a walk-through, in order."""

    steps: list[Step]


class StepRecorder:
    """Run walk-through calls in order, logging each one as `event`."""

    def __init__(self, event: str) -> None:
        self.event = event
        self.steps: list[Step] = []

    async def call(
        self,
        operation: str,
        args: list[Any],
        call: Awaitable[Any],
        *,
        expected_errors: tuple[type[Exception], ...] = (),
    ) -> Any:
        """Await `call` and record its result, or the expected error it raised."""
        try:
            result = await call
        except expected_errors as exc:
            self._append(
                Step(operation=operation, args=args, raised=type(exc).__name__)
            )
            return None
        self._append(Step(operation=operation, args=args, result=result))
        return result

    def walkthrough(self) -> Walkthrough:
        """Return the steps recorded so far."""
        return Walkthrough(steps=self.steps)

    def _append(self, step: Step) -> None:
        self.steps.append(step)
        log.info(
            self.event,
            step=len(self.steps),
            operation=step.operation,
            args=step.args,
            result=step.result,
            raised=step.raised,
        )
