import CoreML
import EdgepackKit
import Foundation

/// The bundle's Core ML model with its tokenizer and manifest, as the app ships them.
///
/// Everything here uses Foundation, Core ML and EdgepackKit only (no SwiftUI), so that it is
/// typechecked against a stub of the Core ML API on machines without Core ML.
///
/// Sendable so the screen can load and run it off the main thread: every property is set once
/// in init, and the screen runs one prediction at a time.
final class EdgepackModel: @unchecked Sendable {
    let tokenizer: Tokenizer
    let manifest: BundleManifest
    let variant: BundleManifest.Variant
    let computeUnits: MLComputeUnits
    private let model: MLModel

    /// A text's answer: every label, most probable first, and where the time went.
    struct Prediction: Sendable {
        let ranked: [LabelScore]
        let tokenCount: Int
        let paddedLength: Int
        let tokenizeMilliseconds: Double
        let modelMilliseconds: Double
    }

    /// Loads from `resources` (the app bundle; in the app's tests, the host app's bundle).
    /// `computeUnits` defaults to the units the bundle's target profile chose.
    init(resources: Bundle = .main, computeUnits: MLComputeUnits? = nil) throws {
        manifest = try BundleManifest(contentsOf: try EdgepackModel.resource(AppConfig.manifestResource, "json", in: resources))
        tokenizer = try Tokenizer(contentsOf: try EdgepackModel.resource(AppConfig.tokenizerResource, "json", in: resources))
        variant = try manifest.variant(forFile: AppConfig.modelFile)
        self.computeUnits = try computeUnits ?? EdgepackModel.units(named: variant.computeUnits ?? "ALL")
        let configuration = MLModelConfiguration()
        configuration.computeUnits = self.computeUnits
        // Xcode compiles the .mlpackage in the app target into <name>.mlmodelc.
        let compiled = try EdgepackModel.resource(AppConfig.modelResource, "mlmodelc", in: resources)
        model = try MLModel(contentsOf: compiled, configuration: configuration)
    }

    /// `pair`: the second text, for a pair model (manifest.pairInput).
    func predict(_ text: String, pair: String? = nil) throws -> Prediction {
        let start = DispatchTime.now()
        let inputs = try ModelInputs.make(text: text, pair: pair, tokenizer: tokenizer, manifest: manifest, variant: variant)
        let tokenized = DispatchTime.now()
        let outputs = try run(inputs)
        let done = DispatchTime.now()
        return Prediction(
            ranked: try Postprocess.classify(outputs, manifest: manifest),
            tokenCount: inputs.tokenCount,
            paddedLength: inputs.inputIds.count,
            tokenizeMilliseconds: EdgepackModel.milliseconds(start, tokenized),
            modelMilliseconds: EdgepackModel.milliseconds(tokenized, done)
        )
    }

    /// Runs the model: output name -> values in row-major order. A classifier's probability
    /// dictionary comes back as an array in the manifest's label order, like the eager model's.
    func run(_ inputs: ModelInputs) throws -> [String: [Float]] {
        var arrays: [String: Any] = [:]
        for name in manifest.inputNames {
            arrays[name] = try EdgepackModel.int32Array(try inputs.values(named: name))
        }
        let features = try MLDictionaryFeatureProvider(dictionary: arrays)
        let result = try model.prediction(from: features)
        var outputs: [String: [Float]] = [:]
        for name in result.featureNames {
            guard let value = result.featureValue(for: name) else { continue }
            if let array = value.multiArrayValue {
                outputs[name] = (0..<array.count).map { array[$0].floatValue }
            } else if value.type == .dictionary {
                let probabilities = value.dictionaryValue
                outputs[name] = try manifest.labels.map { label in
                    guard let probability = probabilities[AnyHashable(label)] else {
                        throw BundleError("Core ML output \(name) has no entry for label \(label)")
                    }
                    return probability.floatValue
                }
            }
        }
        return outputs
    }

    static func units(named name: String) throws -> MLComputeUnits {
        switch name {
        case "ALL": return .all
        case "CPU_ONLY": return .cpuOnly
        case "CPU_AND_GPU": return .cpuAndGPU
        case "CPU_AND_NE": return .cpuAndNeuralEngine
        default: throw BundleError("unknown compute units \(name) in the manifest")
        }
    }

    private static func resource(_ name: String, _ type: String, in bundle: Bundle) throws -> URL {
        guard let url = bundle.url(forResource: name, withExtension: type) else {
            throw BundleError("\(name).\(type) is not in the app bundle; is it in the app target's resources?")
        }
        return url
    }

    private static func int32Array(_ values: [Int32]) throws -> MLMultiArray {
        let array = try MLMultiArray(shape: [1, NSNumber(value: values.count)], dataType: .int32)
        for (index, value) in values.enumerated() {
            array[index] = NSNumber(value: value)
        }
        return array
    }

    private static func milliseconds(_ from: DispatchTime, _ to: DispatchTime) -> Double {
        Double(to.uptimeNanoseconds - from.uptimeNanoseconds) / 1_000_000
    }
}
