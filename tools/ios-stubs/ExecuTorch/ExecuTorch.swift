// A stub of the ExecuTorch Apple API surface the generated iOS app uses (`import ExecuTorch`,
// the `executorch` product of ExecuTorch's Swift package), so that the app's ExecuTorch code
// typechecks on Linux, where the ExecuTorch frameworks do not exist. It only declares; every
// body traps. Each declaration is the Swift form of pytorch/executorch's
// extension/apple/ExecuTorch/Exported: the Objective-C headers as Swift imports them (with their
// NS_SWIFT_NAME renames) and the Swift overlay files (ExecuTorch+*.swift). SIGNATURES.txt lists
// them with the upstream text each comes from; tools/swift_signatures.py keeps this file, that list
// and the upstream sources in step. Add a member here only with its upstream form.
//
// Objective-C classes marked objc_subclassing_restricted import as public (non-open) classes;
// ExecuTorchModule is not restricted, so Module is open. Factory methods and non-designated
// initializers import as convenience initializers; BOOL + NSError** methods as `throws`.
import Foundation

// MARK: ExecuTorchTensor.h

public enum DataType: Int8 {
    case byte = 0
    case char = 1
    case short = 2
    case int = 3
    case long = 4
    case half = 5
    case float = 6
    case double = 7
    case complexHalf = 8
    case complexFloat = 9
    case complexDouble = 10
    case bool = 11
    case qInt8 = 12
    case quInt8 = 13
    case qInt32 = 14
    case bFloat16 = 15
    case quInt4x2 = 16
    case quInt2x4 = 17
    case bits1x8 = 18
    case bits2x4 = 19
    case bits4x2 = 20
    case bits8 = 21
    case bits16 = 22
    case float8_e5m2 = 23
    case float8_e4m3fn = 24
    case float8_e5m2fnuz = 25
    case float8_e4m3fnuz = 26
    case uInt16 = 27
    case uInt32 = 28
    case uInt64 = 29
    case undefined = 30
    case numOptions = 31
}

public enum ShapeDynamism: UInt8 {
    case `static` = 0
    case dynamicBound = 1
    case dynamicUnbound = 2
}

public class AnyTensor: NSObject {
    public var dataType: DataType { fatalError("ExecuTorch stub") }
}

// MARK: ExecuTorch+Tensor.swift

public protocol Scalar {
    static var dataType: DataType { get }
    func asNSNumber() -> NSNumber
}

extension Int32: Scalar {
    public static var dataType: DataType { fatalError("ExecuTorch stub") }
    public func asNSNumber() -> NSNumber { fatalError("ExecuTorch stub") }
}

extension Int64: Scalar {
    public static var dataType: DataType { fatalError("ExecuTorch stub") }
    public func asNSNumber() -> NSNumber { fatalError("ExecuTorch stub") }
}

extension Float: Scalar {
    public static var dataType: DataType { fatalError("ExecuTorch stub") }
    public func asNSNumber() -> NSNumber { fatalError("ExecuTorch stub") }
}

public extension AnyTensor {
    var shape: [Int] { fatalError("ExecuTorch stub") }
    var count: Int { fatalError("ExecuTorch stub") }
    func asTensor<T: Scalar>() -> Tensor<T>? { fatalError("ExecuTorch stub") }
}

public final class Tensor<T: Scalar>: Equatable {
    public var dataType: DataType { fatalError("ExecuTorch stub") }
    public var shape: [Int] { fatalError("ExecuTorch stub") }
    public var count: Int { fatalError("ExecuTorch stub") }
    public init(_ tensor: AnyTensor) { fatalError("ExecuTorch stub") }
    public convenience init(_ scalars: [T], shape: [Int] = [], strides: [Int] = [], dimensionOrder: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound) { fatalError("ExecuTorch stub") }
    public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R { fatalError("ExecuTorch stub") }
    public static func == (lhs: Tensor<T>, rhs: Tensor<T>) -> Bool { fatalError("ExecuTorch stub") }
    public let anyTensor: AnyTensor
}

public extension Tensor {
    func scalars() -> [T] { fatalError("ExecuTorch stub") }
}

// MARK: ExecuTorchValue.h

public class Value: NSObject {
    public var isTensor: Bool { fatalError("ExecuTorch stub") }
}

// MARK: ExecuTorch+Value.swift

public extension Value {
    var anyTensor: AnyTensor? { fatalError("ExecuTorch stub") }
    func tensor<T: Scalar>() -> Tensor<T>? { fatalError("ExecuTorch stub") }
}

public protocol ValueConvertible {
    func asValue() -> Value
}

public protocol ValueConstructible {
    static func from(_ value: Value) throws -> Self
}

public extension ValueConstructible {
    init(_ value: Value) throws { fatalError("ExecuTorch stub") }
}

public protocol ValueSequenceConstructible {
    static func from(_ values: [Value]) throws -> Self
}

extension ValueSequenceConstructible where Self: ValueConstructible {
    public static func from(_ values: [Value]) throws -> Self { fatalError("ExecuTorch stub") }
}

public extension ValueSequenceConstructible {
    init(_ values: [Value]) throws { fatalError("ExecuTorch stub") }
}

extension Value: ValueConvertible {
    public func asValue() -> Value { fatalError("ExecuTorch stub") }
}

extension AnyTensor: ValueConvertible {
    public func asValue() -> Value { fatalError("ExecuTorch stub") }
}

extension Tensor: ValueConvertible {
    public func asValue() -> Value { fatalError("ExecuTorch stub") }
}

extension Value: ValueConstructible, ValueSequenceConstructible {
    public static func from(_ value: Value) throws -> Self { fatalError("ExecuTorch stub") }
}

extension AnyTensor: ValueConstructible, ValueSequenceConstructible {
    public static func from(_ value: Value) throws -> Self { fatalError("ExecuTorch stub") }
}

extension Tensor: ValueConstructible, ValueSequenceConstructible {
    public static func from(_ value: Value) throws -> Self { fatalError("ExecuTorch stub") }
}

extension Array: ValueSequenceConstructible where Element: ValueConstructible {
    public static func from(_ values: [Value]) throws -> [Element] { fatalError("ExecuTorch stub") }
}

// MARK: ExecuTorchModule.h

public enum ModuleLoadMode: Int {
    case file = 0
    case mmap = 1
    case mmapUseMlock = 2
    case mmapUseMlockIgnoreErrors = 3
}

open class Module: NSObject {
    public convenience init(filePath: String) { fatalError("ExecuTorch stub") }
    public convenience init(filePath: String, loadMode: ModuleLoadMode) { fatalError("ExecuTorch stub") }
    open func load() throws { fatalError("ExecuTorch stub") }
    open func load(_ methodName: String) throws { fatalError("ExecuTorch stub") }
    open func isLoaded() -> Bool { fatalError("ExecuTorch stub") }
    open func isLoaded(_ methodName: String) -> Bool { fatalError("ExecuTorch stub") }
    open func methodNames() throws -> Set<String> { fatalError("ExecuTorch stub") }
}

// MARK: ExecuTorch+Module.swift

public extension Module {
    func forward(_ inputs: [ValueConvertible]) throws -> [Value] { fatalError("ExecuTorch stub") }
    func forward(_ inputs: ValueConvertible...) throws -> [Value] { fatalError("ExecuTorch stub") }
    func forward<Output: ValueSequenceConstructible>(_ inputs: [ValueConvertible]) throws -> Output { fatalError("ExecuTorch stub") }
    func forward<Output: ValueSequenceConstructible>(_ inputs: ValueConvertible...) throws -> Output { fatalError("ExecuTorch stub") }
    func forward<Output: ValueSequenceConstructible>(_ input: ValueConvertible) throws -> Output { fatalError("ExecuTorch stub") }
}
