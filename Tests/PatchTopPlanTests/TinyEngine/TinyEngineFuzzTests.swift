import Foundation
import PatchTopModel
import PatchTopPlan
import XCTest

/// Seeded mutations of models TinyEngine converts: whatever a file holds
/// (shapes, strides, op codes), TinyEngine's figure is a number or a reason,
/// never a trap.
final class TinyEngineFuzzTests: XCTestCase {
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testMutatedModelsGiveAFigureOrAReason() throws {
        var rng = SeededGenerator(state: 10)
        var estimated = 0, refused = 0
        for name in ["tiny-float-io", "mbv2-w0.35-r144"] {
            let path = PlanFixtures.sampleModels.appendingPathComponent("\(name).tflite").path
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            for _ in 0..<60 {
                var bytes = original
                // Small integers where shapes, strides and op codes live.
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let i = Int.random(in: 0..<(bytes.count - 4), using: &rng) & ~3
                    let value = [0, 1, 2, 3, 7, 100, 0x7FFF_FFFF, 0xFFFF_FFFF].randomElement(using: &rng)!
                    for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
                }
                guard let model = try? TFLiteReader.read(bytes: bytes, name: name) else { continue }
                let layers = (try? TinyEngineLayerList(model: model))?.layers.count ?? 0
                for (p, split) in [(1, 0), (2, 1), (3, 4), (4, layers / 2), (7, layers - 1)] {
                    switch Result(catching: { () throws(TinyEngineUnavailable) in try TinyEngineEstimate(model: model, patches: p, splitIndex: split) }) {
                    case .success(let estimate):
                        XCTAssertGreaterThan(estimate.memory.peakMemBytes, 0)
                        estimated += 1
                    case .failure(let why):
                        XCTAssertFalse(why.reason.isEmpty)
                        refused += 1
                    }
                }
                for n in [0, 1, model.operators.count / 2, model.operators.count] {
                    _ = TinyEngineEstimate.of(model: model, patches: 2, patchLayers: n)
                }
            }
        }
        XCTAssertGreaterThan(estimated, 0)
        XCTAssertGreaterThan(refused, 0)
    }
}
