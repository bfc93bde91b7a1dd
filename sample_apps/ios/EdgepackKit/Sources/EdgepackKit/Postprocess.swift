import Foundation

/// One label and its probability.
public struct LabelScore: Equatable, Sendable {
    public let label: String
    public let probability: Float
}

/// Turns the model's outputs into an answer as the manifest's `task.postprocessing` says.
/// Foundation only, so it is tested with the bundle's own test vectors on any platform.
public enum Postprocess {
    /// All labels, most probable first, from the output the manifest names.
    public static func classify(_ outputs: [String: [Float]], manifest: BundleManifest) throws -> [LabelScore] {
        let spec = manifest.postprocessing
        guard let values = outputs[spec.readOutput] else {
            throw BundleError("the model produced no output named \(spec.readOutput)")
        }
        guard values.count == spec.labels.count else {
            throw BundleError("output \(spec.readOutput) has \(values.count) values for \(spec.labels.count) labels")
        }
        let probabilities = spec.applySoftmax ? softmax(values) : values
        return ranked(zip(spec.labels, probabilities).map { LabelScore(label: $0, probability: $1) })
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
