import Foundation

/// A sentence and its cosine similarity to the query.
public struct Match: Equatable, Sendable {
    public let sentence: String
    public let score: Double
}

/// Sentence embeddings, manifest kind "sentence-embedding": the model's output is the final vector
/// (pooling and normalisation are in the graph); a search ranks sentences by cosine similarity to a
/// query, as `present` in builder/tasks/feature_extraction.py does.
public enum SentenceEmbedding {
    public static let kind = "sentence-embedding"

    /// The embedding the manifest's `read_output` names.
    public static func embedding(_ outputs: [String: [Float]], manifest: BundleManifest) throws -> [Float] {
        let spec = try manifest.postprocessing.require(kind)
        let name = try spec.string("read_output")
        guard let values = outputs[name] else { throw BundleError("the model produced no output named \(name)") }
        if spec.has("dimension"), try values.count != spec.int("dimension") {
            throw BundleError("output \(name) has \(values.count) values, not \(try spec.int("dimension"))")
        }
        return values
    }

    /// Dot product over both lengths, in Double; a zero vector scores 0 instead of dividing by zero.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "embeddings of \(a.count) and \(b.count) values")
        var dot = 0.0, normA = 0.0, normB = 0.0
        for i in a.indices {
            dot += Double(a[i]) * Double(b[i])
            normA += Double(a[i]) * Double(a[i])
            normB += Double(b[i]) * Double(b[i])
        }
        return dot / max(normA.squareRoot() * normB.squareRoot(), 1e-30)
    }

    /// `sentences` by cosine similarity to `query`, best first (equal scores keep their order).
    public static func rank(_ query: [Float], _ sentences: [(String, [Float])]) -> [Match] {
        sentences.enumerated()
            .map { (offset: $0.offset, match: Match(sentence: $0.element.0, score: cosine(query, $0.element.1))) }
            .sorted { $0.match.score != $1.match.score ? $0.match.score > $1.match.score : $0.offset < $1.offset }
            .map(\.match)
    }

    /// The sentences the search starts with: `sentences` of the app's task_data.json.
    public static func sentences(taskData: Data) throws -> [String] {
        try JSONFields.parse(taskData, context: "task_data").strings("sentences")
    }
}
