package dev.edgepack.kit

/**
 * The parts of an edgepack bundle's manifest.json an app needs: labels, one text or a pair, how to read the
 * outputs, sequence-length rules, and the parity tolerance the model was verified with.
 */
class BundleManifest(
    val modelName: String,
    val task: String,
    val labels: List<String>,
    /** The model reads a pair of texts (the manifest's task.input is "text-pair"): the app asks for both. */
    val pairInput: Boolean,
    val postprocessing: Map<String, Any?>,
    val inputNames: List<String>,
    val outputNames: List<String>,
    val minSeqLen: Int,
    val maxSeqLen: Int,
    val padTokenId: Int,
    val variants: List<Variant>,
) {
    /** One artifact: its parity gate ([thresholds]) and what the build measured against it ([figures]). */
    class Variant(val name: String, val file: String, val thresholds: Map<String, Double>, val figures: Map<String, Double>)

    /** The variant whose artifact is `fileName` (e.g. "model-int8-dynamic.pte"). */
    fun variantForFile(fileName: String): Variant =
        variants.firstOrNull { it.file.substringAfterLast('/') == fileName }
            ?: throw IllegalArgumentException("manifest lists no variant with file $fileName")

    companion object {
        const val SCHEMA_VERSION = 2L

        fun fromJson(text: String): BundleManifest {
            val root = Json.parse(text).obj()
            val schema = root["schema_version"].long()
            require(schema == SCHEMA_VERSION) { "manifest schema $schema; this app reads schema $SCHEMA_VERSION" }
            val model = root["model"].obj()
            val task = root["task"].obj()
            val seq = root["sequence_length"].obj()
            return BundleManifest(
                modelName = model["name"].str(),
                task = task["name"].str(),
                labels = task["labels"].list().map { it.str() },
                pairInput = task["input"] == "text-pair",
                postprocessing = task["postprocessing"].obj(),
                inputNames = root["inputs"].list().map { it.obj()["name"].str() },
                outputNames = root["outputs"].list().map { it.obj()["name"].str() },
                minSeqLen = seq["min"].long().toInt(),
                maxSeqLen = seq["max"].long().toInt(),
                padTokenId = seq["pad_token_id"].long().toInt(),
                variants = root["variants"].list().map { entry ->
                    val v = entry.obj()
                    val parity = v["parity"].obj()
                    fun numbers(key: String) = (parity[key] as? Map<*, *>).orEmpty().entries
                        .filter { it.value is Number }.associate { it.key as String to (it.value as Number).toDouble() }
                    Variant(v["name"].str(), v["file"].str(), numbers("thresholds"), numbers("figures"))
                },
            )
        }
    }
}

@Suppress("UNCHECKED_CAST")
internal fun Any?.obj(): Map<String, Any?> = this as? Map<String, Any?> ?: throw IllegalArgumentException("expected a JSON object, got $this")

@Suppress("UNCHECKED_CAST")
internal fun Any?.list(): List<Any?> = this as? List<Any?> ?: throw IllegalArgumentException("expected a JSON array, got $this")

internal fun Any?.str(): String = this as? String ?: throw IllegalArgumentException("expected a JSON string, got $this")

internal fun Any?.long(): Long = when (this) {
    is Long -> this
    is Int -> this.toLong()
    is Double -> if (this % 1.0 == 0.0) this.toLong() else throw IllegalArgumentException("expected an integer, got $this")
    else -> throw IllegalArgumentException("expected a JSON number, got $this")
}
