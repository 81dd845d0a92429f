import Foundation
import PatchTopExport

/// The hand-written library in Fixtures/xor (the export's C API, no model):
/// output 0 is the input XOR 0x5A, output 1 the input's bytes summed as a
/// little-endian uint32; "ops" 0 and 2 are profiled.
enum XorFixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/xor")

    /// The library, with `defines` prepended to its header (e.g.
    /// `#define PT_STREAMED_INPUT 1`).
    static func library(defines: [String] = []) throws -> FirmwareLibrary {
        var files: [String: String] = [:]
        for name in ["patchtop_model.h", "patchtop_model.c"] {
            files["lib/\(name)"] = try String(contentsOf: folder.appendingPathComponent("lib/\(name)"), encoding: .utf8)
        }
        if !defines.isEmpty {
            files["lib/patchtop_model.h"] = defines.joined(separator: "\n") + "\n" + files["lib/patchtop_model.h"]!
        }
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        var manifest = try JSONDecoder().decode(ExportManifest.self, from: data)
        manifest.streamedInput = defines.contains { $0.contains("PT_STREAMED_INPUT 1") }
        return FirmwareLibrary(files: files, arenaBytes: 96, manifest: manifest)
    }

    static func input(seed: UInt8 = 7) -> [UInt8] {
        (0..<90).map { (i: Int) -> UInt8 in
            let value: Int = i * 37 + Int(seed) * 11 + (i * i) % 13
            return UInt8(truncatingIfNeeded: value)
        }
    }

    /// What the library must produce for `input`.
    static func expectation(input: [UInt8]) -> FirmwareVerification.Expectation {
        let xor = input.map { $0 ^ 0x5A }
        let sum = input.reduce(UInt32(0)) { $0 &+ UInt32($1) }
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: sum >> (8 * $0)) }
        return .init(model: "xor-fixture", inputs: [input], outputs: [xor, bytes], plannedArenaBytes: 96,
                     macsPerOp: [90, 0, 90], opNames: ["XOR", "NOTHING", "SUM"])
    }

    /// A new folder under the temporary directory.
    static func temporaryFolder(_ name: String = "export") -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("patchtop-\(name)-\(UUID().uuidString)")
        return path
    }

    /// Why the emulator tests cannot run here, or `nil` when they can.
    static var emulatorMissing: String? {
        let missing = FirmwareToolchain.missing(for: .cortexM4)
        return missing.isEmpty ? nil : "the Arm toolchain/QEMU is not installed (\(missing.joined(separator: ", "))): install \(VerificationError.debianPackages.joined(separator: ", "))"
    }
}
