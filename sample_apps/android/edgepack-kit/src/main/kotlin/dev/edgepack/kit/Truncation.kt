package dev.edgepack.kit

/** tokenizer.json `truncation`: [maxLength] counts the post-processor's special tokens. */
internal class Truncation(val maxLength: Int, val strategy: String, val left: Boolean) {
    /** [a] and [b] cut to [limit] tokens together (the length left once special tokens are counted). */
    fun truncate(a: Seq, b: Seq?, limit: Int): Pair<Seq, Seq?> {
        if (limit <= 0) return a.truncated(0, left) to b?.truncated(0, left)
        val total = a.ids.size + (b?.ids?.size ?: 0)
        if (total <= limit) return a to b
        val toRemove = total - limit
        return when (strategy) {
            "LongestFirst" -> if (b == null) {
                a.truncated(total - toRemove, left) to null
            } else {
                var n1 = a.ids.size
                var n2 = b.ids.size
                var swap = false
                if (n1 > n2) { swap = true; val x = n1; n1 = n2; n2 = x }
                n2 = if (n1 > limit) n1 else maxOf(n1, limit - n1)
                if (n1 + n2 > limit) { n1 = limit / 2; n2 = n1 + limit % 2 }
                if (swap) { val x = n1; n1 = n2; n2 = x }
                a.truncated(n1, left) to b.truncated(n2, left)
            }
            else -> {
                val first = strategy == "OnlyFirst"
                val target = if (first) a else b ?: throw IllegalArgumentException("Truncation error: Second sequence not provided")
                val len = target.ids.size
                if (len <= toRemove) throw IllegalArgumentException("Truncation error: Sequence to truncate too short to respect the provided max_length")
                val cut = target.truncated(len - toRemove, left)
                if (first) cut to b else a to cut
            }
        }
    }

    companion object {
        fun fromJson(value: Any?): Truncation? = when (value) {
            null -> null
            is Map<*, *> -> {
                val strategy = value["strategy"] as? String ?: "LongestFirst"
                if (strategy !in setOf("LongestFirst", "OnlyFirst", "OnlySecond")) {
                    throw UnsupportedTokenizerException("unsupported truncation strategy $strategy")
                }
                Truncation(intValue(value["max_length"], "max_length"), strategy, (value["direction"] as? String ?: "Right") == "Left")
            }
            else -> throw UnsupportedTokenizerException("malformed truncation")
        }
    }
}

/** tokenizer.json `padding`: to a fixed length or the sequence's own, rounded up to [multipleOf]. */
internal class Padding(val fixed: Int?, val left: Boolean, val multipleOf: Int?, val padId: Int, val padTypeId: Int, val padToken: String) {
    fun apply(s: Seq): Seq {
        var target = fixed ?: s.ids.size
        val multiple = multipleOf
        if (multiple != null && multiple > 0 && target % multiple > 0) target += multiple - target % multiple
        val missing = target - s.ids.size
        if (missing <= 0) return s
        val pad = Seq()
        repeat(missing) { pad.add(padId, padTypeId, padToken, 0, 0, 0) }
        val out = Seq()
        for (part in if (left) listOf(pad, s) else listOf(s, pad)) {
            for (k in part.ids.indices) out.copy(part, k)
        }
        return out
    }

    companion object {
        fun fromJson(value: Any?): Padding? = when (value) {
            null -> null
            is Map<*, *> -> {
                val fixed = when (val s = value["strategy"]) {
                    "BatchLongest" -> null
                    is Map<*, *> -> intValue(s["Fixed"], "padding length")
                    else -> throw UnsupportedTokenizerException("unsupported padding strategy $s")
                }
                Padding(
                    fixed = fixed,
                    left = value["direction"] == "Left",
                    multipleOf = (value["pad_to_multiple_of"] as? Number)?.toInt(),
                    padId = (value["pad_id"] as? Number)?.toInt() ?: 0,
                    padTypeId = (value["pad_type_id"] as? Number)?.toInt() ?: 0,
                    padToken = value["pad_token"] as? String ?: "[PAD]",
                )
            }
            else -> throw UnsupportedTokenizerException("malformed padding")
        }
    }
}
