"""Task registry. A new task is one module here and one line below."""

from __future__ import annotations

from builder.registry import Registry
from builder.tasks.base import Task, TaskOptions, TensorSpec
from builder.tasks.feature_extraction import SentenceEmbedding
from builder.tasks.fill_mask import FillMask
from builder.tasks.question_answering import QuestionAnswering
from builder.tasks.sequence_classification import SequenceClassification
from builder.tasks.token_classification import TokenClassification

TASKS: Registry[Task] = Registry("task")
TASKS.add(SequenceClassification.name, SequenceClassification())
TASKS.add(TokenClassification.name, TokenClassification())
TASKS.add(SentenceEmbedding.name, SentenceEmbedding())
TASKS.add(QuestionAnswering.name, QuestionAnswering())
TASKS.add(FillMask.name, FillMask())

__all__ = ["TASKS", "Task", "TaskOptions", "TensorSpec"]
