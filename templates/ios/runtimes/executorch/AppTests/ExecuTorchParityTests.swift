import EdgepackKit
import XCTest
@testable import EdgepackApp

/// On a device or simulator: every test vector of the bundle through the Swift tokenizer (the
/// ids Hugging Face gave at build time) and through the ExecuTorch program (outputs within the
/// max_abs_error the variant was verified with against the eager PyTorch model).
final class ExecuTorchParityTests: XCTestCase {
    // A hosted unit test runs inside the app, so Bundle.main holds the app's resources.
    func testVectorsReplayThroughExecuTorch() throws {
        let problems = try EdgepackModel(resources: .main).testVectorProblems()
        XCTAssertEqual(problems, [], problems.prefix(5).joined(separator: "\n"))
    }
}
