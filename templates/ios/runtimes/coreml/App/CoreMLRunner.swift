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

extension EdgepackModel {
    /// Core ML on `computeUnits` (nil: the units the bundle's target profile chose), as the app's
    /// tests run it; the screen uses `EdgepackModel()`.
    convenience init(resources: Bundle = .main, computeUnits: MLComputeUnits?) throws {
        try self.init(resources: resources) { bundle, manifest, variant in
            try CoreMLRunner(resources: bundle, manifest: manifest, variant: variant, computeUnits: computeUnits)
        }
    }
}
