import Foundation

/// A JSON value as the kit needs it: integers stay integers, `true` is never 1, and object
/// keys keep their exact code points and order. Foundation's JSONSerialization does neither
/// on Linux: it merges canonically equivalent keys ("é" and "e\u{301}") and bridges true and
/// 1 to the same NSNumber, which would misread a tokenizer.json.
enum JSONValue {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    var object: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// A number as an Int (a fraction is cut off, as Kotlin's Number.toInt()).
    var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d): return d.isFinite && abs(d) < 9.0e18 ? Int(d) : nil
        default: return nil
        }
    }

    /// A number as a Double; nil for anything else.
    var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// For messages: strings as they are, other values as JSON-ish text.
    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .array(let a): return "[" + a.map { $0.text }.joined(separator: ", ") + "]"
        case .object(let o): return "{" + zip(o.keys, o.values).map { "\($0)=\($1.text)" }.joined(separator: ", ") + "}"
        }
    }
}

extension Optional where Wrapped == JSONValue {
    var text: String { self?.text ?? "null" }
}

struct JSONObject {
    var keys: [String] = []
    var values: [JSONValue] = []

    var count: Int { keys.count }

    /// The value of `key` (compared code point by code point; a repeated key: the last value),
    /// nil when absent or null.
    subscript(key: String) -> JSONValue? {
        var i = keys.count - 1
        while i >= 0 {
            if sameScalars(keys[i], key) {
                if case .null = values[i] { return nil }
                return values[i]
            }
            i -= 1
        }
        return nil
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes (invalid UTF-8 and lone surrogate escapes become
/// U+FFFD, as Swift strings cannot hold them).
struct JSONParser {
    private let s: [UInt8]
    private let source: String
    private let error: (String) -> Error
    private var pos = 0

    private init(_ s: [UInt8], source: String, error: @escaping (String) -> Error) {
        self.s = s
        self.source = source
        self.error = error
    }

    /// Parses `data`; a syntax error is thrown as `error("<source> is not valid JSON: ...")`.
    static func parse(_ data: Data, source: String, error: @escaping (String) -> Error) throws -> JSONValue {
        var parser = JSONParser([UInt8](data), source: source, error: error)
        if parser.s.starts(with: [0xEF, 0xBB, 0xBF]) { parser.pos = 3 }  // a UTF-8 byte order mark
        parser.skipSpace()
        let value = try parser.value(0)
        parser.skipSpace()
        if parser.pos != parser.s.count { throw parser.fail("trailing characters") }
        return value
    }

    private func fail(_ what: String) -> Error {
        error("\(source) is not valid JSON: invalid JSON at byte \(pos): \(what)")
    }

    private mutating func skipSpace() {
        while pos < s.count, s[pos] == 0x20 || s[pos] == 0x09 || s[pos] == 0x0A || s[pos] == 0x0D { pos += 1 }
    }

    private mutating func value(_ depth: Int) throws -> JSONValue {
        if depth > 512 { throw fail("nesting too deep") }
        guard pos < s.count else { throw fail("unexpected end of input") }
        switch s[pos] {
        case UInt8(ascii: "{"): return try object(depth)
        case UInt8(ascii: "["): return try array(depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    private mutating func literal(_ word: String, _ v: JSONValue) throws -> JSONValue {
        let bytes = Array(word.utf8)
        guard pos + bytes.count <= s.count, Array(s[pos..<(pos + bytes.count)]) == bytes else { throw fail("expected \(word)") }
        pos += bytes.count
        return v
    }

    private mutating func object(_ depth: Int) throws -> JSONValue {
        pos += 1
        var out = JSONObject()
        skipSpace()
        if pos < s.count && s[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object(out)
        }
        while true {
            skipSpace()
            guard pos < s.count, s[pos] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            skipSpace()
            guard pos < s.count, s[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            pos += 1
            skipSpace()
            out.keys.append(key)
            out.values.append(try value(depth + 1))
            skipSpace()
            guard pos < s.count else { throw fail("unterminated object") }
            switch s[pos] {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "}"):
                pos += 1
                return .object(out)
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func array(_ depth: Int) throws -> JSONValue {
        pos += 1
        var out: [JSONValue] = []
        skipSpace()
        if pos < s.count && s[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array(out)
        }
        while true {
            skipSpace()
            out.append(try value(depth + 1))
            skipSpace()
            guard pos < s.count else { throw fail("unterminated array") }
            switch s[pos] {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "]"):
                pos += 1
                return .array(out)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard pos + 4 <= s.count else { throw fail("short \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let c = s[pos]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("bad \\u escape")
            }
            code = code * 16 + UInt32(d)
            pos += 1
        }
        return code
    }

    private mutating func string() throws -> String {
        pos += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard pos < s.count else { throw fail("unterminated string") }
            let c = s[pos]
            pos += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard pos < s.count else { throw fail("unterminated escape") }
                let e = s[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        // A surrogate pair is one code point; a lone surrogate is U+FFFD.
                        if pos + 6 <= s.count && s[pos] == UInt8(ascii: "\\") && s[pos + 1] == UInt8(ascii: "u") {
                            let save = pos
                            pos += 2
                            let low = try hex4()
                            if (0xDC00...0xDFFF).contains(low) {
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                pos = save
                                code = 0xFFFD
                            }
                        } else {
                            code = 0xFFFD
                        }
                    } else if (0xDC00...0xDFFF).contains(code) {
                        code = 0xFFFD
                    }
                    appendUTF8(code, to: &out)
                default:
                    throw fail("bad escape")
                }
            default:
                if c < 0x20 { throw fail("control character in string") }
                out.append(c)
            }
        }
    }

    private mutating func number() throws -> JSONValue {
        let start = pos
        func digits() { while pos < s.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[pos]) { pos += 1 } }
        if s[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < s.count else { throw fail("bad number") }
        if s[pos] == UInt8(ascii: "0") {
            pos += 1
        } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(s[pos]) {
            digits()
        } else {
            throw fail("bad number")
        }
        var integral = true
        if pos < s.count && s[pos] == UInt8(ascii: ".") {
            integral = false
            pos += 1
            guard pos < s.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[pos]) else { throw fail("bad fraction") }
            digits()
        }
        if pos < s.count && (s[pos] == UInt8(ascii: "e") || s[pos] == UInt8(ascii: "E")) {
            integral = false
            pos += 1
            if pos < s.count && (s[pos] == UInt8(ascii: "+") || s[pos] == UInt8(ascii: "-")) { pos += 1 }
            guard pos < s.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[pos]) else { throw fail("bad exponent") }
            digits()
        }
        let text = String(decoding: s[start..<pos], as: UTF8.self)
        if integral, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw fail("bad number") }
        return .double(d)
    }
}
