package dev.edgepack.app

import android.content.Context
import dev.edgepack.kit.BundleManifest
import dev.edgepack.kit.Encoding
import dev.edgepack.kit.GenerationSpec
import dev.edgepack.kit.LanguageModel
import dev.edgepack.kit.ModelInputs
import dev.edgepack.kit.Tokenizer
import java.io.File
import org.pytorch.executorch.EValue
import org.pytorch.executorch.Module
import org.pytorch.executorch.Tensor

/** The bundle's model, tokenizer and manifest, loaded from the app's assets. */
class EdgepackModel private constructor(
    val manifest: BundleManifest,
    val tokenizer: Tokenizer,
    val variant: BundleManifest.Variant,
    private val module: Module,
    /** The task's starting data (task_data.json), for screens that have some. */
    val taskData: String?,
) {
    /** [text] (and [pair]) tokenized and right-padded to the program's minimum length. */
    fun encode(text: String, pair: String? = null): Encoding = tokenizer.pad(tokenizer.encode(text, pair), manifest.minSeqLen)

    fun run(encoding: Encoding): Map<String, FloatArray> = run(ModelInputs.of(encoding, manifest))

    /** Runs the model on its inputs, in the manifest's order; returns each output by its manifest name. */
    fun run(inputs: ModelInputs): Map<String, FloatArray> {
        val tensors = manifest.inputNames.map { EValue.from(Tensor.fromBlob(inputs.byName(it), inputs.shape)) }
        val outputs = module.forward(*tensors.toTypedArray())
        require(outputs.size == manifest.outputNames.size) { "model returned ${outputs.size} outputs, manifest lists ${manifest.outputNames.size}" }
        return manifest.outputNames.withIndex().associate { (i, name) -> name to outputs[i].toTensor().dataAsFloatArray }
    }

    /** The text-generation program as the chat kit drives it; its key/value cache lives in the loaded method. */
    fun languageModel(): ExecuTorchLanguageModel = ExecuTorchLanguageModel(module, GenerationSpec.of(manifest).vocabSize)

    fun close() = module.destroy()

    companion object {
        const val MODEL_ASSET = "model-int8-dynamic.pte"
        const val TASK_DATA = "task_data.json"

        fun load(context: Context): EdgepackModel {
            val assets = context.assets
            val manifest = BundleManifest.fromJson(assets.open("manifest.json").bufferedReader().use { it.readText() })
            val tokenizer = Tokenizer.fromJson(assets.open("tokenizer.json").bufferedReader().use { it.readText() })
            // ExecuTorch loads from a file path: copy the asset out once.
            val file = File(context.filesDir, MODEL_ASSET)
            if (!file.exists()) {
                assets.open(MODEL_ASSET).use { input -> file.outputStream().use { input.copyTo(it) } }
            }
            val taskData = if (TASK_DATA in assets.list("").orEmpty()) assets.open(TASK_DATA).bufferedReader().use { it.readText() } else null
            return EdgepackModel(manifest, tokenizer, manifest.variantForFile(MODEL_ASSET), Module.load(file.absolutePath), taskData)
        }
    }
}

/**
 * `forward(input_ids [1, n], cache_position [n]) -> logits [1, n, vocab]` of a text-generation .pte. The cache
 * is the program's mutable state, kept by ExecuTorch inside the loaded method between calls: each call writes
 * positions start..start+n-1 and attends to the positions before, so a new conversation starts again at 0.
 */
class ExecuTorchLanguageModel(private val module: Module, private val vocabSize: Int) : LanguageModel {
    /** Every position's logits row, [tokens.size * vocab] (the device test reads them teacher-forced). */
    fun logits(tokens: IntArray, start: Int): FloatArray {
        val n = tokens.size.toLong()
        val ids = Tensor.fromBlob(LongArray(tokens.size) { tokens[it].toLong() }, longArrayOf(1, n))
        val positions = Tensor.fromBlob(LongArray(tokens.size) { (start + it).toLong() }, longArrayOf(n))
        val logits = module.forward(EValue.from(ids), EValue.from(positions))[0].toTensor().dataAsFloatArray
        require(logits.size == tokens.size * vocabSize) { "model returned ${logits.size} logits for ${tokens.size} tokens x $vocabSize" }
        return logits
    }

    override fun nextLogits(tokens: IntArray, start: Int): FloatArray {
        val logits = logits(tokens, start)
        return logits.copyOfRange(logits.size - vocabSize, logits.size)
    }
}
