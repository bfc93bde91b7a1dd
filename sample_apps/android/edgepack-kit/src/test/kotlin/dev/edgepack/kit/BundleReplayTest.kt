package dev.edgepack.kit

import java.io.File
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Test

/**
 * Replays the bundle's test vectors through the tokenizer and the post-processing, on the
 * JVM: the ids must equal the ones Hugging Face produced at build time, and the reference
 * outputs must post-process to the answer recorded with them.
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
        for (vector in vectors) {
            val expected = vector["expected"].obj()
            val outputs = manifest.outputNames.associateWith { name ->
                expected[name].list()[0].list().map { (it as Number).toFloat() }.toFloatArray()
            }
            val ranked = Postprocess.classify(outputs, manifest)
            assertEquals("answer for \"${vector["text"]}\"", vector["expected_answer"].str(), ranked.first().label)
            assertEquals(1.0f, ranked.map { it.probability }.sum(), 1e-3f)
        }
    }
}
