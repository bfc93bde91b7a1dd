import Foundation

// Text as arrays of Unicode scalar values (see Tokenizer.swift: why not String or Character).

func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map { $0.value } }

func scalarsToString<C: Collection>(_ cps: C) -> String where C.Element == UInt32 {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(cps.count)
    for c in cps { appendUTF8(c, to: &bytes) }
    return String(decoding: bytes, as: UTF8.self)
}

/// Exact (code point by code point) equality, unlike `==` on String.
func sameScalars(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

@inline(__always)
func appendUTF8(_ c: UInt32, to out: inout [UInt8]) {
    if c < 0x80 {
        out.append(UInt8(c))
    } else if c < 0x800 {
        out.append(UInt8(0xC0 | (c >> 6)))
        out.append(UInt8(0x80 | (c & 0x3F)))
    } else if c < 0x10000 {
        out.append(UInt8(0xE0 | (c >> 12)))
        out.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (c & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (c >> 18)))
        out.append(UInt8(0x80 | ((c >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (c & 0x3F)))
    }
}
