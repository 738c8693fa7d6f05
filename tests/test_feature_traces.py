"""Check that a feature that is off leaves no trace in the rendered project.

Each render turns features off and scans every text file of the output for the
marker words of those features: names of routes, modules, settings, doubles and
Modal objects, and phrases of the docs that only the feature explains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
import yaml

from tests.rendering import render

if TYPE_CHECKING:
    from pathlib import Path

# Every test here renders only, with no uv sync, so one worker runs them all and
# renders each combination once.
pytestmark = pytest.mark.xdist_group("feature-traces")


@dataclass(frozen=True)
class Marker:
    """Text that names one feature, matched case-sensitively.

    A whole-word marker matches only where no letter, digit or underscore adjoins
    it, so `in_memory` finds the package but not `in_memory_backend`.
    """

    text: str
    whole_word: bool = False

    def pattern(self) -> re.Pattern[str]:
        """Compile the regular expression that finds this marker."""
        escaped = re.escape(self.text)
        return re.compile(rf"\b{escaped}\b" if self.whole_word else escaped)


def word(text: str) -> Marker:
    """Return a marker that matches text only as a whole word."""
    return Marker(text, whole_word=True)


# The projects render with default names, so the Modal objects get this prefix.
SLUG = "my-service"

# use_cache=false: the key-value cache on a Dict and its routes.
CACHE_MARKERS = (
    Marker("/api/v0/cache"),  # the cache resource and its walk-through
    Marker("cache_dict_name"),  # the setting that names the cache Dict
    Marker("CACHE_DICT_NAME"),  # that setting's environment variable
    Marker("routes.cache"),  # the module of the cache routes
    Marker("cache.router"),  # the app including the cache routes
    Marker("cache.walkthrough"),  # log events of the cache walk-through
    Marker("CacheEntry"),  # the response model of the cache resource
    Marker("backend.cache"),  # the Backend field of the cache Dict
    Marker(f"{SLUG}-cache"),  # the default name of the cache Dict
    Marker('"cache"'),  # a readiness check or a Dict named after the cache
    word("cache value"),  # prose about the values the cache stores
    word("cache Dict"),  # prose about the Dict behind the cache
    word("a cache"),  # prose describing the service as having a cache
    word("the cache"),  # prose about the service's cache
)

# use_queue=false: the Queue walk-through and the Queue double.
QUEUE_MARKERS = (
    Marker("modal.Queue"),  # Modal's Queue class
    word("Queue"),  # the Queue in code and prose
    word("QueueHandle"),  # the protocol of a Queue handle
    word("InMemoryQueue"),  # the Queue double
    Marker("queue_from_name"),  # the registry method that creates a Queue double
    Marker("/api/v0/queue"),  # the Queue walk-through route
    Marker("queue.router"),  # the app including the Queue walk-through
    Marker("backend.queue"),  # the Backend field of the Queue
    Marker("queue_name"),  # the setting that names the Queue
    Marker("QUEUE_NAME"),  # that setting's environment variable
    Marker(f"{SLUG}-queue"),  # the default name of the Queue
    Marker("partition"),  # Queue partitions and their keys and TTLs
    Marker("QUEUE_FULL"),  # the fault of a full Queue
)

# use_queue=false or use_workers=false: jobs need both, so either one removes
# the jobs API, its Dicts, its drain and the schedule of the drain.
JOBS_MARKERS = (
    Marker("/api/v0/jobs"),  # the jobs API
    Marker("jobs.router"),  # the app including the jobs API
    Marker("job_statuses"),  # the Dict of job statuses and its readiness check
    Marker("open_jobs"),  # the Dict of jobs not yet finished
    Marker("jobs_dict_name"),  # the settings that name the jobs' Dicts
    Marker("JOBS_DICT_NAME"),  # their environment variables
    Marker(f"{SLUG}-job-status"),  # the default name of the job status Dict
    Marker(f"{SLUG}-open-jobs"),  # the default name of the open jobs Dict
    Marker("job_"),  # job_id, job_service, job_worker and the job_ settings
    Marker("Job"),  # JobStatus, JobService, JobWorkerHandle, Jobs headings
    Marker("run_job"),  # the worker function that runs one job
    Marker("drain_job_queue"),  # the scheduled function that drains the queue
    Marker("drain"),  # the drain of the job queue, in code and prose
    Marker("Drain"),  # DrainReport
    Marker("job queue"),  # prose about the queue of jobs
    Marker("job payload"),  # prose about the payload of a job
    Marker('"jobs"'),  # a Queue or Dict named after jobs
    Marker("jobs."),  # the jobs module, or a Queue double called jobs
    Marker("modal.Cron"),  # the schedule of the drain
    Marker("use_schedule"),  # the question that turns the schedule on
    Marker("schedule_cron"),  # the question of the schedule's cron expression
)

# use_workers=false: the worker functions, their calls and their GPU.
WORKERS_MARKERS = (
    Marker("timed_work"),  # the worker function behind /api/v0/worker
    word("FunctionCall"),  # Modal's handle on a spawned call
    Marker("FunctionCallLookup"),  # the protocol that looks a call up by id
    Marker("function_call"),  # function_call_from_id and the call registry
    Marker("InMemoryFunction"),  # the Function and FunctionCall doubles
    Marker("/api/v0/worker"),  # the worker routes
    Marker("worker.router"),  # the app including the worker routes
    Marker("call_id"),  # the id of a spawned call in the worker routes
    Marker(".spawn"),  # spawning a worker call
    Marker(".remote"),  # calling a worker and waiting for its result
    word("spawned"),  # prose about spawned calls
    word("worker"),  # prose and names of a worker function
    word("workers"),  # the workers module and prose about workers
    Marker("modal.Retries"),  # the retry policy of the worker functions
    Marker("WORKER_"),  # WORKER_GPU, WORKER_RETRIES, WORKER_TIMEOUT_SECONDS
    Marker("worker_gpu"),  # the question that picks the workers' GPU
    Marker("gpu="),  # the GPU argument of a worker function
)

# use_cache=false and no jobs: the service has no Dict at all.
DICTS_MARKERS = (
    Marker("modal.Dict"),  # Modal's Dict class
    word("Dict"),  # a Dict in code and prose
    word("DictHandle"),  # the protocol of a Dict handle
    word("InMemoryDict"),  # the Dict double
    Marker("dict_from_name"),  # the registry method that creates a Dict double
)

# Every feature off: the service uses no Modal object, so it has no doubles.
DOUBLES_MARKERS = (
    word("in_memory"),  # the package of doubles, not the in_memory_backend
    word("primitives"),  # the module of handle protocols
    word("doubles"),  # prose about the doubles
    word("InMemoryModal"),  # the registry of doubles
)

# Answers of each render. The first six turn features off, and the others set
# the answers that only some feature combinations ask.
RENDERS: dict[str, dict[str, str]] = {
    "no-cache": {"use_cache": "false"},
    "no-queue": {"use_queue": "false"},
    "no-workers": {"use_workers": "false"},
    "only-workers": {"use_cache": "false", "use_queue": "false"},
    "only-cache": {"use_queue": "false", "use_workers": "false"},
    "all-off": {"use_cache": "false", "use_queue": "false", "use_workers": "false"},
    "defaults": {},
    "gpu-t4-nightly": {"worker_gpu": "T4", "schedule_cron": "0 3 * * *"},
    "no-schedule": {"use_schedule": "false"},
}

# The markers that no file of each feature-off render may contain.
OFF_MARKERS: dict[str, tuple[Marker, ...]] = {
    "no-cache": CACHE_MARKERS,
    "no-queue": QUEUE_MARKERS + JOBS_MARKERS,
    "no-workers": WORKERS_MARKERS + JOBS_MARKERS,
    "only-workers": CACHE_MARKERS + QUEUE_MARKERS + JOBS_MARKERS + DICTS_MARKERS,
    "only-cache": QUEUE_MARKERS + JOBS_MARKERS + WORKERS_MARKERS,
    "all-off": CACHE_MARKERS
    + QUEUE_MARKERS
    + JOBS_MARKERS
    + WORKERS_MARKERS
    + DICTS_MARKERS
    + DOUBLES_MARKERS,
}

# Answers that each render must not store, because a `when` hides them.
HIDDEN_ANSWERS: dict[str, tuple[str, ...]] = {
    "no-workers": ("worker_gpu", "use_schedule", "schedule_cron"),
    "no-queue": ("use_schedule", "schedule_cron"),
    "only-workers": ("use_schedule", "schedule_cron"),
    "only-cache": ("worker_gpu", "use_schedule", "schedule_cron"),
    "all-off": ("worker_gpu", "use_schedule", "schedule_cron"),
    "no-schedule": ("schedule_cron",),
}

MODAL_APP = "src/my_service/modal_app.py"


class Renders:
    """Render each named combination once, on first use."""

    def __init__(self, base: Path) -> None:
        self._base = base
        self._paths: dict[str, Path] = {}

    def get(self, name: str) -> Path:
        """Return the project rendered with the answers of render name."""
        if name not in self._paths:
            path = self._base / name
            render(path, **RENDERS[name])
            self._paths[name] = path
        return self._paths[name]


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Renders:
    """Provide the renders of this module, each made once."""
    return Renders(tmp_path_factory.mktemp("feature-traces"))


def _text_files(root: Path) -> dict[Path, str]:
    """Return the text of every UTF-8 file under root outside .git, by relative path."""
    texts: dict[Path, str] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or ".git" in relative.parts:
            continue
        try:
            texts[relative] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def _traces(root: Path, markers: tuple[Marker, ...]) -> list[str]:
    """List each line under root that contains a marker, with its file and number."""
    patterns = [(marker, marker.pattern()) for marker in dict.fromkeys(markers)]
    found: list[str] = []
    for relative, text in _text_files(root).items():
        for number, line in enumerate(text.splitlines(), start=1):
            for marker, pattern in patterns:
                if pattern.search(line):
                    found.append(
                        f"{relative}:{number}: {marker.text!r} in {line.strip()}"
                    )
    return found


def _answers(root: Path) -> dict[str, object]:
    """Return the answers that the render stored in .copier-answers.yml."""
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
    assert isinstance(answers, dict)
    return answers


@pytest.mark.parametrize("name", list(OFF_MARKERS))
def test_feature_off_leaves_no_trace(renders: Renders, name: str) -> None:
    """No rendered file names a feature that the render turned off."""
    markers = OFF_MARKERS[name]

    traces = _traces(renders.get(name), markers)

    assert traces == [], "\n".join(traces)


@pytest.mark.parametrize("name", list(HIDDEN_ANSWERS))
def test_hidden_questions_store_nothing(renders: Renders, name: str) -> None:
    """A question that `when` hides stores no answer in .copier-answers.yml."""
    answers = _answers(renders.get(name))

    stored = [key for key in HIDDEN_ANSWERS[name] if key in answers]

    assert stored == []


def test_worker_gpu_sets_gpu(renders: Renders) -> None:
    """worker_gpu=T4 passes the GPU to the worker functions through WORKER_GPU."""
    modal_app = (renders.get("gpu-t4-nightly") / MODAL_APP).read_text()

    assert 'WORKER_GPU = "T4"' in modal_app
    assert "gpu=WORKER_GPU" in modal_app


def test_worker_gpu_none_omits_gpu(renders: Renders) -> None:
    """worker_gpu=none, the default, passes no gpu= to any function."""
    modal_app = (renders.get("defaults") / MODAL_APP).read_text()

    assert "gpu=" not in modal_app
    assert "WORKER_GPU" not in modal_app


def test_schedule_off_omits_cron(renders: Renders) -> None:
    """use_schedule=false leaves modal.Cron out of every file."""
    traces = _traces(renders.get("no-schedule"), (Marker("modal.Cron"),))

    assert traces == [], "\n".join(traces)


def test_schedule_cron_reaches_cron(renders: Renders) -> None:
    """schedule_cron is the expression of the drain's modal.Cron."""
    modal_app = (renders.get("gpu-t4-nightly") / MODAL_APP).read_text()

    assert 'modal.Cron("0 3 * * *")' in modal_app
    assert "*/5 * * * *" not in modal_app
