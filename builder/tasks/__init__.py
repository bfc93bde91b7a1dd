"""Task registry. A new task is one module here and one line below."""

from __future__ import annotations

from builder.registry import Registry
from builder.tasks.base import Task, TaskOptions, TensorSpec
from builder.tasks.sequence_classification import SequenceClassification
from builder.tasks.token_classification import TokenClassification

TASKS: Registry[Task] = Registry("task")
TASKS.add(SequenceClassification.name, SequenceClassification())
TASKS.add(TokenClassification.name, TokenClassification())

__all__ = ["TASKS", "Task", "TaskOptions", "TensorSpec"]
