package dev.edgepack.kit

import java.io.File
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/**
 * Replays the bundle's test vectors through the tokenizer and the post-processing, on the
 * JVM: the ids (and, where the task maps tokens back to the text, offsets and word ids) must
 * equal the ones Hugging Face produced at build time, and the reference outputs must
 * post-process to the answer recorded with them (`expected_decoded`, the Python reference's
 * result; scores within [SCORE_TOLERANCE]).
 */
class BundleReplayTest {
    private val assets = File(System.getProperty("edgepack.assets") ?: "app/src/main/assets")
    private val tokenizer = Tokenizer.fromJson(File(assets, "tokenizer.json").readText())
    private val manifest = BundleManifest.fromJson(File(assets, "manifest.json").readText())
    private val vectors = Json.parse(File(assets, "test_vectors.json").readText()).obj()["vectors"].list().map { it.obj() }

    @Test
    fun tokenizerReproducesTheBuildTimeIds() {
        for (vector in vectors) {
            val text = vector["text"].str()
            val pair = vector["text_pair"] as String?
            val expectedIds = vector["input_ids"].list().map { it.long().toInt() }.toIntArray()
            val expectedMask = vector["attention_mask"].list().map { it.long().toInt() }.toIntArray()
            val encoding = tokenizer.pad(tokenizer.encode(text, pair), expectedIds.size)
            assertArrayEquals("ids of \"$text\"", expectedIds, encoding.ids)
            assertArrayEquals("attention mask of \"$text\"", expectedMask, encoding.attentionMask)
            if ("offsets" in vector) {
                val expectedOffsets = vector["offsets"].list().map { pair -> pair.list().map { it.long().toInt() } }
                assertEquals("offsets of \"$text\"", expectedOffsets, encoding.offsets.map { it.toList() })
                val expectedWords = vector["word_ids"].list().map { it?.long()?.toInt() ?: Encoding.NO_WORD }
                assertEquals("word ids of \"$text\"", expectedWords, encoding.wordIds.toList())
            }
            if ("sequence_ids" in vector) {
                val expectedSequences = vector["sequence_ids"].list().map { it?.long()?.toInt() ?: -1 }
                val derived = QuestionAnswering.sequenceIds(encoding, QuestionAnswering.questionTokens(tokenizer, text))
                assertEquals("sequence ids of \"$text\"", expectedSequences, derived.toList())
            }
            if ("token_type_ids" in vector) {
                val expectedTypes = vector["token_type_ids"].list().map { it.long().toInt() }.toIntArray()
                assertArrayEquals("segment ids of \"$text\"", expectedTypes, encoding.typeIds)
                val fed = ModelInputs.of(encoding, manifest).tokenTypeIds
                assertArrayEquals("segment ids fed for \"$text\"", LongArray(expectedTypes.size) { expectedTypes[it].toLong() }, fed)
            }
        }
    }

    @Test
    fun modelInputsArePaddedToTheMinimumLength() {
        val inputs = ModelInputs.of("", tokenizer, manifest, if (manifest.pairInput) "" else null)
        assert(inputs.inputIds.size >= manifest.minSeqLen)
        assertEquals(inputs.inputIds.size, inputs.attentionMask.size)
        // Every input the model takes is filled, and only those.
        assertEquals(manifest.inputNames.map { inputs.byName(it).size }.toSet(), setOf(inputs.inputIds.size))
        assertEquals("token_type_ids" in manifest.inputNames, inputs.tokenTypeIds != null)
    }

    @Test
    fun referenceOutputsPostProcessToTheRecordedAnswer() {
        val kind = manifest.postprocessing["kind"].str()
        for (vector in vectors) {
            val outputs = referenceOutputs(vector)
            when (kind) {
                "single-label-classification" -> {
                    val ranked = Postprocess.classify(outputs, manifest)
                    assertEquals("answer for \"${vector["text"]}\"", vector["expected_answer"].str(), ranked.first().label)
                    assertEquals(1.0f, ranked.map { it.probability }.sum(), 1e-3f)
                }
                TokenClassification.KIND -> {
                    val encoding = encode(vector)
                    val entities = TokenClassification.entities(outputs, manifest, vector["text"].str(), encoding)
                    assertDecoded(vector, "entities", vector["expected_decoded"].list(), entities.map {
                        mapOf("label" to it.label, "start" to it.start, "end" to it.end, "score" to it.score, "text" to it.text)
                    })
                    assertEquals("answer for \"${vector["text"]}\"", vector["expected_answer"].str(),
                                 entities.joinToString("; ") { "${it.label}: ${it.text}" })
                }
                QuestionAnswering.KIND -> {
                    val encoding = encode(vector)
                    val question = vector["text"].str()
                    val sequenceIds = QuestionAnswering.sequenceIds(encoding, QuestionAnswering.questionTokens(tokenizer, question))
                    val answer = QuestionAnswering.answer(outputs, manifest, vector["text_pair"].str(), encoding.attentionMask,
                                                          sequenceIds, encoding.offsets)
                    val decoded = answer?.let {
                        mapOf("token_start" to it.tokenStart, "token_end" to it.tokenEnd, "start" to it.start, "end" to it.end,
                              "score" to it.score, "text" to it.text)
                    }
                    assertDecoded(vector, "answer", vector["expected_decoded"], decoded)
                    assertEquals("answer for \"$question\"", vector["expected_answer"].str(), answer?.text ?: "")
                }
                FillMask.KIND -> {
                    val ids = ints(vector["input_ids"])
                    val predictions = FillMask.predict(outputs, manifest, ids, ints(vector["attention_mask"]), tokenizer)
                    assertDecoded(vector, "candidates", vector["expected_decoded"].list(), predictions.map { prediction ->
                        mapOf("position" to prediction.position, "candidates" to prediction.candidates.map {
                            mapOf("score" to it.score, "token" to it.token, "token_str" to it.tokenStr, "sequence" to it.sequence)
                        })
                    })
                    assertEquals("answer for \"${vector["text"]}\"", vector["expected_answer"].str(),
                                 predictions.joinToString(" | ") { it.candidates.first().tokenStr })
                }
                // Every vector's embedding has the manifest's dimension; the rankings are checked below.
                SentenceEmbedding.KIND -> SentenceEmbedding.embedding(outputs, manifest)
                else -> fail("no replay for post-processing kind $kind")
            }
        }
        if (kind == SentenceEmbedding.KIND) searchRanksAsThePythonReference()
    }

    /** The built-in queries ranked over the app's sentences, from the reference embeddings, as Python ranked them. */
    private fun searchRanksAsThePythonReference() {
        val taskData = File(assets, "task_data.json").readText()
        val sentences = SentenceEmbedding.sentences(taskData)
        val byText = LinkedHashMap<String, FloatArray>()
        for (vector in vectors) byText.putIfAbsent(vector["text"].str(), SentenceEmbedding.embedding(referenceOutputs(vector), manifest))
        val rankings = Json.parse(taskData).obj()["reference_rankings"].list().map { it.obj() }
        assertTrue("task_data.json has no reference ranking to replay", rankings.isNotEmpty())
        for (ranking in rankings) {
            val query = ranking["query"].str()
            val ranked = SentenceEmbedding.rank(byText.getValue(query), sentences.map { it to byText.getValue(it) })
            assertDecoded(ranking, "ranking", ranking["ranked"].list(), ranked.map { mapOf("sentence" to it.sentence, "score" to it.score) })
        }
    }

    /** The vector's eager outputs by name, flattened; rows `expected` leaves out (positions) are NaN, so reading them fails. */
    private fun referenceOutputs(vector: Map<String, Any?>): Map<String, FloatArray> {
        val expected = vector["expected"].obj()
        val positions = vector["positions"]?.list()?.map { it.long().toInt() }
        val tokens = vector["input_ids"].list().size
        return manifest.outputNames.associateWith { name ->
            val values = flat(expected[name]).toFloatArray()
            if (positions == null) values else {
                val width = if (positions.isEmpty()) 0 else values.size / positions.size
                FloatArray(tokens * width) { Float.NaN }.also { full ->
                    positions.forEachIndexed { row, position -> values.copyInto(full, position * width, row * width, (row + 1) * width) }
                }
            }
        }
    }

    private fun encode(vector: Map<String, Any?>): Encoding =
        tokenizer.pad(tokenizer.encode(vector["text"].str(), vector["text_pair"] as String?), vector["input_ids"].list().size)


    private fun ints(value: Any?): IntArray = value.list().map { it.long().toInt() }.toIntArray()

    private fun flat(value: Any?): List<Float> = if (value is List<*>) value.flatMap { flat(it) } else listOf((value as Number).toFloat())

    /** [actual] equals the Python reference's [expected] JSON: numbers within [SCORE_TOLERANCE], everything else exactly. */
    private fun assertDecoded(vector: Map<String, Any?>, what: String, expected: Any?, actual: Any?) {
        val where = "$what of \"${vector["text"] ?: vector["query"]}\""
        val problem = difference(expected, actual, "")
        assertTrue("$where: $problem\nexpected $expected\nactual   $actual", problem == null)
    }

    private fun difference(expected: Any?, actual: Any?, path: String): String? = when {
        expected is Map<*, *> && actual is Map<*, *> ->
            if (expected.keys != actual.keys) "$path keys ${actual.keys} != ${expected.keys}"
            else expected.keys.firstNotNullOfOrNull { difference(expected[it], actual[it], "$path.$it") }
        expected is List<*> && actual is List<*> ->
            if (expected.size != actual.size) "$path has ${actual.size} items, expected ${expected.size}"
            else expected.indices.firstNotNullOfOrNull { difference(expected[it], actual[it], "$path[$it]") }
        expected is Double || actual is Double ->
            if (expected is Number && actual is Number && Math.abs(expected.toDouble() - actual.toDouble()) <= SCORE_TOLERANCE) null
            else "$path $actual != $expected"
        expected is Long && actual is Int -> if (expected == actual.toLong()) null else "$path $actual != $expected"
        else -> if (expected == actual) null else "$path $actual != $expected"
    }

    companion object {
        // Scores are float64 from float32 outputs on both sides; only summation order differs.
        const val SCORE_TOLERANCE = 1e-5
    }
}
