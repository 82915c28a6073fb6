"""Registry of long-running work that runs as a recorded Job in Celery.

Each app registers its handlers with ``@job_handler``. A handler receives the Job and a
``report(percent)`` callback and returns ``(file_name, file_bytes)``; the runner in
``portal.services.run_job`` records state, progress, the file and any error.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobHandler:
    kind: str
    label: str
    run: Callable
    # Who may start it, decided by portal.permissions (e.g. "view" or "manage").
    permission: str = "view"


class JobParamsError(ValueError):
    """The job's params cannot be used; its message (Japanese, saying what to fix) is the job's error as is."""


_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str, *, label: str, permission: str = "view"):
    def register(func):
        _HANDLERS[kind] = JobHandler(kind=kind, label=label, run=func, permission=permission)
        return func

    return register


def get_handler(kind: str) -> JobHandler:
    return _HANDLERS[kind]


def job_label(kind: str) -> str:
    handler = _HANDLERS.get(kind)
    return handler.label if handler else kind


def job_kinds() -> list[str]:
    return sorted(_HANDLERS)
