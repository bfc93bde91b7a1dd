"""Train edgepack's embedded demo checkpoint: a tiny BERT customer-service intent classifier.

Reads the hand-written dataset in data/intents.jsonl, trains a WordPiece tokenizer and a
randomly initialised BertForSequenceClassification on the "train" rows only, scores the
held-out "test" rows, and writes a regular Hugging Face checkpoint (config.json,
model.safetensors, tokenizer.json, vocab.txt, tokenizer_config.json) plus
training_metrics.json. edgepack uses it as an offline, hub-free input for its exporters.

Rerun from the repository root (about a minute on 2 CPU cores):

    python -m builder.demo.train [--output DIR] [--seed 0] [--epochs 40]
"""
import argparse
import json
import platform
import time
from collections import Counter
from datetime import date
from pathlib import Path

import safetensors
import tokenizers
import torch
import transformers
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

from builder.demo import CHECKPOINT_DIR

DATA_FILE = Path(__file__).parent / "data" / "intents.jsonl"
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # [PAD] must be id 0
MAX_LENGTH = 128

# Chosen on dev folds carved from the train split, never on the test split: small enough for
# a <5 MB checkpoint and heavily regularised because there are only ~800 training sentences.
VOCAB_SIZE = 3000  # upper bound; the trainer stops earlier when the corpus runs out of merges
MODEL_SHAPE = dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=4, intermediate_size=512)
BATCH_SIZE = 16
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 0.1
LABEL_SMOOTHING = 0.1
DROPOUT = 0.2
WARMUP_FRACTION = 0.1


def load_examples(path=DATA_FILE):
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    return train, test


def bert_pipeline(model):
    tok = Tokenizer(model)
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    return tok


def train_tokenizer(texts):
    scratch = bert_pipeline(models.WordPiece(unk_token="[UNK]"))
    # The trainer numbers "##x" pieces in hash-map order, and those ids break ties between
    # equally frequent merges, so each process learns a different vocabulary
    # (huggingface/tokenizers#1794). Reserving the pieces up front in sorted order removes
    # the randomness; rebuilding the model below turns them back into ordinary vocabulary.
    split = scratch.pre_tokenizer.pre_tokenize_str
    words = (w for t in texts for w, _ in split(scratch.normalizer.normalize_str(t)))
    pieces = sorted({"##" + c for w in words for c in w[1:]})
    trainer = trainers.WordPieceTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=SPECIAL_TOKENS + pieces, show_progress=False
    )
    scratch.train_from_iterator(texts, trainer=trainer)

    tok = bert_pipeline(models.WordPiece(scratch.get_vocab(), unk_token="[UNK]"))
    tok.add_special_tokens(SPECIAL_TOKENS)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[(t, tok.token_to_id(t)) for t in ("[CLS]", "[SEP]")],
    )
    return tok


def wrap_tokenizer(tok):
    # Keep the trained pipeline as-is; the flags only document it in tokenizer_config.json.
    return BertTokenizerFast(
        tokenizer_object=tok,
        do_lower_case=True,
        strip_accents=True,
        tokenize_chinese_chars=True,
        model_max_length=MAX_LENGTH,
    )


def build_model(vocab_size, labels):
    config = BertConfig(
        vocab_size=vocab_size,
        max_position_embeddings=MAX_LENGTH,
        type_vocab_size=2,
        hidden_dropout_prob=DROPOUT,
        attention_probs_dropout_prob=DROPOUT,
        pad_token_id=0,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
        problem_type="single_label_classification",
        **MODEL_SHAPE,
    )
    return BertForSequenceClassification(config)


def fit(model, tokenizer, texts, label_ids, epochs, seed):
    generator = torch.Generator().manual_seed(seed)
    steps = epochs * -(-len(texts) // BATCH_SIZE)
    warmup = max(1, int(WARMUP_FRACTION * steps))
    # No decay on biases and LayerNorm weights, as in the original BERT recipe.
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}],
        lr=LEARNING_RATE,
    )
    # Linear warm-up then decay, the usual BERT recipe: early updates to random attention stay small.
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup)))
    )
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING)
    labels = torch.tensor(label_ids)
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(texts), generator=generator).split(BATCH_SIZE):
            inputs = tokenizer([texts[i] for i in batch], padding=True, truncation=True, return_tensors="pt")
            loss = loss_fn(model(**inputs).logits, labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()


@torch.no_grad()
def predict(model, tokenizer, texts):
    model.eval()
    inputs = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    return model(**inputs).logits.argmax(-1).tolist()


def macro_f1(gold, pred, num_labels):
    scores = []
    for c in range(num_labels):
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        predicted, actual = pred.count(c), gold.count(c)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        scores.append(2 * precision * recall / (precision + recall) if tp else 0.0)
    return sum(scores) / num_labels


def seed_everything(seed):
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    # One thread makes float reductions run in a fixed order; the model is tiny anyway.
    torch.set_num_threads(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=CHECKPOINT_DIR, help="checkpoint directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    seed_everything(args.seed)
    train, test = load_examples()
    labels = sorted({r["label"] for r in train})
    label2id = {name: i for i, name in enumerate(labels)}

    tokenizer = wrap_tokenizer(train_tokenizer([r["text"] for r in train]))  # test rows never seen
    model = build_model(len(tokenizer), labels)
    texts, label_ids = [r["text"] for r in train], [label2id[r["label"]] for r in train]
    fit(model, tokenizer, texts, label_ids, args.epochs, args.seed)

    gold = [label2id[r["label"]] for r in test]
    pred = predict(model, tokenizer, [r["text"] for r in test])
    accuracy = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    f1 = macro_f1(gold, pred, len(labels))

    args.output.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.output)  # transformers 5 always writes model.safetensors
    tokenizer.save_pretrained(args.output)
    # transformers 5 only copies an existing vocab.txt, so export it from the WordPiece model.
    tokenizer.backend_tokenizer.model.save(str(args.output))
    assert (args.output / "model.safetensors").is_file() and (args.output / "vocab.txt").is_file()

    train_counts, test_counts = Counter(r["label"] for r in train), Counter(r["label"] for r in test)
    metrics = {
        "date": date.today().isoformat(),
        "seed": args.seed,
        "epochs": args.epochs,
        "train_size": len(train),
        "test_size": len(test),
        "per_intent": {name: {"train": train_counts[name], "test": test_counts[name]} for name in labels},
        "held_out_accuracy": round(accuracy, 4),
        "held_out_macro_f1": round(f1, 4),
        "vocab_size": len(tokenizer),
        "parameters": model.num_parameters(),
        "hyperparameters": {
            **MODEL_SHAPE,
            "max_length": MAX_LENGTH,
            "batch_size": BATCH_SIZE,
            "learning_rate": LEARNING_RATE,
            "weight_decay": WEIGHT_DECAY,
            "label_smoothing": LABEL_SMOOTHING,
            "dropout": DROPOUT,
            "warmup_fraction": WARMUP_FRACTION,
        },
        "train_seconds": round(time.perf_counter() - started, 1),
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "safetensors": safetensors.__version__,
        },
    }
    (args.output / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(f"held-out accuracy: {accuracy:.4f} ({len(test)} examples), macro F1: {f1:.4f}")
    print(f"checkpoint written to {args.output}")


if __name__ == "__main__":
    main()
