package dev.edgepack.app

import androidx.test.ext.junit.runners.AndroidJUnit4
import androidx.test.platform.app.InstrumentationRegistry
import dev.edgepack.kit.Json
import dev.edgepack.kit.ModelInputs
import kotlin.math.abs
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith

/**
 * On the device: every test vector of the bundle through the Kotlin tokenizer (same ids as
 * Hugging Face at build time) and through the .pte on this phone's ExecuTorch runtime
 * (outputs within the max_abs_error the variant was verified with).
 */
@RunWith(AndroidJUnit4::class)
class TestVectorsTest {
    @Test
    fun vectorsReplayOnTheDevice() {
        val context = InstrumentationRegistry.getInstrumentation().targetContext
        val model = EdgepackModel.load(context)
        val limit = model.variant.thresholds["max_abs_error"] ?: 1e-3
        @Suppress("UNCHECKED_CAST")
        val root = Json.parse(context.assets.open("test_vectors.json").bufferedReader().use { it.readText() }) as Map<String, Any?>
        @Suppress("UNCHECKED_CAST")
        val vectors = root["vectors"] as List<Map<String, Any?>>
        for (vector in vectors) {
            val text = vector["text"] as String
            val pair = vector["text_pair"] as String?
            @Suppress("UNCHECKED_CAST")
            val expectedIds = (vector["input_ids"] as List<Number>).map { it.toLong() }.toLongArray()
            val encoding = model.tokenizer.pad(model.tokenizer.encode(text, pair), expectedIds.size)
            val inputs = ModelInputs.of(encoding, model.manifest)
            assertArrayEquals("ids of \"$text\"", expectedIds, inputs.inputIds)
            val outputs = model.run(inputs)
            @Suppress("UNCHECKED_CAST")
            val expected = vector["expected"] as Map<String, Any?>
            // Fill-mask vectors keep only the mask rows (positions) of the sequence axis.
            @Suppress("UNCHECKED_CAST")
            val positions = (vector["positions"] as List<Number>?)?.map { it.toInt() }
            for (name in model.manifest.outputNames) {
                val reference = flat(expected.getValue(name))
                val full = outputs.getValue(name)
                val actual = if (positions == null) full.toList() else {
                    val width = full.size / inputs.inputIds.size
                    positions.flatMap { row -> (row * width until (row + 1) * width).map { full[it] } }
                }
                assertEquals("$name of \"$text\": number of values", reference.size, actual.size)
                val error = reference.indices.maxOfOrNull { abs(reference[it] - actual[it]).toDouble() } ?: 0.0
                assertTrue("$name of \"$text\": max abs error $error > $limit", error <= limit)
            }
        }
        model.close()
    }

    private fun flat(value: Any?): List<Float> = if (value is List<*>) value.flatMap { flat(it) } else listOf((value as Number).toFloat())
}
