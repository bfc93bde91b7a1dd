package dev.edgepack.kit

/**
 * The model's inputs as the exported program takes them: int64, shape [1, seq]. Token ids and
 * attention mask always; segment ids (token_type_ids) for a model that takes them (BERT-style
 * pair classifiers), in the order the manifest lists the inputs.
 */
class ModelInputs(val inputIds: LongArray, val attentionMask: LongArray, val tokenTypeIds: LongArray? = null) {
    val shape: LongArray get() = longArrayOf(1, inputIds.size.toLong())

    /** The values of the manifest input called `name`. */
    fun byName(name: String): LongArray = when (name) {
        "input_ids" -> inputIds
        "attention_mask" -> attentionMask
        "token_type_ids" -> tokenTypeIds ?: throw IllegalArgumentException("the model takes token_type_ids but none were encoded")
        else -> throw IllegalArgumentException("this app does not know how to fill the model input $name")
    }

    companion object {
        /**
         * Encodes `text` (and `pair`, the second text of a pair model) and right-pads to the
         * program's minimum length (pad id, mask 0, segment 0).
         */
        fun of(text: String, tokenizer: Tokenizer, manifest: BundleManifest, pair: String? = null): ModelInputs {
            var encoding = tokenizer.encode(text, pair)
            if (encoding.ids.size < manifest.minSeqLen) encoding = tokenizer.pad(encoding, manifest.minSeqLen)
            return of(encoding, manifest)
        }

        /** An encoding as the inputs the manifest lists (segment ids only when the model takes them). */
        fun of(encoding: Encoding, manifest: BundleManifest): ModelInputs = ModelInputs(
            longs(encoding.ids),
            longs(encoding.attentionMask),
            if ("token_type_ids" in manifest.inputNames) longs(encoding.typeIds) else null,
        )

        private fun longs(values: IntArray) = LongArray(values.size) { values[it].toLong() }
    }
}
