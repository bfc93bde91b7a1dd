"""Model architectures edgepack knows how to export, keyed by `config.model_type`.

An entry records what the rest of the pipeline needs to know about an architecture and
nothing else; the pipeline itself never branches on architecture names. Adding one is a
single `ARCHITECTURES.add(...)` line once its tasks pass the parity tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.registry import Registry


@dataclass(frozen=True)
class Architecture:
    model_type: str
    display_name: str
    # Task names (see builder.tasks) with a head for this architecture that export and verify.
    tasks: tuple[str, ...]
    # Whether the model takes token_type_ids; the wrappers leave them at their zero default for
    # single-text inputs, which is what the model saw in fine-tuning.
    uses_token_type_ids: bool
    # Shortest sequence the exported program accepts; apps pad shorter inputs with the pad
    # token (mask 0) up to it.
    min_seq_len: int = 1


ARCHITECTURES: Registry[Architecture] = Registry("architecture")

for _arch in (
    # MiniLM checkpoints (all-MiniLM-L6-v2 and kin) are BERT architecture with model_type "bert".
    Architecture("bert", "BERT / MiniLM", ("sequence-classification", "token-classification", "feature-extraction", "question-answering", "fill-mask"), True),
    Architecture("distilbert", "DistilBERT", ("sequence-classification", "token-classification", "feature-extraction", "question-answering", "fill-mask"), False),
    # torch.export guards seq != 2 in MobileBERT's trigram embedding (slices of length
    # seq - 1 specialise at 1), so its programs start at 3 tokens. The pad row of its
    # embedding table is zero, which is exactly the zero padding the trigram adds itself.
    Architecture("mobilebert", "MobileBERT", ("sequence-classification", "token-classification", "feature-extraction", "question-answering", "fill-mask"), True, min_seq_len=3),
):
    ARCHITECTURES.add(_arch.model_type, _arch)
