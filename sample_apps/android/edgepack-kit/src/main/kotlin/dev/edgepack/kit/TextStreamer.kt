package dev.edgepack.kit

/**
 * A reply's text as its tokens arrive, in pieces that are safe to show: the whole reply is decoded
 * again at every token (so the text always equals `tokenizer.decode(ids)`, whatever the decoder does
 * at word starts), and the new end is held back while it
 * - ends in U+FFFD: a byte-level or byte-fallback token stopped inside a multi-byte character, whose
 *   other bytes come with the next tokens;
 * - could be the start of a stop string (the chat format's end-of-turn text): "<|im" is not shown
 *   until the next tokens tell whether "_end|>" follows.
 * When a stop string appears, the text ends before it and [stopped] turns true.
 */
class TextStreamer(private val tokenizer: Tokenizer, stopStrings: List<String> = emptyList()) {
    private val stops = stopStrings.filter { it.isNotEmpty() }
    private val ids = ArrayList<Int>()
    private var shown = ""

    /** The reply so far (up to a stop string), including what is held back. */
    var text: String = ""
        private set

    var stopped: Boolean = false
        private set

    val tokenIds: IntArray get() = ids.toIntArray()

    /** Adds a generated token; returns the text that became safe to show ("" when none did). */
    fun add(id: Int): String {
        check(!stopped) { "the reply already ended at a stop string" }
        ids.add(id)
        var decoded = tokenizer.decode(ids.toIntArray(), skipSpecialTokens = true)
        val stop = stops.mapNotNull { s -> decoded.indexOf(s).takeIf { it >= 0 } }.minOrNull()
        if (stop != null) {
            decoded = decoded.substring(0, stop)
            stopped = true
        }
        text = decoded
        if (stopped) return flush()
        var safe = decoded.length
        while (safe > 0 && decoded[safe - 1] == '\uFFFD') safe--
        safe -= stops.maxOfOrNull { heldPrefix(decoded.substring(0, safe), it) } ?: 0
        return emit(safe)
    }

    /** The rest of the text at the end of the reply (nothing is held back any more). */
    fun flush(): String = emit(text.length)

    private fun emit(end: Int): String {
        // Decoding more tokens can rewrite the end of what was shown (rare: a decoder that strips); the final
        // text is then only in [text], never shown twice.
        if (end <= shown.length || !text.startsWith(shown)) return ""
        var cut = end
        if (cut < text.length && Character.isLowSurrogate(text[cut])) cut-- // never split a surrogate pair
        if (cut <= shown.length) return ""
        val piece = text.substring(shown.length, cut)
        shown = text.substring(0, cut)
        return piece
    }

    /** The length of the longest end of [text] that is a proper start of [stop]. */
    private fun heldPrefix(text: String, stop: String): Int {
        for (length in minOf(stop.length - 1, text.length) downTo 1) {
            if (text.regionMatches(text.length - length, stop, 0, length)) return length
        }
        return 0
    }
}
