"""Structured logging: structlog and the standard library write one line per event.

structlog events are rendered by structlog alone and written straight to the
stream; standard-library records (uvicorn's, Modal's, other libraries') go
through one root handler that renders them the same way.

`configure_logging` may run any number of times, because uvicorn, the app
factory and Modal entry points can each call it. Every call replaces the
previous setup, so an event is never written twice.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

import structlog

if TYPE_CHECKING:
    from structlog.typing import Processor

    from .settings import LogFormat, LogLevel

_HANDLER_NAME = "structlog-stdout"


class _CurrentStdout:
    """A text stream that writes to whatever `sys.stdout` is when it writes.

    Test runners and process managers replace `sys.stdout` after start-up; a
    handler bound to the object seen at configuration time would miss that.
    """

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()

    def isatty(self) -> bool:
        return sys.stdout.isatty()


class _LineWriter:
    """The logger at the end of structlog's chain: writes each rendered event as a line.

    It carries the name given to `structlog.get_logger(name)`, which
    `add_logger_name` puts into the event. structlog calls the method named
    after the event's level, so every level name writes the same way.
    """

    def __init__(self, stream: TextIO | _CurrentStdout, name: str | None) -> None:
        self._stream = stream
        self.name = name

    def msg(self, message: str) -> None:
        # One write per line, so lines from several threads do not interleave.
        self._stream.write(message + "\n")
        self._stream.flush()

    debug = info = warning = warn = error = err = critical = fatal = exception = msg


class _LineWriterFactory:
    """Build a `_LineWriter` on `stream` for each `structlog.get_logger(name)`."""

    def __init__(self, stream: TextIO | _CurrentStdout) -> None:
        self._stream = stream

    def __call__(self, name: str | None = None, *_args: object) -> _LineWriter:
        return _LineWriter(self._stream, name)


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def _renderer(*, json_output: bool) -> list[Processor]:
    # Tracebacks leave out each frame's local variables, because they contain
    # request headers with the API key, request bodies and settings.
    if json_output:
        return [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(),
        ]
    return [
        structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    ]


def wants_json(log_format: LogFormat, stream: TextIO | _CurrentStdout) -> bool:
    """Return whether `log_format` resolves to JSON for `stream`."""
    if log_format == "auto":
        return not stream.isatty()
    return log_format == "json"


def configure_logging(
    log_format: LogFormat = "auto",
    level: LogLevel = "INFO",
    stream: TextIO | None = None,
) -> None:
    """Write structlog events and stdlib records to `stream` (stdout), one line each."""
    output: TextIO | _CurrentStdout = stream if stream is not None else _CurrentStdout()
    json_output = wants_json(log_format, output)
    shared = _shared_processors()
    renderer = _renderer(json_output=json_output)

    # Without caching, every call finds the configuration of the latest
    # `configure_logging`, including in loggers created before it.
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            *renderer,
        ],
        logger_factory=_LineWriterFactory(output),
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelName(level)
        ),
        cache_logger_on_first_use=False,
    )

    handler = logging.StreamHandler(output)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *renderer,
            ],
        )
    )

    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)

    # Uvicorn installs handlers of its own. Its events go through the root
    # handler instead, and the request middleware's completion line replaces
    # uvicorn's access log.
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    access_logger = logging.getLogger("uvicorn.access")
    access_logger.handlers.clear()
    access_logger.propagate = False
    access_logger.disabled = True
