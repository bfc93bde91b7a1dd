package dev.edgepack.kit

/**
 * tokenizer.json `decoder`: tokens back to text, as `tokenizers`' Decoder::decode_chain does, one
 * step of the chain per type; [Tokenizer.decode] joins what the chain leaves.
 */
internal interface Decoder {
    fun decodeChain(tokens: List<String>): List<String>

    companion object {
        /** The decoders this kit implements, by tokenizer.json type. */
        private val readers = ComponentReaders<Decoder>("decoder", linkedMapOf(
            "WordPiece" to { v -> WordPieceDecoder(v["prefix"] as? String ?: "##", v["cleanup"] as? Boolean ?: true) },
            "ByteLevel" to { _ -> ByteLevelDecoder },
            "Metaspace" to { v ->
                val metaspace = Metaspace.fromJson(v)
                MetaspaceDecoder(metaspace.replacement, metaspace.prependScheme)
            },
            "BPEDecoder" to { v -> BpeDecoder(v["suffix"] as? String ?: "</w>") },
            "Replace" to { v -> ReplaceDecoder(Replace(Pattern.fromJson(v["pattern"], "Replace decoder"), codePoints(v["content"] as? String ?: ""))) },
            "ByteFallback" to { _ -> ByteFallbackDecoder },
            "Fuse" to { _ -> FuseDecoder },
            "Strip" to { v ->
                val content = codePoints(v["content"] as? String ?: " ")
                if (content.size != 1) throw UnsupportedTokenizerException("unsupported Strip decoder content: one character is supported")
                StripDecoder(content[0], intValue(v["start"] ?: 0, "Strip decoder start"), intValue(v["stop"] ?: 0, "Strip decoder stop"))
            },
            "Sequence" to { v -> SequenceDecoder((v["decoders"] as? List<*> ?: emptyList<Any?>()).mapNotNull { fromJson(it) }) },
        ))

        fun fromJson(value: Any?): Decoder? = readers.read(value)
    }
}

/** A decoder this kit does not implement: decoding fails with the reason. */
internal class UnsupportedDecoder(val reason: UnsupportedTokenizerException) : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> = throw reason
}

internal class SequenceDecoder(private val steps: List<Decoder>) : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> = steps.fold(tokens) { acc, step -> step.decodeChain(acc) }
}

/** WordPiece: continuation pieces lose their prefix, the others get a space before them; then tokenizers' cleanup. */
internal class WordPieceDecoder(private val prefix: String, private val cleanup: Boolean) : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> = tokens.mapIndexed { i, token ->
        val joined = when {
            i == 0 -> token
            token.startsWith(prefix) -> token.replaceFirst(prefix, "")
            else -> " $token"
        }
        if (cleanup) cleanUp(joined) else joined
    }

    private fun cleanUp(text: String): String = text.replace(" .", ".").replace(" ?", "?").replace(" !", "!")
        .replace(" ,", ",").replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m")
        .replace(" do not", " don't").replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re")
}

/** ByteLevel: every character back to the byte it stands for (a token with another character keeps its
 *  own UTF-8), all tokens' bytes read as one UTF-8 text, invalid sequences as U+FFFD. */
internal object ByteLevelDecoder : Decoder {
    private val byteOf: Map<Int, Int> = HashMap<Int, Int>().also { table -> for (b in 0 until 256) table[ByteLevelRegex.byteChar(b)] = b }

    override fun decodeChain(tokens: List<String>): List<String> {
        val bytes = java.io.ByteArrayOutputStream()
        for (token in tokens) {
            val mapped = codePoints(token).map { byteOf[it] }
            if (mapped.all { it != null }) mapped.forEach { bytes.write(it!!) } else bytes.write(token.toByteArray(Charsets.UTF_8))
        }
        return listOf(Utf8.decodeLossy(bytes.toByteArray()))
    }
}

/** Metaspace: the replacement character becomes a space, except in the first token (unless the
 *  pre-tokenizer never prepends one), where every replacement character is dropped. */
internal class MetaspaceDecoder(private val replacement: Int, private val prependScheme: String) : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> = tokens.mapIndexed { i, token ->
        buildString {
            for (c in codePoints(token)) {
                if (c != replacement) appendCodePoint(c) else if (i != 0 || prependScheme == "never") append(' ')
            }
        }
    }
}

/** BPEDecoder: the end-of-word suffix becomes a space, and nothing in the last token. */
internal class BpeDecoder(private val suffix: String) : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> =
        tokens.mapIndexed { i, token -> token.replace(suffix, if (i == tokens.size - 1) "" else " ") }
}

/** Replace: in each token, as the Replace normalizer does. */
internal class ReplaceDecoder(private val replace: Replace) : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> =
        tokens.map { token -> replace.normalize(Normalized.of(codePoints(token), 0, codePoints(token).size)).text }
}

/** ByteFallback: runs of `<0xAB>` tokens become the UTF-8 text they spell, or one U+FFFD per byte when it is not valid. */
internal object ByteFallbackDecoder : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> {
        val out = ArrayList<String>()
        val pending = java.io.ByteArrayOutputStream()
        var count = 0
        fun flush() {
            if (count == 0) return
            val text = Utf8.decodeStrict(pending.toByteArray())
            if (text != null) out.add(text) else repeat(count) { out.add("\uFFFD") }
            pending.reset()
            count = 0
        }
        for (token in tokens) {
            val byte = if (token.length == 6 && token.startsWith("<0x") && token.endsWith(">")) token.substring(3, 5).toIntOrNull(16) else null
            if (byte != null) { pending.write(byte); count++ } else { flush(); out.add(token) }
        }
        flush()
        return out
    }
}

/** Fuse: every token into one. */
internal object FuseDecoder : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> = listOf(tokens.joinToString(""))
}

/** Strip: up to [start] leading and [stop] trailing [content] characters leave each token. */
internal class StripDecoder(private val content: Int, private val start: Int, private val stop: Int) : Decoder {
    override fun decodeChain(tokens: List<String>): List<String> = tokens.map { token ->
        val cps = codePoints(token)
        var from = 0
        while (from < minOf(start, cps.size) && cps[from] == content) from++
        var to = cps.size
        var removed = 0
        while (removed < stop && to > from && cps[to - 1] == content) { to--; removed++ }
        buildString { for (k in from until to) appendCodePoint(cps[k]) }
    }
}

/** UTF-8 as Rust reads it: strictly (null when invalid), or replacing each maximal invalid subpart with U+FFFD. */
internal object Utf8 {
    fun decodeStrict(bytes: ByteArray): String? {
        val decoder = Charsets.UTF_8.newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
        return try { decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString() } catch (e: java.nio.charset.CharacterCodingException) { null }
    }

    fun decodeLossy(bytes: ByteArray): String {
        val out = StringBuilder(bytes.size)
        var i = 0
        while (i < bytes.size) {
            val b0 = bytes[i].toInt() and 0xFF
            // The sequence's length and the range its second byte must fall in (Unicode Table 3-7).
            val (length, low, high) = when (b0) {
                in 0x00..0x7F -> Triple(1, 0, 0)
                in 0xC2..0xDF -> Triple(2, 0x80, 0xBF)
                0xE0 -> Triple(3, 0xA0, 0xBF)
                in 0xE1..0xEC, 0xEE, 0xEF -> Triple(3, 0x80, 0xBF)
                0xED -> Triple(3, 0x80, 0x9F)
                0xF0 -> Triple(4, 0x90, 0xBF)
                in 0xF1..0xF3 -> Triple(4, 0x80, 0xBF)
                0xF4 -> Triple(4, 0x80, 0x8F)
                else -> Triple(0, 0, 0)
            }
            if (length == 1) { out.append(b0.toChar()); i++; continue }
            if (length == 0) { out.append('\uFFFD'); i++; continue }
            var cp = b0 and (0xFF shr (length + 1))
            var k = 1
            while (k < length && i + k < bytes.size) {
                val b = bytes[i + k].toInt() and 0xFF
                val ok = if (k == 1) b in low..high else b in 0x80..0xBF
                if (!ok) break
                cp = (cp shl 6) or (b and 0x3F)
                k++
            }
            if (k == length) out.appendCodePoint(cp) else out.append('\uFFFD')
            i += k
        }
        return out.toString()
    }
}
