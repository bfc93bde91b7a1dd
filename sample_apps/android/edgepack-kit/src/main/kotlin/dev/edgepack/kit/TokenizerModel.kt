package dev.edgepack.kit

/** A token of a word: its id, its text, and [start, end) in code points of the original text. */
internal class Tok(val id: Int, val value: String, val start: Int, val end: Int)

/** What the pipeline needs of a tokenizer model (tokenizer.json `model`). */
internal interface TokenizerModel {
    /** Token -> id. */
    val vocab: Map<String, Int>

    /** The tokens of one pre-tokenized word, aligned through [Split.normalized]. */
    fun tokenize(word: Split): List<Tok>
}

/** The models this kit implements, by tokenizer.json `model.type`: a new model is its own file and one line here. */
internal object TokenizerModels {
    private val readers = ComponentReaders<TokenizerModel>("model", linkedMapOf(
        "WordPiece" to { model -> WordPieceModel.fromJson(model) },
        "BPE" to { model -> BpeModel.fromJson(model) },
        "Unigram" to { model -> UnigramModel.fromJson(model) },
    ))

    fun fromJson(model: Map<*, *>): TokenizerModel = readers.read(model)!!
}

/** A model's `vocab` (token -> id). */
internal fun vocabOf(model: Map<*, *>, type: String): HashMap<String, Int> {
    val vocabJson = model["vocab"] as? Map<*, *> ?: throw UnsupportedTokenizerException("$type model has no vocab")
    val vocab = HashMap<String, Int>(vocabJson.size * 2)
    for ((k, v) in vocabJson) vocab[k as String] = intValue(v, "vocab id")
    return vocab
}
