import Foundation

/// Builds C source text quickly: large weight arrays are written as bytes,
/// not by interpolating millions of strings.
struct CWriter {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func line(_ text: String = "") {
        bytes.append(contentsOf: text.utf8)
        bytes.append(0x0A)
    }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func number(_ value: Int) {
        if value == 0 { bytes.append(0x30); return }
        var v = value.magnitude
        if value < 0 { bytes.append(0x2D) }
        var digits: [UInt8] = []
        while v > 0 {
            digits.append(0x30 + UInt8(v % 10))
            v /= 10
        }
        bytes.append(contentsOf: digits.reversed())
    }

    /// `{ a, b, c, … }` with a line break every `perLine` values. An int32
    /// of −2^31 is written as an expression (C has no such literal).
    mutating func list<S: Sequence>(_ values: S, perLine: Int = 24, int32: Bool = false) where S.Element: BinaryInteger {
        raw("{")
        var count = 0
        for value in values {
            if count > 0 { raw(",") }
            if count % perLine == 0 { raw("\n    ") } else { raw(" ") }
            let v = Int(value)
            if int32 && v == -2_147_483_648 { raw("(-2147483647 - 1)") } else { number(v) }
            count += 1
        }
        if count == 0 { raw("0") }
        raw("\n}")
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A C identifier from any text: letters, digits and underscores, not
/// starting with a digit, at most `limit` characters.
func cIdentifier(_ text: String, limit: Int = 48) -> String {
    var out = ""
    var lastUnderscore = false
    for scalar in text.lowercased().unicodeScalars {
        let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
        if ok {
            out.unicodeScalars.append(scalar)
            lastUnderscore = false
        } else if !lastUnderscore && !out.isEmpty {
            out.append("_")
            lastUnderscore = true
        }
        if out.count >= limit { break }
    }
    while out.hasSuffix("_") { out.removeLast() }
    if out.isEmpty { return "t" }
    if let first = out.unicodeScalars.first, first >= "0" && first <= "9" { out = "t" + out }
    return out
}

/// A float as a C literal that reads back as exactly the same float.
func cFloat(_ value: Float) -> String {
    if value.isNaN { return "(0.0f / 0.0f)" }
    if value.isInfinite { return value < 0 ? "(-1.0f / 0.0f)" : "(1.0f / 0.0f)" }
    return String(format: "%.9ef", Double(value))
}

/// Text safe inside a C comment.
func cComment(_ text: String) -> String {
    text.replacingOccurrences(of: "*/", with: "* /").replacingOccurrences(of: "\n", with: " ")
}
