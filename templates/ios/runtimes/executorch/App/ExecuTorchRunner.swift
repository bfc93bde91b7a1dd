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

    /// The text-generation program over this runner's module (its `forward` is loaded already).
    func languageModel(_ spec: GenerationSpec) throws -> any GenerationProgram {
        ExecuTorchLanguageModel(module: module, vocabSize: spec.vocabSize)
    }
}

/// `forward(input_ids [1, n], cache_position [n]) -> logits [1, n, vocab]` of a text-generation .pte (int64 inputs,
/// float32 logits), as ExecuTorchLanguageModel in the Android app runs it. The cache is the program's mutable state,
/// kept by ExecuTorch inside the loaded method between calls: each call writes positions start..start+n-1 and
/// attends to the positions before, so a new conversation starts again at 0. Not thread-safe, like `Module`.
final class ExecuTorchLanguageModel: GenerationProgram {
    private let module: Module
    private let vocabSize: Int

    init(module: Module, vocabSize: Int) {
        self.module = module
        self.vocabSize = vocabSize
    }

    func nextLogits(_ tokens: [Int], start: Int) throws -> [Float] {
        try run(tokens, start: start, lastOnly: true)
    }

    func logits(_ tokens: [Int], start: Int) throws -> [Float] {
        try run(tokens, start: start, lastOnly: false)
    }

    private func run(_ tokens: [Int], start: Int, lastOnly: Bool) throws -> [Float] {
        guard !tokens.isEmpty else { throw BundleError("no tokens to run") }
        let n = tokens.count
        let inputs: [ValueConvertible] = [
            Tensor<Int64>(tokens.map { Int64($0) }, shape: [1, n]),
            Tensor<Int64>((0..<n).map { Int64(start + $0) }, shape: [n]),
        ]
        let values = try module.forward(inputs)
        guard let value = values.first, let logits: Tensor<Float> = value.tensor() else {
            throw BundleError("the ExecuTorch program returned no float32 logits tensor (\(values.count) outputs)")
        }
        guard logits.count == n * vocabSize else {
            throw BundleError("the ExecuTorch program returned \(logits.count) logits for \(n) tokens x \(vocabSize)")
        }
        // Only the last row for the chat: a prompt's rows are n x the vocabulary.
        return logits.withUnsafeBytes { buffer in Array(lastOnly ? buffer[((n - 1) * vocabSize)...] : buffer[...]) }
    }
}
