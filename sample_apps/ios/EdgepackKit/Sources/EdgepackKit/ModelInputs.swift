import Foundation

/// The model's inputs as the exported program takes them, shape [1, seq]: token ids and attention
/// mask, and segment ids (token_type_ids) for a model that takes them; the encoding right-padded
/// (pad id, mask 0, segment 0) to a length the model accepts.
public struct ModelInputs: Equatable {
    public let inputIds: [Int32]
    public let attentionMask: [Int32]
    /// Only for a model whose manifest lists a token_type_ids input.
    public let tokenTypeIds: [Int32]?
    /// Tokens before padding.
    public let tokenCount: Int

    public var shape: [Int] { [1, inputIds.count] }

    public init(inputIds: [Int32], attentionMask: [Int32], tokenTypeIds: [Int32]? = nil, tokenCount: Int) {
        self.inputIds = inputIds
        self.attentionMask = attentionMask
        self.tokenTypeIds = tokenTypeIds
        self.tokenCount = tokenCount
    }

    /// The values of the manifest input called `name`.
    public func values(named name: String) throws -> [Int32] {
        switch name {
        case "input_ids": return inputIds
        case "attention_mask": return attentionMask
        case "token_type_ids":
            guard let tokenTypeIds else { throw BundleError("the model takes token_type_ids but none were encoded") }
            return tokenTypeIds
        default: throw BundleError("this app does not know how to fill the model input \(name)")
        }
    }

    /// Encodes `text` (and `pair`, the second text of a pair model) and pads it for `variant` (its
    /// sequence shapes when it has them, else the manifest's minimum length).
    public static func make(text: String, pair: String? = nil, tokenizer: Tokenizer, manifest: BundleManifest,
                            variant: BundleManifest.Variant) throws -> ModelInputs {
        try make(encoding: tokenizer.encode(text, pair: pair), tokenizer: tokenizer, manifest: manifest, variant: variant)
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
                           attentionMask: padded.attentionMask.map { Int32($0) },
                           tokenTypeIds: manifest.inputNames.contains("token_type_ids") ? padded.typeIds.map { Int32($0) } : nil,
                           tokenCount: count)
    }
}
