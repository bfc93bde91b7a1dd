import Foundation

/// An entity span: its type (label without B-/I-), [start, end) in code points of the text, its score and text.
public struct Entity: Equatable, Sendable {
    public let label: String
    public let start: Int
    public let end: Int
    public let score: Double
    public let text: String
}

/// Token classification (NER), manifest kind "token-classification": per-token label scores -> entity
/// spans, following `task.postprocessing` (skip_tokens, word_pieces, grouping, span, score). The Python
/// reference is `aggregate_entities` in builder/tasks/token_classification.py.
public enum TokenClassification {
    public static let kind = "token-classification"

    /// The entities of `text`, from the model's outputs for its `encoding` (padded or not).
    public static func entities(_ outputs: [String: [Float]], manifest: BundleManifest, text: String,
                                encoding: Encoding) throws -> [Entity] {
        try entities(outputs, manifest: manifest, text: text, attentionMask: encoding.attentionMask,
                     offsets: encoding.offsets, wordIds: encoding.wordIds)
    }

    /// `wordIds`: -1 for a token without a word (special tokens, padding).
    public static func entities(_ outputs: [String: [Float]], manifest: BundleManifest, text: String,
                                attentionMask: [Int], offsets: [[Int]], wordIds: [Int]) throws -> [Entity] {
        let spec = try manifest.postprocessing.require(kind)
        let labels = try spec.strings("labels")
        let outside = try spec.string("outside_label")
        let strategy = try spec.object("word_pieces").string("strategy")
        guard strategy == "first" || strategy == "simple" else { throw BundleError("unknown word-piece strategy \(strategy)") }
        let name = try spec.string("read_output")
        guard let values = outputs[name] else { throw BundleError("the model produced no output named \(name)") }
        let tokens = attentionMask.count
        guard values.count == tokens * labels.count else {
            throw BundleError("output \(name) has \(values.count) values for \(tokens) tokens x \(labels.count) labels")
        }
        let softmax = try spec.bool("apply_softmax", default: false)

        // Words: runs of tokens with the same word id ("first"), or every token alone ("simple").
        var units: [[Int]] = []
        for i in 0..<tokens where attentionMask[i] != 0 && wordIds[i] >= 0 {
            if strategy == "first", let last = units.last?.last, wordIds[last] == wordIds[i] {
                units[units.count - 1].append(i)
            } else {
                units.append([i])
            }
        }
        // Each word takes the label and score of its first token.
        struct Word { let label: String; let score: Double; let start: Int; let end: Int }
        let words = units.map { unit -> Word in
            let row = unit[0] * labels.count
            let scores = softmax ? Postprocess.softmax(values, from: row, to: row + labels.count)
                                 : values[row..<(row + labels.count)].map(Double.init)
            var best = 0
            for k in 1..<labels.count where scores[k] > scores[best] { best = k }
            return Word(label: labels[best], score: scores[best], start: offsets[unit[0]][0], end: offsets[unit[unit.count - 1]][1])
        }
        var groups: [[Word]] = []
        for word in words {
            let (prefix, type) = splitTag(word.label)
            if let current = groups.last, prefix != "B", splitTag(current[current.count - 1].label).type == type {
                groups[groups.count - 1].append(word)
            } else {
                groups.append([word])
            }
        }
        return groups.compactMap { group in
            let type = splitTag(group[0].label).type
            if type == outside { return nil }
            let start = group[0].start, end = group[group.count - 1].end
            return Entity(label: type, start: start, end: end, score: group.map(\.score).reduce(0, +) / Double(group.count),
                          text: TextSpans.slice(text, start, end))
        }
    }

    /// "B-PER" -> (B, PER), "I-PER" -> (I, PER); a label without a prefix continues (I).
    public static func splitTag(_ label: String) -> (prefix: String, type: String) {
        if label.hasPrefix("B-") { return ("B", String(label.dropFirst(2))) }
        if label.hasPrefix("I-") { return ("I", String(label.dropFirst(2))) }
        return ("I", label)
    }
}
