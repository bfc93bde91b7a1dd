"""Task registry, the one list of task names. A new task is one module here and one line below.

The registry holds task classes: stateless specs that recognise a checkpoint and bind to it
(builder.tasks.base.Task).
"""

from __future__ import annotations

from builder.registry import Registry
from builder.tasks.base import MethodSpec, Task, TaskOptions, TensorSpec
from builder.tasks.feature_extraction import SentenceEmbedding
from builder.tasks.fill_mask import FillMask
from builder.tasks.question_answering import QuestionAnswering
from builder.tasks.sequence_classification import SequenceClassification
from builder.tasks.text_generation import TextGeneration
from builder.tasks.token_classification import TokenClassification

TASKS: Registry[type[Task]] = Registry("task")
for _task in (SequenceClassification, TokenClassification, SentenceEmbedding, QuestionAnswering, FillMask, TextGeneration):
    TASKS.add(_task.name, _task)

__all__ = ["TASKS", "MethodSpec", "Task", "TaskOptions", "TensorSpec"]
