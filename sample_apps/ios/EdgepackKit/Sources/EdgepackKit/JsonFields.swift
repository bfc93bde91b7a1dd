import Foundation

/// Typed reads of the bundle's JSON files (manifest.json, test_vectors.json), failing with the
/// field's path instead of crashing on a cast, so a bundle from another edgepack version gives
/// a readable error. Built on the kit's strict JSON reader (Json.swift), as the tokenizer is.
struct JSONFields {
    let object: JSONObject
    let context: String

    init(_ value: JSONValue?, context: String) throws {
        guard let object = value?.object else { throw BundleError("\(context) is not a JSON object") }
        self.object = object
        self.context = context
    }

    static func parse(_ data: Data, context: String) throws -> JSONFields {
        try JSONFields(try JSONParser.parse(data, source: context, error: BundleError.init), context: context)
    }

    var keys: [String] { object.keys }

    /// Present and not null.
    func has(_ key: String) -> Bool { object[key] != nil }

    func object(_ key: String) throws -> JSONFields { try JSONFields(object[key], context: "\(context).\(key)") }

    func string(_ key: String) throws -> String {
        guard let value = object[key]?.string else { throw BundleError("\(context).\(key) is not a string") }
        return value
    }

    func int(_ key: String) throws -> Int { try JSONFields.int(object[key], "\(context).\(key)") }

    func double(_ key: String) throws -> Double { try JSONFields.double(object[key], "\(context).\(key)") }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard has(key) else { return fallback }
        guard let value = object[key]?.bool else { throw BundleError("\(context).\(key) is not true or false") }
        return value
    }

    func array(_ key: String) throws -> [JSONValue] {
        guard let value = object[key]?.array else { throw BundleError("\(context).\(key) is not an array") }
        return value
    }

    func strings(_ key: String) throws -> [String] {
        try array(key).enumerated().map { index, item in
            guard let text = item.string else { throw BundleError("\(context).\(key)[\(index)] is not a string") }
            return text
        }
    }

    func ints(_ key: String) throws -> [Int] {
        try array(key).enumerated().map { try JSONFields.int($1, "\(context).\(key)[\($0)]") }
    }

    /// Integers where null stands for none (-1), as word and sequence ids have it.
    func optionalInts(_ key: String) throws -> [Int] {
        try array(key).enumerated().map { index, item in
            if case .null = item { return -1 }
            return try JSONFields.int(item, "\(context).\(key)[\(index)]")
        }
    }

    static func ints(_ value: JSONValue, _ context: String) throws -> [Int] {
        guard let items = value.array else { throw BundleError("\(context) is not an array") }
        return try items.enumerated().map { try int($1, "\(context)[\($0)]") }
    }

    func objects(_ key: String) throws -> [JSONFields] {
        try array(key).enumerated().map { try JSONFields($1, context: "\(context).\(key)[\($0)]") }
    }

    /// An integer, or a number with no fractional part; anything else is an error (never cut).
    static func int(_ value: JSONValue?, _ context: String) throws -> Int {
        switch value {
        case .int(let number)?: return number
        case .double(let number)? where number.rounded() == number && abs(number) < 9.0e18: return Int(number)
        default: throw BundleError("\(context) is not an integer")
        }
    }

    static func double(_ value: JSONValue?, _ context: String) throws -> Double {
        guard let number = value?.double else { throw BundleError("\(context) is not a number") }
        return number
    }

    /// Nested arrays of numbers flattened in row-major order ([[0.1, 0.2]] -> [0.1, 0.2]).
    static func flatFloats(_ value: JSONValue?, _ context: String) throws -> [Float] {
        if let items = value?.array {
            return try items.enumerated().flatMap { try flatFloats($1, "\(context)[\($0)]") }
        }
        return [Float(try double(value, context))]
    }
}

/// A bundle file that is missing, malformed, or not what this app was generated for.
public struct BundleError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
