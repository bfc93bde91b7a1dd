package dev.edgepack.kit

/** A template piece: a sequence (A, or B when [isB]) or special tokens ([ids] non-null). */
internal class TemplatePiece(val isB: Boolean, val typeId: Int, val ids: IntArray?, val tokens: Array<String>?)

/** One `process_encodings` step of a post-processor (a Sequence chains several). */
internal sealed class ProcessorStep

/** TemplateProcessing / BertProcessing / RobertaProcessing's special tokens and type ids. */
internal class TemplateStep(val single: List<TemplatePiece>, val pair: List<TemplatePiece>) : ProcessorStep()

/** ByteLevel's process_offsets (trim_offsets), on every encoding of the list. */
internal class TrimOffsetsStep(val addPrefixSpace: Boolean) : ProcessorStep()

/** tokenizer.json `post_processor`: its steps, in order. */
internal class PostProcessor(private val steps: List<ProcessorStep>) {
    fun addedTokens(isPair: Boolean): Int = steps.sumOf { step ->
        if (step is TemplateStep) (if (isPair) step.pair else step.single).sumOf { it.ids?.size ?: 0 } else 0
    }

    /** PostProcessor::process: [a] (type ids 0) and [b] (type ids 1) through every step, then merged; the
     *  templates' special tokens only when [addSpecialTokens]. */
    fun apply(a: Seq, b: Seq?, addSpecialTokens: Boolean = true): Seq {
        var encodings: List<Seq> = listOfNotNull(a, b)
        for (step in steps) {
            encodings = when (step) {
                is TrimOffsetsStep -> encodings.map { trimOffsets(it, step.addPrefixSpace) }
                is TemplateStep -> if (addSpecialTokens) applyTemplate(step, encodings) else encodings
            }
        }
        val out = Seq()
        for (s in encodings) for (k in s.ids.indices) out.copy(s, k)
        return out
    }

    private fun applyTemplate(step: TemplateStep, encodings: List<Seq>): List<Seq> {
        val template = if (encodings.size == 2) step.pair else step.single
        val out = ArrayList<Seq>()
        for (piece in template) {
            val ids = piece.ids
            val s = Seq()
            if (ids != null) {
                for (k in ids.indices) s.add(ids[k], piece.typeId, piece.tokens!![k], 0, 0)
            } else {
                val src = encodings.getOrNull(if (piece.isB) 1 else 0) ?: continue
                for (k in src.ids.indices) s.copy(src, k, type = piece.typeId)
            }
            out.add(s)
        }
        return out
    }

    /** byte_level::process_offsets: leading/trailing 'Ġ' or whitespace characters leave the offsets. */
    private fun trimOffsets(s: Seq, addPrefixSpace: Boolean): Seq {
        val out = Seq()
        for (i in s.ids.indices) {
            var start = s.starts[i]
            var end = s.ends[i]
            val cps = codePoints(s.tokens[i])
            fun space(c: Int) = c == 0x120 || UnicodeData.isWhitespace(c)
            var leading = 0
            while (leading < cps.size && space(cps[leading])) leading++
            var trailing = 0
            while (trailing < cps.size && space(cps[cps.size - 1 - trailing])) trailing++
            if (leading > 0) {
                val isFirst = i == 0 || start == 0
                if (isFirst && addPrefixSpace && leading == 1) leading = 0
                start = minOf(start + leading, end)
            }
            if (trailing > 0 && end >= trailing) end = maxOf(end - trailing, start)
            out.copy(s, i, start = start, end = end)
        }
        return out
    }

    companion object {
        fun fromJson(value: Any?): PostProcessor = when (value) {
            null -> PostProcessor(emptyList())
            is Map<*, *> -> {
                val steps = processorSteps(value)
                if (steps.count { it is TemplateStep } > 1) {
                    throw UnsupportedTokenizerException("unsupported post_processor: a Sequence with more than one special-token processor")
                }
                PostProcessor(steps)
            }
            else -> throw UnsupportedTokenizerException("malformed post_processor")
        }

        private fun processorSteps(p: Map<*, *>): List<ProcessorStep> = when (p["type"]) {
            "TemplateProcessing" -> {
                val specials = HashMap<String, Pair<IntArray, Array<String>>>()
                (p["special_tokens"] as? Map<*, *>)?.forEach { (k, v) ->
                    val m = v as Map<*, *>
                    val ids = (m["ids"] as List<*>).map { intValue(it, "special token id") }.toIntArray()
                    val toks = (m["tokens"] as List<*>).map { it as String }.toTypedArray()
                    specials[k as String] = ids to toks
                }
                fun template(name: String): List<TemplatePiece> = (p[name] as? List<*>
                    ?: throw UnsupportedTokenizerException("TemplateProcessing has no $name template")).map { piece ->
                    val m = piece as Map<*, *>
                    val seq = m["Sequence"] as? Map<*, *>
                    val sp = m["SpecialToken"] as? Map<*, *>
                    when {
                        seq != null -> TemplatePiece(seq["id"] == "B", intValue(seq["type_id"], "type_id"), null, null)
                        sp != null -> {
                            val (ids, toks) = specials[sp["id"] as String]
                                ?: throw UnsupportedTokenizerException("TemplateProcessing uses undefined special token ${sp["id"]}")
                            TemplatePiece(false, intValue(sp["type_id"], "type_id"), ids, toks)
                        }
                        else -> throw UnsupportedTokenizerException("malformed TemplateProcessing piece")
                    }
                }
                listOf(TemplateStep(template("single"), template("pair")))
            }
            "BertProcessing" -> {
                val sep = p["sep"] as List<*>
                val cls = p["cls"] as List<*>
                val clsPiece = TemplatePiece(false, 0, intArrayOf(intValue(cls[1], "cls id")), arrayOf(cls[0] as String))
                fun sepPiece(type: Int) = TemplatePiece(false, type, intArrayOf(intValue(sep[1], "sep id")), arrayOf(sep[0] as String))
                listOf(TemplateStep(
                    listOf(clsPiece, TemplatePiece(false, 0, null, null), sepPiece(0)),
                    listOf(clsPiece, TemplatePiece(false, 0, null, null), sepPiece(0), TemplatePiece(true, 1, null, null), sepPiece(1)),
                ))
            }
            "RobertaProcessing" -> {
                // Offsets trimmed (if trim_offsets), every type id 0: <s> A </s> and <s> A </s> </s> B </s>.
                val sep = p["sep"] as? List<*> ?: listOf("</s>", 2L)
                val cls = p["cls"] as? List<*> ?: listOf("<s>", 0L)
                val clsPiece = TemplatePiece(false, 0, intArrayOf(intValue(cls[1], "cls id")), arrayOf(cls[0] as String))
                val sepPiece = TemplatePiece(false, 0, intArrayOf(intValue(sep[1], "sep id")), arrayOf(sep[0] as String))
                val a = TemplatePiece(false, 0, null, null)
                val b = TemplatePiece(true, 0, null, null)
                val trim = if (p["trim_offsets"] as? Boolean ?: true) listOf(TrimOffsetsStep(p["add_prefix_space"] as? Boolean ?: true)) else emptyList()
                trim + TemplateStep(listOf(clsPiece, a, sepPiece), listOf(clsPiece, a, sepPiece, sepPiece, b, sepPiece))
            }
            "ByteLevel" ->
                if (p["trim_offsets"] as? Boolean ?: true) listOf(TrimOffsetsStep(p["add_prefix_space"] as? Boolean ?: true)) else emptyList()
            "Sequence" -> (p["processors"] as? List<*> ?: throw UnsupportedTokenizerException("post_processor Sequence has no processors"))
                .flatMap {
                    val inner = it as? Map<*, *> ?: throw UnsupportedTokenizerException("malformed post_processor in Sequence")
                    if (inner["type"] == "Sequence") throw UnsupportedTokenizerException("unsupported post_processor: a Sequence inside a Sequence")
                    processorSteps(inner)
                }
            else -> throw UnsupportedTokenizerException(
                "unsupported post_processor ${p["type"]}: only TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel and Sequence are supported")
        }
    }
}
