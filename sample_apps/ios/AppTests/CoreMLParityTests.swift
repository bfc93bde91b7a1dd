import CoreML
import EdgepackKit
import XCTest
@testable import EdgepackApp

/// On a device or simulator: every test vector of the bundle through the Swift tokenizer (the
/// ids Hugging Face gave at build time) and through Core ML (outputs within the max_abs_error
/// the variant was verified with against the eager PyTorch model), on the compute units the
/// target profile chose and on the CPU alone.
final class CoreMLParityTests: XCTestCase {
    // A hosted unit test runs inside the app, so Bundle.main holds the app's resources.
    private func replay(computeUnits: MLComputeUnits?) throws {
        let problems = try EdgepackModel(resources: .main, computeUnits: computeUnits).testVectorProblems()
        XCTAssertEqual(problems, [], problems.prefix(5).joined(separator: "\n"))
    }

    func testVectorsReplayOnTheProfileComputeUnits() throws {
        try replay(computeUnits: nil)
    }

    func testVectorsReplayOnTheCPU() throws {
        try replay(computeUnits: .cpuOnly)
    }
}
