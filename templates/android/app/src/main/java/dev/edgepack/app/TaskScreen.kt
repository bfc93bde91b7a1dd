package dev.edgepack.app

import android.os.SystemClock
import android.text.SpannableString
import android.text.Spanned
import android.text.style.BackgroundColorSpan
import android.text.style.ClickableSpan
import android.view.View
import dev.edgepack.kit.AnswerSpan
import dev.edgepack.kit.Encoding
import dev.edgepack.kit.FillMask
import dev.edgepack.kit.Postprocess
import dev.edgepack.kit.QuestionAnswering
import dev.edgepack.kit.SentenceEmbedding
import dev.edgepack.kit.TextSpans
import dev.edgepack.kit.TokenClassification

/** One run's answer as the screen shows it, and where the time went (summed over the model runs it took). */
class Shown(val answer: CharSequence, val tokens: Int, val tokenizeMillis: Double, val modelMillis: Double)

/**
 * What the screen does for the bundle's task, chosen by the manifest's `task.postprocessing.kind`:
 * how it reads its two fields, runs the model and shows the answer. Each task's post-processing is
 * the kit's (plain Kotlin, replayed on the JVM against the bundle's test vectors); this file only
 * runs the model and lays the answer out, mirroring what `edgepack run` prints for the bundle.
 */
abstract class TaskScreen(protected val model: EdgepackModel) {
    /** Whether the second field shows: the second text of a pair, a context, the sentences to search. */
    open val usesSecondField: Boolean get() = model.manifest.pairInput

    /** What the second field starts with. */
    open val secondFieldText: String get() = ""

    /** [onTap] receives what to show when the user taps part of the answer. */
    abstract fun run(text: String, second: String, onTap: (String) -> Unit): Shown

    private var tokenizeNanos = 0L
    private var modelNanos = 0L
    private var tokens = 0

    /** Tokenizes and runs the model, counting the time each step takes. */
    protected fun infer(text: String, pair: String? = null): Pair<Encoding, Map<String, FloatArray>> {
        val started = SystemClock.elapsedRealtimeNanos()
        val encoding = model.encode(text, pair)
        val tokenized = SystemClock.elapsedRealtimeNanos()
        val outputs = model.run(encoding)
        tokenizeNanos += tokenized - started
        modelNanos += SystemClock.elapsedRealtimeNanos() - tokenized
        tokens += encoding.ids.size
        return encoding to outputs
    }

    protected fun shown(answer: CharSequence): Shown =
        Shown(answer, tokens, tokenizeNanos / 1e6, modelNanos / 1e6).also { tokenizeNanos = 0; modelNanos = 0; tokens = 0 }

    companion object {
        fun forBundle(model: EdgepackModel): TaskScreen = when (val kind = model.manifest.postprocessing["kind"]) {
            "single-label-classification" -> Labels(model)
            TokenClassification.KIND -> Entities(model)
            SentenceEmbedding.KIND -> Search(model)
            QuestionAnswering.KIND -> Answer(model)
            FillMask.KIND -> Candidates(model)
            else -> throw IllegalArgumentException("this app has no screen for post-processing kind $kind")
        }

        private val HIGHLIGHTS = intArrayOf(0x5533B5E5, 0x5599CC00, 0x55FFBB33, 0x55AA66CC, 0x55FF4444)

        /** The same colour for the same label on every run. */
        fun highlight(label: String): Int = HIGHLIGHTS[Math.floorMod(label.hashCode(), HIGHLIGHTS.size)]
    }
}

/** Classification: the labels, most probable first, with their probabilities. */
private class Labels(model: EdgepackModel) : TaskScreen(model) {
    override fun run(text: String, second: String, onTap: (String) -> Unit): Shown {
        val (_, outputs) = infer(text, if (model.manifest.pairInput) second else null)
        val ranked = Postprocess.classify(outputs, model.manifest).take(5)
        return shown(ranked.joinToString("\n") { "%-28s %6.2f %%".format(it.label, it.probability * 100) })
    }
}

/** NER: the text with each entity highlighted and followed by its label; tapping an entity shows its score. */
private class Entities(model: EdgepackModel) : TaskScreen(model) {
    override fun run(text: String, second: String, onTap: (String) -> Unit): Shown {
        val (encoding, outputs) = infer(text)
        val entities = TokenClassification.entities(outputs, model.manifest, text, encoding).sortedBy { it.start }
        if (entities.isEmpty()) return shown("No entities in this text.")
        // Labels go in after each entity, so the spans are placed in the marked-up text, in UTF-16 units.
        val marked = StringBuilder()
        val spans = ArrayList<Triple<Int, Int, () -> Unit>>()
        var cursor = 0
        for (entity in entities) {
            marked.append(TextSpans.slice(text, cursor, entity.start))
            val from = marked.length
            marked.append(entity.text).append(" (").append(entity.label).append(")")
            val detail = "%s \"%s\": score %.3f, characters %d-%d".format(entity.label, entity.text, entity.score, entity.start, entity.end)
            spans.add(Triple(from, marked.length, { onTap(detail) }))
            cursor = entity.end
        }
        marked.append(TextSpans.slice(text, cursor, text.codePointCount(0, text.length)))
        val styled = SpannableString(marked)
        for ((entity, span) in entities.zip(spans)) {
            styled.setSpan(BackgroundColorSpan(highlight(entity.label)), span.first, span.second, Spanned.SPAN_EXCLUSIVE_EXCLUSIVE)
            styled.setSpan(object : ClickableSpan() {
                override fun onClick(widget: View) = span.third()
            }, span.first, span.second, Spanned.SPAN_EXCLUSIVE_EXCLUSIVE)
        }
        return shown(styled)
    }
}

/** Question answering: the context with the answer highlighted, and the answer with its score. */
private class Answer(model: EdgepackModel) : TaskScreen(model) {
    override val usesSecondField = true

    override fun run(text: String, second: String, onTap: (String) -> Unit): Shown {
        val (encoding, outputs) = infer(text, second)
        val sequenceIds = QuestionAnswering.sequenceIds(encoding, QuestionAnswering.questionTokens(model.tokenizer, text))
        val answer: AnswerSpan = QuestionAnswering.answer(outputs, model.manifest, second, encoding.attentionMask, sequenceIds,
                                                          encoding.offsets)
            ?: return shown("No answer: none of the context fits in the model's maximum length after the question.")
        val heading = "Answer: \"%s\" (score %.3f)\n\n".format(answer.text, answer.score)
        val styled = SpannableString(heading + second)
        styled.setSpan(BackgroundColorSpan(highlight("answer")), heading.length + TextSpans.utf16(second, answer.start),
                       heading.length + TextSpans.utf16(second, answer.end), Spanned.SPAN_EXCLUSIVE_EXCLUSIVE)
        return shown(styled)
    }
}

/** Sentence embeddings: a small semantic search over the sentences of the second field (one a line). */
private class Search(model: EdgepackModel) : TaskScreen(model) {
    // Sentences are embedded once; editing the list only embeds the new lines.
    private val embeddings = HashMap<String, FloatArray>()

    override val usesSecondField = true
    override val secondFieldText: String
        get() = model.taskData?.let { SentenceEmbedding.sentences(it).joinToString("\n") } ?: ""

    override fun run(text: String, second: String, onTap: (String) -> Unit): Shown {
        val sentences = second.lines().map { it.trim() }.filter { it.isNotEmpty() }.distinct()
        if (sentences.isEmpty()) return shown("Add sentences to search, one a line.")
        val query = SentenceEmbedding.embedding(infer(text).second, model.manifest)
        val candidates = sentences.map { sentence ->
            sentence to embeddings.getOrPut(sentence) { SentenceEmbedding.embedding(infer(sentence).second, model.manifest) }
        }
        val ranked = SentenceEmbedding.rank(query, candidates)
        return shown(ranked.joinToString("\n") { "%.3f  %s".format(it.score, it.sentence) })
    }
}

/** Fill-mask: for each mask, the top candidates with their probabilities and the sentence the best one completes. */
private class Candidates(model: EdgepackModel) : TaskScreen(model) {
    private val maskToken = FillMask.maskToken(model.manifest)

    override fun run(text: String, second: String, onTap: (String) -> Unit): Shown {
        if (maskToken !in text) return shown("Write $maskToken where the word to predict goes.")
        val (encoding, outputs) = infer(text)
        val predictions = FillMask.predict(outputs, model.manifest, encoding.ids, encoding.attentionMask, model.tokenizer)
        if (predictions.isEmpty()) return shown("The $maskToken was cut off: the text is longer than the model reads.")
        return shown(predictions.mapIndexed { number, prediction ->
            val lines = prediction.candidates.map { "%6.2f %%  %s".format(it.score * 100, it.tokenStr) }
            (listOf("$maskToken ${number + 1}:") + lines + "→ ${prediction.candidates.first().sequence}").joinToString("\n")
        }.joinToString("\n\n"))
    }
}
