import Foundation

/// Typed reads of `JSONSerialization` values, failing with the field's name instead of
/// crashing on a cast, so a bundle from another edgepack version gives a readable error.
struct JSONFields {
    let values: [String: Any]
    let context: String

    init(_ value: Any?, context: String) throws {
        guard let values = value as? [String: Any] else { throw BundleError("\(context) is not a JSON object") }
        self.values = values
        self.context = context
    }

    static func parse(_ data: Data, context: String) throws -> JSONFields {
        try JSONFields(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), context: context)
    }

    func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

    func object(_ key: String) throws -> JSONFields { try JSONFields(values[key], context: "\(context).\(key)") }

    func string(_ key: String) throws -> String {
        guard let value = values[key] as? String else { throw BundleError("\(context).\(key) is not a string") }
        return value
    }

    func int(_ key: String) throws -> Int { try JSONFields.int(values[key], "\(context).\(key)") }

    func double(_ key: String) throws -> Double { try JSONFields.double(values[key], "\(context).\(key)") }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard has(key) else { return fallback }
        guard let number = values[key] as? NSNumber, JSONFields.isBool(number) else {
            throw BundleError("\(context).\(key) is not true or false")
        }
        return number.boolValue
    }

    func array(_ key: String) throws -> [Any] {
        guard let value = values[key] as? [Any] else { throw BundleError("\(context).\(key) is not an array") }
        return value
    }

    func strings(_ key: String) throws -> [String] {
        try array(key).enumerated().map { index, item in
            guard let text = item as? String else { throw BundleError("\(context).\(key)[\(index)] is not a string") }
            return text
        }
    }

    func ints(_ key: String) throws -> [Int] {
        try array(key).enumerated().map { try JSONFields.int($1, "\(context).\(key)[\($0)]") }
    }

    func objects(_ key: String) throws -> [JSONFields] {
        try array(key).enumerated().map { try JSONFields($1, context: "\(context).\(key)[\($0)]") }
    }

    static func int(_ value: Any?, _ context: String) throws -> Int {
        guard let number = value as? NSNumber, !isBool(number), let exact = Int(exactly: number.doubleValue) else {
            throw BundleError("\(context) is not an integer")
        }
        return exact
    }

    static func double(_ value: Any?, _ context: String) throws -> Double {
        guard let number = value as? NSNumber, !isBool(number) else { throw BundleError("\(context) is not a number") }
        return number.doubleValue
    }

    /// Nested arrays of numbers flattened in row-major order ([[0.1, 0.2]] -> [0.1, 0.2]).
    static func flatFloats(_ value: Any?, _ context: String) throws -> [Float] {
        if let items = value as? [Any] {
            return try items.enumerated().flatMap { try flatFloats($1, "\(context)[\($0)]") }
        }
        return [Float(try double(value, context))]
    }

    // Foundation bridges JSON true/false to NSNumber too; on Apple platforms they are the
    // CFBoolean singletons, on Linux their objCType is "c" (char).
    static func isBool(_ number: NSNumber) -> Bool {
        #if canImport(Darwin)
        return CFGetTypeID(number) == CFBooleanGetTypeID()
        #else
        return String(cString: number.objCType) == "c"
        #endif
    }
}

/// A bundle file that is missing, malformed, or not what this app was generated for.
public struct BundleError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
