package dev.edgepack.kit

/** WordPiece (tokenizer.json `model.type` "WordPiece"): greedy longest-match-first subwords. */
internal class WordPieceModel(
    override val vocab: Map<String, Int>, val unkToken: String, val subwordPrefix: String, val maxInputCharsPerWord: Int,
) : TokenizerModel {
    override fun tokenize(word: Split): List<Tok> {
        val cps = word.normalized.cps
        val align = word.normalized.align
        val alignEnd = word.normalized.alignEnd
        val n = word.end - word.start
        fun unk() = listOf(Tok(vocab[unkToken]!!, unkToken, align[word.start], alignEnd[word.end - 1]))
        if (n > maxInputCharsPerWord) return unk()
        val out = ArrayList<Tok>()
        var start = 0
        while (start < n) {
            var end = n
            var found: Tok? = null
            while (start < end) {
                val sb = StringBuilder()
                if (start > 0) sb.append(subwordPrefix)
                for (k in word.start + start until word.start + end) sb.appendCodePoint(cps[k])
                val piece = sb.toString()
                val id = vocab[piece]
                if (id != null) {
                    found = Tok(id, piece, align[word.start + start], alignEnd[word.start + end - 1])
                    break
                }
                end--
            }
            if (found == null) return unk()
            out.add(found)
            start = end
        }
        return out
    }

    companion object {
        fun fromJson(model: Map<*, *>): WordPieceModel {
            val vocab = vocabOf(model, "WordPiece")
            val unk = model["unk_token"] as? String ?: "[UNK]"
            if (unk !in vocab) throw UnsupportedTokenizerException("WordPiece unk_token $unk is not in the vocab")
            val prefix = model["continuing_subword_prefix"] as? String ?: "##"
            val maxChars = (model["max_input_chars_per_word"] as? Number)?.toInt() ?: 100
            return WordPieceModel(vocab, unk, prefix, maxChars)
        }
    }
}
