import EdgepackKit
import XCTest
@testable import EdgepackApp

/// On a device or simulator, a text-generation bundle's test vectors through the Swift tokenizer and the
/// ExecuTorch program, as GenerationVectorsTest.kt runs them on Android: each prompt must tokenize to the
/// build-time ids; greedy generation through the program's cache (the prompt in one call, then one token per
/// call) must give the eager model's continuation where the variant was verified to (min_greedy_match 1: fp32),
/// and reach the variant's gates otherwise; read teacher-forced, the next-token agreement must reach
/// min_next_token_agreement.
final class ExecuTorchGenerationTests: XCTestCase {
    // A hosted unit test runs inside the app, so Bundle.main holds the app's resources.
    func testVectorsGenerateThroughExecuTorch() throws {
        let problems = try EdgepackModel(resources: .main).generationVectorProblems()
        XCTAssertEqual(problems, [], problems.prefix(5).joined(separator: "\n"))
    }
}
