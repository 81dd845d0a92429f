import Foundation

/// JSON as every `--json` output prints it: pretty, keys sorted, slashes
/// unescaped; a figure that is not a number (a MAC overhead of a model
/// with no MACs is 0/0) becomes `null` instead of failing the encoding,
/// e.g. `"macOverhead" : null`.
public enum JSONText {
    /// Stands in for a non-finite value while encoding; no model or file
    /// name holds these control characters, and JSON escapes them anyway.
    private static let nan = "\u{1}nan\u{1}", plusInfinity = "\u{1}+inf\u{1}", minusInfinity = "\u{1}-inf\u{1}"

    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: plusInfinity, negativeInfinity: minusInfinity, nan: nan)
        var text = String(decoding: try encoder.encode(value), as: UTF8.self)
        for sentinel in [nan, plusInfinity, minusInfinity] {
            text = text.replacingOccurrences(of: "\"\(sentinel.replacingOccurrences(of: "\u{1}", with: "\\u0001"))\"", with: "null")
        }
        return text
    }
}
