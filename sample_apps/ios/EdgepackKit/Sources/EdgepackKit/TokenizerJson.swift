import Foundation

/// A tokenizer.json this kit would tokenize differently from `tokenizers`: the message names
/// the component.
public struct UnsupportedTokenizerError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// tokenizer.json is not strict JSON (RFC 8259).
public struct TokenizerJSONError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// tokenizer.json read into the configuration of every stage of the pipeline.
struct TokenizerConfig {
    let model: any TokenizerModel
    let normalizer: (any Normalizer)?
    let preTokenizer: PreTokenizer
    let postProcessor: PostProcessor
    let truncation: Truncation?
    let padding: Padding?
    let addedTokens: [AddedToken]
    let decoder: (any Decoder)?
}

/// Reads tokenizer.json (strict JSON, Json.swift); each stage reads its own section, next to its
/// type, as in `tokenizers`. Throws UnsupportedTokenizerError naming the first section this kit
/// does not implement, in the order below, or TokenizerJSONError.
enum TokenizerJson {
    static func read(_ json: Data) throws -> TokenizerConfig {
        guard let root = try JSONParser.parse(json, source: "tokenizer.json", error: TokenizerJSONError.init).object else {
            throw UnsupportedTokenizerError("tokenizer.json is not a JSON object")
        }
        guard let model = root["model"]?.object else { throw UnsupportedTokenizerError("tokenizer.json has no model") }
        return TokenizerConfig(
            model: try TokenizerModels.fromJson(model),
            normalizer: try Normalizers.fromJson(root["normalizer"]),
            preTokenizer: try PreTokenizer.fromJson(root["pre_tokenizer"]),
            postProcessor: try PostProcessor.fromJson(root["post_processor"]),
            truncation: try Truncation.fromJson(root["truncation"]),
            padding: try Padding.fromJson(root["padding"]),
            addedTokens: try AddedToken.fromJson(root["added_tokens"]),
            // Only a task that turns ids back into text needs the decoder: one this kit lacks fails then, not here.
            decoder: try decoderOrReason(root["decoder"])
        )
    }

    private static func decoderOrReason(_ value: JSONValue?) throws -> (any Decoder)? {
        do {
            return try Decoders.fromJson(value)
        } catch let error as UnsupportedTokenizerError {
            return UnsupportedDecoder(reason: error)
        }
    }
}

/// The tokenizer.json components of one kind this kit implements, read by their `type`: each stage's list of
/// them is the one place its types are named (a new one is one line there).
struct ComponentReaders<T>: Sendable {
    let kind: String
    let readers: [(type: String, read: @Sendable (JSONObject) throws -> T)]

    /// `value` as a component; nil when absent or null; refused by name when its type is not implemented.
    func read(_ value: JSONValue?) throws -> T? {
        guard let value = value else { return nil }
        if case .null = value { return nil }
        guard let object = value.object else { throw UnsupportedTokenizerError("malformed \(kind)") }
        let type = object["type"]?.string
        guard let reader = readers.first(where: { $0.type == type }) else {
            throw UnsupportedTokenizerError(
                "unsupported \(kind) \(type ?? "(untyped)"): only \(readers.map { $0.type }.joined(separator: ", ")) are supported")
        }
        return try reader.read(object)
    }
}

/// A tokenizer.json number as an Int (a fraction is cut off, as Kotlin's Number.toInt()).
func intValue(_ value: JSONValue?, _ what: String) throws -> Int {
    guard let n = value?.int else { throw UnsupportedTokenizerError("tokenizer.json: \(what) is not a number") }
    return n
}

func requireObject(_ value: JSONValue?, _ message: String) throws -> JSONObject {
    guard let object = value?.object else { throw UnsupportedTokenizerError(message) }
    return object
}
