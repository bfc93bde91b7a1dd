package dev.edgepack.kit

/** Token ids and attention mask as the exported model takes them: int64, shape [1, seq]. */
class ModelInputs(val inputIds: LongArray, val attentionMask: LongArray) {
    val shape: LongArray get() = longArrayOf(1, inputIds.size.toLong())

    companion object {
        /** Encodes `text` and right-pads to the program's minimum length (pad id, mask 0). */
        fun of(text: String, tokenizer: Tokenizer, manifest: BundleManifest): ModelInputs {
            var encoding = tokenizer.encode(text)
            if (encoding.ids.size < manifest.minSeqLen) encoding = tokenizer.pad(encoding, manifest.minSeqLen)
            return ModelInputs(
                LongArray(encoding.ids.size) { encoding.ids[it].toLong() },
                LongArray(encoding.attentionMask.size) { encoding.attentionMask[it].toLong() },
            )
        }
    }
}
