import Foundation

/// Lookups over UnicodeTables, parsed once: a bit per class for the Basic Multilingual Plane,
/// binary search over ranges above it.
struct UnicodeData {
    struct Class: OptionSet {
        let rawValue: UInt16
        static let control = Class(rawValue: 1 << 0)
        static let cleanSpace = Class(rawValue: 1 << 1)
        static let whitespace = Class(rawValue: 1 << 2)
        static let punctuation = Class(rawValue: 1 << 3)
        static let nonspacingMark = Class(rawValue: 1 << 4)
        static let regexLetter = Class(rawValue: 1 << 5)
        static let regexNumber = Class(rawValue: 1 << 6)
        static let regexSpace = Class(rawValue: 1 << 7)
        /// `\w` of the Rust regex crate (single_word added tokens).
        static let word = Class(rawValue: 1 << 8)
        /// Every combining mark (the StripAccents normalizer's set; BertNormalizer strips `nonspacingMark` only).
        static let combiningMark = Class(rawValue: 1 << 9)
        /// Grapheme cluster classes (Graphemes): Control/CR/LF, Extend/ZWJ/SpacingMark, Prepend.
        static let graphemeControl = Class(rawValue: 1 << 10)
        static let graphemeExtend = Class(rawValue: 1 << 11)
        static let graphemePrepend = Class(rawValue: 1 << 12)
    }

    static let shared = UnicodeData()

    private let bmp: [UInt16]
    private let astral: [(cls: Class, ranges: RangeSet)]
    private let decompositions: [UInt32: [UInt32]]
    private let compatibility: [UInt32: [UInt32]]
    private let composites: [UInt64: UInt32]
    private let lower: [UInt32: [UInt32]]
    private let classes: [UInt32: UInt8]

    private init() {
        let sets: [(Class, String)] = [
            (.control, UnicodeTables.control), (.cleanSpace, UnicodeTables.cleanSpace), (.whitespace, UnicodeTables.whitespace),
            (.punctuation, UnicodeTables.punctuation), (.nonspacingMark, UnicodeTables.nonspacingMark),
            (.regexLetter, UnicodeTables.regexLetter), (.regexNumber, UnicodeTables.regexNumber),
            (.regexSpace, UnicodeTables.regexSpace), (.word, UnicodeTables.word),
            (.combiningMark, UnicodeTables.combiningMark), (.graphemeControl, UnicodeTables.graphemeControl),
            (.graphemeExtend, UnicodeTables.graphemeExtend), (.graphemePrepend, UnicodeTables.graphemePrepend),
        ]
        var bmp = [UInt16](repeating: 0, count: 0x10000)
        var astral: [(cls: Class, ranges: RangeSet)] = []
        for (cls, spec) in sets {
            let ranges = RangeSet(spec)
            for (a, b) in zip(ranges.starts, ranges.ends) where a < 0x10000 {
                for c in Int(a)...Int(min(b, 0xFFFF)) { bmp[c] |= cls.rawValue }
            }
            astral.append((cls, ranges))
        }
        self.bmp = bmp
        self.astral = astral
        decompositions = UnicodeData.mapping(UnicodeTables.decomposition)
        compatibility = UnicodeData.mapping(UnicodeTables.compatibilityDecomposition)
        var composites: [UInt64: UInt32] = [:]
        for (c, pair) in UnicodeData.mapping(UnicodeTables.composition) { composites[UInt64(pair[0]) << 32 | UInt64(pair[1])] = c }
        self.composites = composites
        lower = UnicodeData.mapping(UnicodeTables.lowercase)
        var classes: [UInt32: UInt8] = [:]
        for span in UnicodeTables.combiningClass.split(separator: ",") {
            let parts = span.split(separator: ":")
            let bounds = parts[0].split(separator: "-").map { UInt32($0, radix: 16)! }
            let k = UInt8(parts[1], radix: 16)!
            for c in bounds[0]...bounds[bounds.count - 1] { classes[c] = k }
        }
        self.classes = classes
    }

    private static func mapping(_ spec: String) -> [UInt32: [UInt32]] {
        var out: [UInt32: [UInt32]] = [:]
        for entry in spec.split(separator: ";") {
            let parts = entry.split(separator: "=", omittingEmptySubsequences: false)
            out[UInt32(parts[0], radix: 16)!] = parts[1].split(separator: ".").map { UInt32($0, radix: 16)! }
        }
        return out
    }

    @inline(__always)
    func has(_ c: UInt32, _ cls: Class) -> Bool {
        if c < 0x10000 { return bmp[Int(c)] & cls.rawValue != 0 }
        for entry in astral where entry.cls == cls { return entry.ranges.contains(c) }
        return false
    }

    func decomposition(_ c: UInt32) -> [UInt32]? { decompositions[c] }
    /// NFKD of `c` where it differs from NFD.
    func compatibilityDecomposition(_ c: UInt32) -> [UInt32]? { compatibility[c] }

    /// The primary composite of `a` followed by `b` (NFC), or nil; Hangul syllables by their formula.
    func compose(_ a: UInt32, _ b: UInt32) -> UInt32? {
        if (0x1100...0x1112).contains(a) && (0x1161...0x1175).contains(b) { return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28 }
        if (0xAC00...0xD7A3).contains(a) && (a - 0xAC00) % 28 == 0 && (0x11A8...0x11C2).contains(b) { return a + (b - 0x11A7) }
        return composites[UInt64(a) << 32 | UInt64(b)]
    }
    func lowercase(_ c: UInt32) -> [UInt32]? { lower[c] }
    func combiningClass(_ c: UInt32) -> UInt8 { classes[c] ?? 0 }
}

/// Sorted, disjoint code point ranges from a `41-5a,61-7a,aa` spec.
private struct RangeSet {
    let starts: [UInt32]
    let ends: [UInt32]

    init(_ spec: String) {
        var starts: [UInt32] = []
        var ends: [UInt32] = []
        for part in spec.split(separator: ",") {
            let bounds = part.split(separator: "-").map { UInt32($0, radix: 16)! }
            starts.append(bounds[0])
            ends.append(bounds[bounds.count - 1])
        }
        self.starts = starts
        self.ends = ends
    }

    func contains(_ c: UInt32) -> Bool {
        var lo = 0
        var hi = starts.count - 1
        while lo <= hi {
            let mid = (lo + hi) >> 1
            if c < starts[mid] {
                hi = mid - 1
            } else if c > ends[mid] {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}
