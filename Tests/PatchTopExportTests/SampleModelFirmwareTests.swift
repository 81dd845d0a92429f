import Foundation
import PatchTopExport
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import XCTest

/// Real exports of sample models on QEMU's Cortex-M4 and M7: layer by layer
/// and patched, under memory options and halo caches, byte-identical to the
/// runtime with the arena the plan laid out. Few and small, so the suite
/// stays fast; the host-only sweep over every model is the firmware
/// branch's FirmwareLibraryTests.
final class SampleModelFirmwareTests: XCTestCase {
    static let sampleModels = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SampleModels")

    struct Case {
        var model: String
        var patches: Int
        /// nil: the first n that makes a patched plan.
        var patchLayers: Int?
        var options: MemoryOptions
        var caching: HaloCaching = .none
        var target: FirmwareTarget
    }

    func testSampleModelsOnCortexM4AndM7() throws {
        if let reason = XorFixture.emulatorMissing { throw XCTSkip(reason) }
        let cases = [
            // (tiny-allops layer by layer on the M4: the CLI's end-to-end test.)
            Case(model: "mbv1-w0.25-r96-g", patches: 1, patchLayers: 0, options: MemoryOptions(), target: .cortexM7),
            Case(model: "mbv1-w0.25-r96-g", patches: 2, patchLayers: nil,
                 options: MemoryOptions(inplaceDepthwise: true, streamInput: true), target: .cortexM4),
            Case(model: "mbv1-w0.25-r96-g", patches: 3, patchLayers: nil, options: MemoryOptions(), caching: .all, target: .cortexM7),
            Case(model: "pytorch-style", patches: 1, patchLayers: 0, options: MemoryOptions(foldPad: true, int8IO: true), target: .cortexM7),
            // Squeeze-excite MULs broadcast over channels, residual ADDs fused
            // into their convs: the computed binary ops (lifts, one requantization).
            Case(model: "mbv3s-r96", patches: 1, patchLayers: 0, options: MemoryOptions(inplaceDepthwise: true, fuseResidual: true),
                 target: .cortexM4),
        ]
        for c in cases { try check(c) }
    }

    func check(_ c: Case) throws {
        let path = Self.sampleModels.appendingPathComponent("\(c.model).tflite").path
        let model = try TFLiteReader.load(path: path)
        let n = c.patchLayers ?? (2..<model.operators.count).first {
            (try? PatchPlan(model: model, patches: c.patches, patchLayers: $0, options: c.options))?.isPatched == true
        } ?? 0
        let program = try Pipeline(model: model, patches: c.patches, patchLayers: n, options: c.options, haloCaching: c.caching).program
        let plan = program.plan
        let label = "\(c.model) p=\(c.patches) n=\(n) \(c.options.summary) \(c.target.rawValue)"
        let made = Result { () throws(ExportError) -> FirmwareLibrary in
            try FirmwareLibrary(program: program, target: c.target, streamedInput: c.options.streamInput)
        }
        if case .failure(let error) = made, error.description.contains("no C emitter yet") {
            throw XCTSkip("this build has no C emitter yet (the firmware branch's)")
        }
        let library = try made.get()
        XCTAssertEqual(library.arenaBytes, program.layout.arenaBytes, label)
        let dir = XorFixture.temporaryFolder(c.model)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FirmwareProject.write(library, to: dir, target: c.target)
        let input = Self.input(for: model)
        let expected = try FirmwareVerification.Expectation(program: program, input: input, manifest: library.manifest)
        let report = try FirmwareVerification.verify(dir: dir, target: c.target, arenaBytes: library.arenaBytes, expecting: expected)
        XCTAssertTrue(report.identical, "\(label): \(report.outputs)")
        XCTAssertEqual(report.arenaBytes, program.layout.arenaBytes, label)
        XCTAssertEqual(report.staticRAMArenaBytes, program.layout.arenaBytes, label)
        XCTAssertLessThan(try XCTUnwrap(report.staticRAMRestBytes), 4096, "\(label): a few KiB of static RAM besides the arena")
        XCTAssertGreaterThan(try XCTUnwrap(report.instructions), plan.macsPerOp.reduce(0, +) / 2, "\(label): at most two MACs an instruction")
        XCTAssertGreaterThan(try XCTUnwrap(report.stackBytes), 0, label)
    }

    /// Seeded bytes for the model's input: int8 anywhere, float32 in [-1, 1).
    static func input(for model: Model) -> [Int8] {
        let tensor = model.tensors[model.inputs[0]]
        var state: UInt64 = 0x1234_5678
        var bytes: [Int8] = []
        if tensor.type == .float32 {
            for _ in 0..<tensor.elementCount {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let value = Float(Double((state >> 11) % 2_000_000) / 1_000_000 - 1)
                let bits = value.bitPattern
                for shift in stride(from: 0, to: 32, by: 8) { bytes.append(Int8(truncatingIfNeeded: bits >> UInt32(shift))) }
            }
        } else {
            for _ in 0..<tensor.byteCount {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(Int8(truncatingIfNeeded: state >> 33))
            }
        }
        return bytes
    }
}
