import Foundation

/// Token ids and attention mask as the exported model takes them, shape [1, seq]: the
/// encoding right-padded (pad id, mask 0) to a length the model accepts.
public struct ModelInputs: Equatable {
    public let inputIds: [Int32]
    public let attentionMask: [Int32]
    /// Tokens before padding.
    public let tokenCount: Int

    public var shape: [Int] { [1, inputIds.count] }

    public init(inputIds: [Int32], attentionMask: [Int32], tokenCount: Int) {
        self.inputIds = inputIds
        self.attentionMask = attentionMask
        self.tokenCount = tokenCount
    }

    /// Encodes `text` and pads it for `variant` (its sequence shapes when it has them, else
    /// the manifest's minimum length).
    public static func make(text: String, tokenizer: Tokenizer, manifest: BundleManifest,
                            variant: BundleManifest.Variant) throws -> ModelInputs {
        try make(encoding: tokenizer.encode(text), tokenizer: tokenizer, manifest: manifest, variant: variant)
    }

    public static func make(encoding: Encoding, tokenizer: Tokenizer, manifest: BundleManifest,
                            variant: BundleManifest.Variant) throws -> ModelInputs {
        let shapes = variant.sequenceShapes ?? .range(min: manifest.minSeqLen, max: manifest.maxSeqLen)
        let count = encoding.ids.count
        guard let length = shapes.acceptedLength(for: count) else {
            throw BundleError("\(count) tokens is longer than the model accepts (\(manifest.maxSeqLen))")
        }
        let padded = tokenizer.pad(encoding, to: length)
        return ModelInputs(inputIds: padded.ids.map { Int32($0) },
                           attentionMask: padded.attentionMask.map { Int32($0) }, tokenCount: count)
    }
}
