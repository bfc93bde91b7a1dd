"""Stage progress on stderr (rich) and per-stage wall-clock timings for the report."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class Stages:
    def __init__(self, console: Console | None = None, enabled: bool = True):
        self.console = console or Console(stderr=True)
        self.timings: dict[str, float] = {}
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=self.console,
            disable=not enabled,
        )

    def __enter__(self) -> "Stages":
        self._progress.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._progress.stop()

    @contextmanager
    def stage(self, key: str, description: str) -> Iterator[None]:
        task = self._progress.add_task(description, total=1)
        start = time.perf_counter()
        try:
            yield
        except BaseException:
            self._progress.update(task, description=f"[red]{description} (failed)[/]")
            raise
        finally:
            self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - start
        self._progress.update(task, completed=1)

    def log(self, message: str) -> None:
        self._progress.console.print(message)
