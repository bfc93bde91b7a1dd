import EdgepackKit
import ExecuTorch
import Foundation

/// The runtime this app was generated for: ExecuTorch (`edgepack app BUNDLE --platform ios --runtime executorch`).
enum ModelRuntime {
    static func load(from resources: Bundle, manifest: BundleManifest, variant: BundleManifest.Variant) throws -> any ModelRunner {
        try ExecuTorchRunner(resources: resources, manifest: manifest, variant: variant)
    }
}

/// The bundle's ExecuTorch program (a .pte delegated to XNNPACK, the file the Android app embeds),
/// copied into the app bundle as it is and run through ExecuTorch's Swift package.
///
/// Foundation, ExecuTorch and EdgepackKit only (no SwiftUI), so that it is typechecked against a
/// stub of the ExecuTorch API (tools/ios-stubs/ExecuTorch) on machines without ExecuTorch.
/// Not thread-safe, like `Module`: EdgepackModel runs one prediction at a time.
final class ExecuTorchRunner: ModelRunner {
    let summary = "ExecuTorch, XNNPACK delegate"
    private let module: Module
    private let inputNames: [String]
    private let outputNames: [String]

    init(resources: Bundle, manifest: BundleManifest, variant: BundleManifest.Variant) throws {
        guard variant.backend == "executorch" else {
            throw BundleError("\(AppConfig.modelFile) is a \(variant.backend) variant; this app runs ExecuTorch programs")
        }
        guard let path = resources.path(forResource: AppConfig.modelResource, ofType: "pte") else {
            throw BundleError("\(AppConfig.modelFile) is not in the app bundle; is it in the app target's resources?")
        }
        module = Module(filePath: path)
        // Load the program and prepare `forward` now (XNNPACK delegation, kernel lookup), so that a
        // backend or kernel the app does not link fails when the model loads, not on the first run.
        try module.load("forward")
        inputNames = manifest.inputNames
        outputNames = manifest.outputNames
    }

    /// The program takes the manifest's inputs in the manifest's order, each an int64 tensor of
    /// shape [1, seq], and returns the manifest's outputs in the manifest's order, float32.
    func run(_ inputs: ModelInputs) throws -> [String: [Float]] {
        let tensors: [ValueConvertible] = try inputNames.map { name in
            Tensor<Int64>(try inputs.values(named: name).map { Int64($0) }, shape: inputs.shape)
        }
        let values = try module.forward(tensors)
        guard values.count == outputNames.count else {
            throw BundleError("the ExecuTorch program returned \(values.count) outputs; the manifest lists \(outputNames.count): \(outputNames)")
        }
        var outputs: [String: [Float]] = [:]
        for (name, value) in zip(outputNames, values) {
            guard let tensor: Tensor<Float> = value.tensor() else {
                let found = value.anyTensor.map { "a tensor of ExecuTorch data type \($0.dataType.rawValue)" } ?? "not a tensor"
                throw BundleError("ExecuTorch output \(name) is \(found); the app reads float32 tensors")
            }
            outputs[name] = tensor.scalars()
        }
        return outputs
    }
}
