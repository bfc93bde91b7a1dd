package dev.edgepack.kit

/**
 * Token ids back to text with tokenizer.json's `decoder`, as tokenizers' `Tokenizer.decode` does: each id
 * becomes its added token or vocabulary entry (unknown ids are dropped, special tokens too when asked),
 * then the decoder joins them. Implemented: no decoder (joined with spaces), WordPiece, ByteLevel;
 * builder/apps/decoder_support.py refuses an app for a bundle that needs any other.
 */
class TokenDecoder private constructor(
    private val tokens: Map<Int, String>,
    private val special: Set<String>,
    private val kind: String?,
    private val prefix: String,
    private val cleanup: Boolean,
) {
    fun decode(ids: IntArray, skipSpecialTokens: Boolean): String {
        val pieces = ids.asList().mapNotNull { tokens[it] }.filter { !skipSpecialTokens || it !in special }
        return when (kind) {
            null -> pieces.joinToString(" ")
            "WordPiece" -> pieces.mapIndexed { i, piece ->
                val joined = when {
                    i == 0 -> piece
                    piece.startsWith(prefix) -> piece.replaceFirst(prefix, "")
                    else -> " $piece"
                }
                if (cleanup) cleanUp(joined) else joined
            }.joinToString("")
            "ByteLevel" -> byteLevel(pieces)
            else -> throw IllegalStateException("decoder $kind")
        }
    }

    companion object {
        fun fromJson(json: String): TokenDecoder {
            val root = Json.parse(json).obj()
            val tokens = HashMap<Int, String>()
            val vocab = root["model"].obj()["vocab"]
            require(vocab is Map<*, *>) { "tokenizer.json model.vocab is not a token -> id object" }
            for ((token, id) in vocab) tokens[id.long().toInt()] = token as String
            val special = HashSet<String>()
            for (entry in (root["added_tokens"] as? List<*>).orEmpty()) {
                val added = entry.obj()
                tokens[added["id"].long().toInt()] = added["content"].str()
                if (added["special"] == true) special.add(added["content"].str())
            }
            val decoder = root["decoder"] as? Map<*, *>
            val kind = decoder?.get("type") as String?
            if (kind !in setOf(null, "WordPiece", "ByteLevel")) throw UnsupportedTokenizerException("decoder $kind")
            return TokenDecoder(tokens, special, kind, decoder?.get("prefix") as? String ?: "##", decoder?.get("cleanup") as? Boolean ?: true)
        }

        // tokenizers' WordPiece cleanup, applied to each joined piece.
        private fun cleanUp(text: String): String = text.replace(" .", ".").replace(" ?", "?").replace(" !", "!")
            .replace(" ,", ",").replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m")
            .replace(" do not", " don't").replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re")

        // GPT-2's bytes_to_unicode, inverted: the character standing for each byte.
        private val BYTES: Map<Int, Byte> = run {
            val direct = (33..126) + (161..172) + (174..255)
            val table = HashMap<Int, Byte>()
            var shifted = 0
            for (b in 0..255) {
                val char = if (b in direct) b else 256 + shifted++
                table[char] = b.toByte()
            }
            table
        }

        // A piece with a character outside the table keeps its own UTF-8 bytes; invalid UTF-8 becomes U+FFFD.
        private fun byteLevel(pieces: List<String>): String {
            val bytes = java.io.ByteArrayOutputStream()
            for (piece in pieces) {
                val mapped = codePoints(piece).map { BYTES[it] }
                if (mapped.all { it != null }) mapped.forEach { bytes.write(it!!.toInt()) } else bytes.write(piece.toByteArray(Charsets.UTF_8))
            }
            return bytes.toByteArray().toString(Charsets.UTF_8)
        }
    }
}
