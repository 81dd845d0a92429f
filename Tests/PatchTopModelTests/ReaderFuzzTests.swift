import Foundation
import PatchTopModel
import PatchTopPlan
import XCTest

/// Thousands of seeded mutations of real models: the reader must return a
/// model or throw a `ModelError`, never trap, whatever the bytes.
final class ReaderFuzzTests: XCTestCase {
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

    private func mutate(_ original: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes = original
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: // bit flips
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            }
        case 1: // truncation
            bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
        case 2: // splice a run of bytes from elsewhere
            let length = Int.random(in: 1...64, using: &rng)
            let from = Int.random(in: 0..<(bytes.count - length), using: &rng)
            let to = Int.random(in: 0..<(bytes.count - length), using: &rng)
            bytes.replaceSubrange(to..<to + length, with: original[from..<from + length])
        case 3: // random 32-bit values where offsets and counts live
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<(bytes.count - 4), using: &rng) & ~3
                let value = UInt32.random(in: 0...UInt32.max, using: &rng)
                for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
            }
        default: // extreme values in the header region (root, vtables)
            let i = Int.random(in: 0..<min(bytes.count, 512), using: &rng)
            bytes[i] = [0x00, 0x7F, 0x80, 0xFF].randomElement(using: &rng)!
        }
        return bytes
    }

    private func fuzz(_ name: String, cases: Int, seed: UInt64) throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.samplePath(name))))
        var rng = SeededGenerator(state: seed)
        var models = 0, errors = 0
        for _ in 0..<cases {
            let bytes = mutate(original, using: &rng)
            do {
                let model = try TFLiteReader.read(bytes: bytes)
                // What the analysis derives must not trap either.
                _ = MemorySchedule(model: model, options: MemoryOptions(inplaceDepthwise: true, streamInput: true))
                _ = TFLiteMicroArena.predict(for: model)
                _ = model.macs
                models += 1
            } catch {
                XCTAssertFalse(error.description.isEmpty)
                errors += 1
            }
        }
        XCTAssertEqual(models + errors, cases)
        XCTAssertGreaterThan(errors, 0, "mutations should break some models")
    }

    func testMutationsOfTheAllOpsModel() throws {
        try fuzz("tiny-allops", cases: 3000, seed: 1)
    }

    func testMutationsOfAMobileNet() throws {
        try fuzz("mbv1-w0.25-r96-g", cases: 300, seed: 2)
    }
}
