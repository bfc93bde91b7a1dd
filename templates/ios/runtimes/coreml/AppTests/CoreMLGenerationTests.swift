import CoreML
import EdgepackKit
import XCTest
@testable import EdgepackApp

/// On a device or simulator (iOS 18: the package keeps its key/value cache as MLState), a text-generation
/// bundle's test vectors through the Swift tokenizer and Core ML, as GenerationVectorsTest.kt runs them through
/// ExecuTorch on Android: each prompt must tokenize to the build-time ids; greedy generation through the
/// package's state (the prompt in one prediction, then one token per prediction) must give the eager model's
/// continuation where the variant was verified to (min_greedy_match 1), and reach the variant's gates
/// otherwise; read teacher-forced, the next-token agreement must reach min_next_token_agreement. On the
/// compute units the target profile chose and on the CPU alone.
final class CoreMLGenerationTests: XCTestCase {
    // A hosted unit test runs inside the app, so Bundle.main holds the app's resources.
    private func replay(computeUnits: MLComputeUnits?) throws {
        let problems = try EdgepackModel(resources: .main, computeUnits: computeUnits).generationVectorProblems()
        XCTAssertEqual(problems, [], problems.prefix(5).joined(separator: "\n"))
    }

    func testVectorsGenerateOnTheProfileComputeUnits() throws {
        try replay(computeUnits: nil)
    }

    func testVectorsGenerateOnTheCPU() throws {
        try replay(computeUnits: .cpuOnly)
    }
}
