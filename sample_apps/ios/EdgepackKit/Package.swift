// swift-tools-version:5.9
// EdgepackKit: everything the app does besides SwiftUI and Core ML (tokenizer, bundle
// manifest, model inputs, post-processing), Foundation only, so that `swift build` and
// `swift test` prove it on Linux as well as on a Mac.
import PackageDescription

let package = Package(
    name: "EdgepackKit",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "EdgepackKit", targets: ["EdgepackKit"]),
        .executable(name: "edgepack-tokenize", targets: ["EdgepackTokenize"]),
    ],
    targets: [
        .target(name: "EdgepackKit"),
        // Command-line tokenizer used by `edgepack app check-tokenizer --platform ios`.
        .executableTarget(name: "EdgepackTokenize", dependencies: ["EdgepackKit"]),
        .testTarget(name: "EdgepackKitTests", dependencies: ["EdgepackKit"]),
    ]
)
