import Foundation

/// A candidate for one mask: its probability, token id, the token as text, and the sentence it completes.
public struct Candidate: Equatable, Sendable {
    public let score: Double
    public let token: Int
    public let tokenStr: String
    public let sequence: String
}

/// The candidates for the mask at sequence position `position`, best first.
public struct MaskPrediction: Equatable, Sendable {
    public let position: Int
    public let candidates: [Candidate]
}

/// Fill-mask, manifest kind "fill-mask": the vocabulary's scores at each mask token -> the top_k
/// candidates, following `task.postprocessing` (rows, softmax, candidates, token_str, sequence). The
/// Python reference is `fill_mask` in builder/tasks/fill_mask.py (transformers' fill-mask pipeline).
public enum FillMask {
    public static let kind = "fill-mask"

    /// One prediction per mask token of `inputIds` (padded or not), from the model's outputs for them.
    public static func predict(_ outputs: [String: [Float]], manifest: BundleManifest, inputIds: [Int], attentionMask: [Int],
                               tokenizer: Tokenizer) throws -> [MaskPrediction] {
        let spec = try manifest.postprocessing.require(kind)
        let maskId = try spec.int("mask_token_id")
        let topK = try spec.int("top_k")
        let name = try spec.string("read_output")
        guard let logits = outputs[name] else { throw BundleError("the model produced no output named \(name)") }
        guard !inputIds.isEmpty, logits.count % inputIds.count == 0 else {
            throw BundleError("output \(name) has \(logits.count) values for \(inputIds.count) tokens")
        }
        let vocab = logits.count / inputIds.count
        let softmax = try spec.bool("apply_softmax", default: false)
        let positions = inputIds.indices.filter { inputIds[$0] == maskId && attentionMask[$0] == 1 }
        let single = positions.count == 1
        return try positions.map { position in
            let row = position * vocab
            let probabilities = softmax ? Postprocess.softmax(logits, from: row, to: row + vocab)
                                        : logits[row..<(row + vocab)].map(Double.init)
            return MaskPrediction(position: position, candidates: try best(probabilities, topK).map { token in
                var filled = inputIds
                filled[position] = token
                return Candidate(score: probabilities[token], token: token,
                                 tokenStr: try tokenizer.decode([token], skipSpecialTokens: false),
                                 sequence: try tokenizer.decode(filled.filter { $0 != manifest.padTokenId }, skipSpecialTokens: single))
            })
        }
    }

    /// The text that marks where a word is missing (the manifest's mask_token, e.g. [MASK]).
    public static func maskToken(_ manifest: BundleManifest) throws -> String {
        try manifest.postprocessing.require(kind).string("mask_token")
    }

    /// The `k` ids with the highest probability, best first; equal ones by lower id.
    public static func best(_ probabilities: [Double], _ k: Int) -> [Int] {
        Array(probabilities.indices.sorted { probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1 }.prefix(k))
    }
}
