import Foundation
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import XCTest

/// Seeded mutations of real models that still parse: preparing, compiling
/// and running them must return or throw a `RuntimeError`, never trap
/// (wild scales and zero points, biases of the wrong length, shapes that do
/// not agree with their weights...).
final class RuntimeFuzzTests: XCTestCase {
    private func fuzz(_ name: String, cases: Int, seed: UInt64) throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestFiles.sample(name))))
        var rng = SeededGenerator(state: seed)
        var ran = 0, refused = 0
        for _ in 0..<cases {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let i = Int.random(in: 0..<(bytes.count - 4), using: &rng)
                if Bool.random(using: &rng) {
                    bytes[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                } else {
                    let value = [UInt32.max, 0x7F80_0000, 0x7FC0_0000, 0x8000_0000, 0, 1, 0x4F00_0000, 0x0000_0080]
                        .randomElement(using: &rng)!
                    for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
                }
            }
            guard let model = try? TFLiteReader.read(bytes: bytes), let input = model.inputs.first else { continue }
            do {
                let interpreter = try Interpreter(model: model)
                let data = [Int8](repeating: 3, count: model.tensors[input].byteCount)
                _ = try ArenaProgram(interpreter: interpreter).run(input: data)
                if let plan = (1...model.operators.count).lazy.compactMap({ try? PatchPlan(model: model, patches: 2, patchLayers: $0) }).first {
                    _ = try ArenaProgram(interpreter: interpreter, plan: plan).run(input: data)
                }
                // Every memory option at once: in-place, streamed, fused.
                let tinyEngine = MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)
                _ = try ArenaProgram(interpreter: interpreter, options: tinyEngine).run(input: data)
                if let plan = (1...model.operators.count).lazy.compactMap({
                    try? PatchPlan(model: model, patches: 3, patchLayers: $0, options: tinyEngine)
                }).first {
                    _ = try ArenaProgram(interpreter: interpreter, plan: plan).run(input: data)
                }
                ran += 1
            } catch {
                refused += 1
            }
        }
        XCTAssertGreaterThan(ran + refused, cases / 4, "\(name): too few mutations parsed")
    }

    func testAllOpsModelMutations() throws { try fuzz("tiny-allops", cases: 3000, seed: 21) }
    func testMoreOpsAndResidualMutations() throws {
        try fuzz("tiny-moreops", cases: 1500, seed: 14)
        try fuzz("mbv2-w0.35-r144", cases: 150, seed: 15)
    }
    func testMobileNetV3Mutations() throws { try fuzz("mbv3s-r96", cases: 400, seed: 22) }
    func testPersonDetectLikeMutations() throws { try fuzz("mbv1-w0.25-r96-g", cases: 300, seed: 13) }
    /// MEAN over single axes, TRANSPOSE, LOG_SOFTMAX, SHAPE arithmetic and
    /// the float32 kernels, mutated.
    func testRealModelShapesMutations() throws {
        try fuzz("pytorch-style", cases: 800, seed: 31)
        try fuzz("tiny-dynbatch", cases: 500, seed: 32)
        try fuzz("pytorch-style-f32", cases: 500, seed: 33)
        try fuzz("tiny-allops-f32", cases: 400, seed: 34)
    }
}
