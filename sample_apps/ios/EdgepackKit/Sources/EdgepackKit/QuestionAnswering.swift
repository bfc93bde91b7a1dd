import Foundation

/// The answer: its first and last token (inclusive), [start, end) in code points of the context, score and text.
public struct AnswerSpan: Equatable, Sendable {
    public let tokenStart: Int
    public let tokenEnd: Int
    public let start: Int
    public let end: Int
    public let score: Double
    public let text: String
}

/// Extractive question answering, manifest kind "extractive-question-answering": start and end scores per
/// token -> the best span of the context, following `task.postprocessing` (candidates, probabilities,
/// decision, answer). The Python reference is `best_span` in builder/tasks/question_answering.py.
public enum QuestionAnswering {
    public static let kind = "extractive-question-answering"
    // The manifest's `probabilities` rule: tokens outside the softmax count as this logit.
    private static let excludedLogit: Float = -10000
    private static let context = 1

    /// The best answer in `context`, or nil when no context token is left (all cut away). `sequenceIds`:
    /// 0 for the question's tokens, 1 for the context's, -1 for special tokens and padding.
    public static func answer(_ outputs: [String: [Float]], manifest: BundleManifest, context: String,
                              attentionMask: [Int], sequenceIds: [Int], offsets: [[Int]]) throws -> AnswerSpan? {
        let spec = try manifest.postprocessing.require(kind)
        let names = try spec.strings("read_outputs")
        guard names.count == 2 else { throw BundleError("read_outputs names \(names.count) outputs, not a start and an end") }
        let maxTokens = try spec.int("max_answer_tokens")
        let n = attentionMask.count
        let candidate = (0..<n).map { attentionMask[$0] == 1 && sequenceIds[$0] == Self.context }
        guard candidate.contains(true) else { return nil }
        let inSoftmax = (0..<n).map { candidate[$0] || ($0 == 0 && attentionMask[0] == 1) }
        var pStart = try probabilities(output(outputs, names[0], n), inSoftmax)
        var pEnd = try probabilities(output(outputs, names[1], n), inSoftmax)
        pStart[0] = 0
        pEnd[0] = 0
        // Row-major first maximum, as numpy's argmax over the start x end matrix picks it.
        var best = 0.0, first = 0, last = 0
        for s in 0..<n where candidate[s] {
            for e in s..<min(n, s + maxTokens) where candidate[e] {
                let score = pStart[s] * pEnd[e]
                if score > best { (best, first, last) = (score, s, e) }
            }
        }
        guard candidate[first] && candidate[last] else { return nil }
        let start = offsets[first][0], end = offsets[last][1]
        return AnswerSpan(tokenStart: first, tokenEnd: last, start: start, end: end, score: best,
                          text: TextSpans.slice(context, start, end))
    }

    /// Which text each token of a (question, context) `encoding` came from, as tokenizers'
    /// `Encoding.sequence_ids` gives it: the first `questionTokens` tokens that have a word are the
    /// question's (the question alone, encoded, has that many), the other worded tokens the context's.
    public static func sequenceIds(_ encoding: Encoding, questionTokens: Int) -> [Int] {
        var seen = 0
        return encoding.wordIds.map { word in
            if word < 0 { return -1 }
            seen += 1
            return seen <= questionTokens ? 0 : Self.context
        }
    }

    /// The number of tokens with a word in `question` encoded alone: see `sequenceIds`.
    public static func questionTokens(_ tokenizer: Tokenizer, _ question: String) -> Int {
        tokenizer.encode(question, pair: nil).wordIds.filter { $0 >= 0 }.count
    }

    private static func output(_ outputs: [String: [Float]], _ name: String, _ tokens: Int) throws -> [Float] {
        guard let values = outputs[name] else { throw BundleError("the model produced no output named \(name)") }
        guard values.count == tokens else { throw BundleError("output \(name) has \(values.count) values for \(tokens) tokens") }
        return values
    }

    private static func probabilities(_ logits: [Float], _ inSoftmax: [Bool]) -> [Double] {
        let masked = logits.indices.map { inSoftmax[$0] ? logits[$0] : excludedLogit }
        return Postprocess.softmax(masked, from: 0, to: masked.count)
    }
}
