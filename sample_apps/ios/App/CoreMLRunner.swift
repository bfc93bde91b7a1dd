import CoreML
import EdgepackKit
import Foundation

/// The runtime this app was generated for: Core ML (`edgepack app BUNDLE --platform ios`).
enum ModelRuntime {
    static func load(from resources: Bundle, manifest: BundleManifest, variant: BundleManifest.Variant) throws -> any ModelRunner {
        try CoreMLRunner(resources: resources, manifest: manifest, variant: variant, computeUnits: nil)
    }
}

/// The bundle's Core ML package, compiled by Xcode into the app bundle, run through MLModel.
///
/// Foundation, Core ML and EdgepackKit only (no SwiftUI), so that it is typechecked against a
/// stub of the Core ML API (tools/ios-stubs/CoreML) on machines without Core ML.
final class CoreMLRunner: ModelRunner {
    let summary: String
    private let manifest: BundleManifest
    private let model: MLModel

    /// `computeUnits` defaults to the units the bundle's target profile chose.
    init(resources: Bundle, manifest: BundleManifest, variant: BundleManifest.Variant, computeUnits: MLComputeUnits?) throws {
        self.manifest = manifest
        let units = try computeUnits ?? CoreMLRunner.units(named: variant.computeUnits ?? "ALL")
        summary = "Core ML, compute units " + (CoreMLRunner.unitNames.first { $0.units == units }?.name ?? "\(units)")
        let configuration = MLModelConfiguration()
        configuration.computeUnits = units
        // Xcode compiles the .mlpackage in the app target into <name>.mlmodelc.
        let compiled = try EdgepackModel.resource(AppConfig.modelResource, "mlmodelc", in: resources)
        model = try MLModel(contentsOf: compiled, configuration: configuration)
    }

    /// A classifier's probability dictionary comes back as an array in the manifest's label order.
    func run(_ inputs: ModelInputs) throws -> [String: [Float]] {
        var arrays: [String: Any] = [:]
        for name in manifest.inputNames {
            arrays[name] = try CoreMLRunner.int32Array(try inputs.values(named: name))
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

    /// The package of a text-generation bundle is an iOS 18 stateful ML Program: its key/value cache is Core ML
    /// state (MLState), which older systems cannot hold.
    func languageModel(_ spec: GenerationSpec) throws -> any GenerationProgram {
        guard #available(iOS 18.0, macOS 15.0, *) else {
            throw BundleError("this model keeps its key/value cache as Core ML state (MLState), which needs iOS 18")
        }
        return try CoreMLLanguageModel(model: model, manifest: manifest, vocabSize: spec.vocabSize)
    }

    /// The manifest's names for compute units (coremltools' ComputeUnit names).
    static let unitNames: [(name: String, units: MLComputeUnits)] = [
        ("ALL", .all), ("CPU_ONLY", .cpuOnly), ("CPU_AND_GPU", .cpuAndGPU), ("CPU_AND_NE", .cpuAndNeuralEngine),
    ]

    static func units(named name: String) throws -> MLComputeUnits {
        guard let units = unitNames.first(where: { $0.name == name })?.units else {
            throw BundleError("unknown compute units \(name) in the manifest")
        }
        return units
    }

    private static func int32Array(_ values: [Int32]) throws -> MLMultiArray {
        let array = try MLMultiArray(shape: [1, NSNumber(value: values.count)], dataType: .int32)
        for (index, value) in values.enumerated() {
            array[index] = NSNumber(value: value)
        }
        return array
    }
}

/// A text-generation package through Core ML: `input_ids` [1, n] and `cache_position` [n] (int32, as the package
/// was converted) -> `logits` [1, n, vocab] (float32), its key/value cache an MLState of the model, made once per
/// conversation (`reset` makes a new one, zeros) and passed to every prediction of it. Each call writes cache
/// positions start..start+n-1 and attends to the positions before. Not thread-safe (Core ML serialises nothing for a
/// state): the chat and the tests make one call at a time.
@available(iOS 18.0, macOS 15.0, *)
final class CoreMLLanguageModel: GenerationProgram {
    private let model: MLModel
    private let vocabSize: Int
    private let tokensName: String
    private let positionsName: String
    private let logitsName: String
    private var state: MLState

    init(model: MLModel, manifest: BundleManifest, vocabSize: Int) throws {
        guard manifest.inputNames.count == 2, let logits = manifest.outputNames.first else {
            throw BundleError("a text-generation program takes input_ids and cache_position and returns logits; the manifest lists "
                              + "inputs \(manifest.inputNames) and outputs \(manifest.outputNames)")
        }
        self.model = model
        self.vocabSize = vocabSize
        tokensName = manifest.inputNames[0]
        positionsName = manifest.inputNames[1]
        logitsName = logits
        state = model.makeState()
    }

    func reset() {
        state = model.makeState()
    }

    func nextLogits(_ tokens: [Int], start: Int) throws -> [Float] {
        try run(tokens, start: start, rows: (tokens.count - 1)..<tokens.count)
    }

    func logits(_ tokens: [Int], start: Int) throws -> [Float] {
        try run(tokens, start: start, rows: 0..<tokens.count)
    }

    /// The logits rows `rows` of one prediction, row after row.
    private func run(_ tokens: [Int], start: Int, rows: Range<Int>) throws -> [Float] {
        guard !tokens.isEmpty else { throw BundleError("no tokens to run") }
        let count = NSNumber(value: tokens.count)
        let ids = try MLMultiArray(shape: [1, count], dataType: .int32)
        let positions = try MLMultiArray(shape: [count], dataType: .int32)
        for (index, token) in tokens.enumerated() {
            ids[index] = NSNumber(value: Int32(token))
            positions[index] = NSNumber(value: Int32(start + index))
        }
        let features = try MLDictionaryFeatureProvider(dictionary: [tokensName: ids, positionsName: positions])
        let result = try model.prediction(from: features, using: state)
        guard let logits = result.featureValue(for: logitsName)?.multiArrayValue else {
            throw BundleError("Core ML returned no \(logitsName) array")
        }
        let shape = logits.shape.map(\.intValue)
        guard shape == [1, tokens.count, vocabSize] else {
            throw BundleError("Core ML returned \(logitsName) of shape \(shape); expected [1, \(tokens.count), \(vocabSize)]")
        }
        // Core ML may pad rows: read through the strides.
        let strides = logits.strides.map(\.intValue)
        var out: [Float] = []
        out.reserveCapacity(rows.count * vocabSize)
        if logits.dataType == .float32 {
            logits.withUnsafeBufferPointer(ofType: Float.self) { buffer in
                for row in rows {
                    for id in 0..<vocabSize { out.append(buffer[row * strides[1] + id * strides[2]]) }
                }
            }
        } else {
            for row in rows {
                for id in 0..<vocabSize { out.append(logits[[0, NSNumber(value: row), NSNumber(value: id)]].floatValue) }
            }
        }
        return out
    }
}

extension EdgepackModel {
    /// Core ML on `computeUnits` (nil: the units the bundle's target profile chose), as the app's
    /// tests run it; the screen uses `EdgepackModel()`.
    convenience init(resources: Bundle = .main, computeUnits: MLComputeUnits?) throws {
        try self.init(resources: resources) { bundle, manifest, variant in
            try CoreMLRunner(resources: bundle, manifest: manifest, variant: variant, computeUnits: computeUnits)
        }
    }
}
