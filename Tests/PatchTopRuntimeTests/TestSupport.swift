import Foundation

/// Where the runtime tests find their models.
enum TestFiles {
    /// The repository root (the folder holding Package.swift), found by
    /// walking up from this file.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url
    }()

    /// A bundled sample model.
    static func sample(_ name: String) -> String { root.appendingPathComponent("SampleModels/\(name).tflite").path }

    /// `../shared/models/` beside the checkout: real models that tests use
    /// when present and skip when absent (never copied into the project).
    static func shared(_ path: String) -> String {
        root.deletingLastPathComponent().appendingPathComponent("shared/models/\(path)").path
    }
}

/// SplitMix64: a tiny seeded generator, so a failing case is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
