import Foundation

/// Human-readable sizes as MCU engineers quote them: KiB with one decimal
/// (the MCUNet papers' "kB" are KiB), bytes below 1 KiB.
public func formatBytes(_ bytes: Int) -> String {
    if bytes < 1024 { return "\(bytes) B" }
    let kib = Double(bytes) / 1024
    if kib < 10_240 { return "\(formatFixed(kib, decimals: 1)) KiB" }
    return "\(formatFixed(kib / 1024, decimals: 2)) MiB"
}

/// Counts with thousands separators: `7,157,888`.
public func formatCount(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return value < 0 ? "-" + out : out
}

/// MACs in millions with one decimal, e.g. `26.7 M`.
public func formatMACs(_ macs: Int) -> String {
    macs >= 100_000 ? "\(formatFixed(Double(macs) / 1e6, decimals: 1)) M" : formatCount(macs)
}

/// A fixed-point decimal without Foundation's locale-dependent formatting.
public func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "–" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (value * scale).rounded()
    let negative = scaled < 0
    let magnitude = Int(abs(scaled))
    let whole = magnitude / Int(scale)
    let fraction = magnitude % Int(scale)
    var text = "\(whole)"
    if decimals > 0 {
        let f = String(fraction)
        text += "." + String(repeating: "0", count: decimals - f.count) + f
    }
    return negative ? "-" + text : text
}

/// A change as a signed percentage with one decimal: `+10.0%`, `-50.1%`,
/// `–` where it is not a number.
public func formatPercentChange(_ fraction: Double) -> String {
    guard fraction.isFinite else { return "–" }
    let text = formatFixed(fraction * 100, decimals: 1)
    return (text.hasPrefix("-") ? text : "+" + text) + "%"
}

/// Parses `327680`, `320KiB`, `320K`, `320 kB` (KiB, as MCU datasheets
/// mean it), `1MiB` or `1GiB`; `nil` for anything else (or too large for Int).
public func parseByteSize(_ text: String) -> Int? {
    let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
    let digits = trimmed.prefix { $0.isNumber }
    guard !digits.isEmpty, digits.count <= 12, let value = Int(digits) else { return nil }
    let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
    let scale: Int
    switch unit {
    case "", "b": scale = 1
    case "k", "kb", "kib": scale = 1 << 10
    case "m", "mb", "mib": scale = 1 << 20
    case "g", "gb", "gib": scale = 1 << 30
    default: return nil
    }
    let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
    return overflow ? nil : bytes
}
