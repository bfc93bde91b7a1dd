import Foundation

/// One label and its probability.
public struct LabelScore: Equatable, Sendable {
    public let label: String
    public let probability: Float
}

/// Single-label classification (manifest kind "single-label-classification"), and the softmax the other
/// tasks' files share: the model's outputs into an answer, as the manifest's `task.postprocessing` says.
/// Foundation only, like every post-processing file, so it is tested with the bundle's own test vectors
/// on any platform.
public enum Postprocess {
    public static let kind = "single-label-classification"

    /// All labels, most probable first, from the output the manifest names.
    public static func classify(_ outputs: [String: [Float]], manifest: BundleManifest) throws -> [LabelScore] {
        let spec = try manifest.postprocessing.require(kind)
        let name = try spec.string("read_output")
        let labels = try spec.strings("labels")
        guard let values = outputs[name] else {
            throw BundleError("the model produced no output named \(name)")
        }
        guard values.count == labels.count else {
            throw BundleError("output \(name) has \(values.count) values for \(labels.count) labels")
        }
        let probabilities = try spec.bool("apply_softmax", default: false) ? softmax(values) : values
        return ranked(zip(labels, probabilities).map { LabelScore(label: $0, probability: $1) })
    }

    /// Softmax of `values[from..<to]` in Double, as the Python reference computes it (float64).
    public static func softmax(_ values: [Float], from: Int, to: Int) -> [Double] {
        let largest = values[from..<to].map(Double.init).max() ?? 0
        let exps = values[from..<to].map { Foundation.exp(Double($0) - largest) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// A Core ML classifier's probability dictionary (label -> probability), most probable first.
    public static func classify(probabilities: [String: Double], manifest: BundleManifest) throws -> [LabelScore] {
        let unknown = Set(probabilities.keys).subtracting(manifest.labels)
        guard unknown.isEmpty, probabilities.count == manifest.labels.count else {
            throw BundleError("the classifier's labels \(probabilities.keys.sorted()) are not the manifest's \(manifest.labels)")
        }
        return ranked(manifest.labels.map { LabelScore(label: $0, probability: Float(probabilities[$0]!)) })
    }

    public static func softmax(_ logits: [Float]) -> [Float] {
        guard let largest = logits.max() else { return logits }
        let exps = logits.map { Foundation.exp(Double($0 - largest)) }
        let sum = exps.reduce(0, +)
        return exps.map { Float($0 / sum) }
    }

    // Stable: equal probabilities keep label order, as Python's sorted() does.
    private static func ranked(_ scores: [LabelScore]) -> [LabelScore] {
        scores.enumerated()
            .sorted { $0.element.probability != $1.element.probability ? $0.element.probability > $1.element.probability : $0.offset < $1.offset }
            .map { $0.element }
    }
}
