// A stub of the Core ML API surface the generated iOS app uses, so that the app's Core ML
// code typechecks on Linux, where Core ML does not exist. It only declares; every body traps.
// Each declaration mirrors the Swift interface Apple documents for the iOS 17 SDK, and for the iOS 18 SDK
// the stateful prediction a text-generation package needs (MLState, marked with Apple's availability)
// (developer.apple.com/documentation/coreml/<type>); SIGNATURES.txt lists them, and a test
// keeps this file and that list in step. Add a member here only with its documented form.
import Foundation

public enum MLComputeUnits: Int {
    case cpuOnly = 0
    case cpuAndGPU = 1
    case all = 2
    case cpuAndNeuralEngine = 3
}

public enum MLMultiArrayDataType: Int {
    case double = 65600
    case float32 = 65568
    case float16 = 65552
    case int32 = 131104
    public static var float64: MLMultiArrayDataType { .double }
    public static var float: MLMultiArrayDataType { .float32 }
}

public enum MLFeatureType: Int {
    case invalid = 0
    case int64 = 1
    case double = 2
    case string = 3
    case image = 4
    case multiArray = 5
    case dictionary = 6
    case sequence = 7
}

open class MLModelConfiguration: NSObject {
    open var computeUnits: MLComputeUnits = .all
    public override init() { super.init() }
}

public protocol MLShapedArrayScalar {
    static var multiArrayDataType: MLMultiArrayDataType { get }
}

extension Float: MLShapedArrayScalar {
    public static var multiArrayDataType: MLMultiArrayDataType { fatalError("Core ML stub") }
}

open class MLMultiArray: NSObject {
    public init(shape: [NSNumber], dataType: MLMultiArrayDataType) throws { fatalError("Core ML stub") }
    open var count: Int { fatalError("Core ML stub") }
    open var shape: [NSNumber] { fatalError("Core ML stub") }
    open var strides: [NSNumber] { fatalError("Core ML stub") }
    open var dataType: MLMultiArrayDataType { fatalError("Core ML stub") }
    open subscript(idx: Int) -> NSNumber {
        get { fatalError("Core ML stub") }
        set { fatalError("Core ML stub") }
    }
    open subscript(key: [NSNumber]) -> NSNumber {
        get { fatalError("Core ML stub") }
        set { fatalError("Core ML stub") }
    }
    @available(macOS 12.3, iOS 15.4, *)
    public func withUnsafeBufferPointer<S, R>(ofType type: S.Type, _ body: (UnsafeBufferPointer<S>) throws -> R) rethrows -> R where S : MLShapedArrayScalar { fatalError("Core ML stub") }
}

open class MLFeatureValue: NSObject {
    open var type: MLFeatureType { fatalError("Core ML stub") }
    open var multiArrayValue: MLMultiArray? { fatalError("Core ML stub") }
    open var dictionaryValue: [AnyHashable: NSNumber] { fatalError("Core ML stub") }
    open var stringValue: String { fatalError("Core ML stub") }
    public convenience init(multiArray value: MLMultiArray) { fatalError("Core ML stub") }
}

public protocol MLFeatureProvider {
    var featureNames: Set<String> { get }
    func featureValue(for featureName: String) -> MLFeatureValue?
}

open class MLDictionaryFeatureProvider: NSObject, MLFeatureProvider {
    public init(dictionary: [String: Any]) throws { fatalError("Core ML stub") }
    open var featureNames: Set<String> { fatalError("Core ML stub") }
    open func featureValue(for featureName: String) -> MLFeatureValue? { fatalError("Core ML stub") }
}

@available(macOS 15.0, iOS 18.0, *)
open class MLState: NSObject {
}

open class MLModel: NSObject {
    public convenience init(contentsOf url: URL, configuration: MLModelConfiguration) throws { fatalError("Core ML stub") }
    open func prediction(from input: any MLFeatureProvider) throws -> any MLFeatureProvider { fatalError("Core ML stub") }
    @available(macOS 15.0, iOS 18.0, *)
    public func makeState() -> MLState { fatalError("Core ML stub") }
    @available(macOS 15.0, iOS 18.0, *)
    open func prediction(from inputFeatures: any MLFeatureProvider, using state: MLState) throws -> any MLFeatureProvider { fatalError("Core ML stub") }
}
