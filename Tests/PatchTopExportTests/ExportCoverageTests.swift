import Foundation
import PatchTopExport
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import XCTest

/// What issue 20 and 22 ask the export to cover beyond the int8 kernels:
/// float32 models, a streamed image under --int8-io, multi-stage plans from
/// the sweep and rectangular grids; host-built (the harness's `make host`)
/// and one run of each on QEMU's Cortex-M4.
extension FirmwareLibraryTests {
    static let floatModels = ["tiny-allops-f32", "tiny-moreops-f32", "pytorch-style-f32", "mbv2-mini-f32"]

    /// Every float32 sample model: layer by layer and patched, with and
    /// without in-place depthwise and a streamed input, byte-identical to
    /// the runtime (the streamed API too, where the plan streams).
    func testFloatSampleModels() throws {
        for (i, name) in Self.floatModels.enumerated() {
            let options: [MemoryOptions] = [.tfliteMicro, MemoryOptions(inplaceDepthwise: true, streamInput: true)]
            try assertModel(ExportTestFiles.sample(name), patches: [2], layers: 1, options: options,
                            caching: i % 2 == 0 ? [.none, .all] : [.only(.row), .auto(budget: nil)])
        }
    }

    /// A float image streamed under --int8-io: the loads ask for the float
    /// rows and quantize them, so the QUANTIZE step does not run and the
    /// int8 image has no buffer; the outputs are the runtime's.
    func testStreamedInputWithInt8IO() throws {
        let model = try TFLiteReader.load(path: ExportTestFiles.sample("tiny-float-io"))
        let options = MemoryOptions(streamInput: true, int8IO: true)
        let program = try Pipeline(model: model, patches: 2, patchLayers: 3, options: options).program
        XCTAssertFalse(program.plan.schedule.external.isEmpty, "the int8 image is kept outside the arena")
        let library = try FirmwareLibrary(program: program, target: .host, streamedInput: true)
        let source = try XCTUnwrap(library.files["lib/patchtop_model.c"])
        XCTAssertTrue(source.contains("op 0 QUANTIZE (runs in the streamed loads)"), "the QUANTIZE step runs in the loads")
        XCTAssertFalse(source.contains("static uint8_t pt_extra_t"), "no buffer holds the int8 image")
        XCTAssertTrue(source.contains("&op0_quantize }"), "the loads quantize")
        XCTAssertEqual(library.arenaBytes, program.layout.arenaBytes)
        let input = seededInput(for: model, seed: 3)
        let reference = try XCTUnwrap(try program.run(input: input))
        let outputs = try HostBuilder.shared.run(library, program: program, label: "float-io-streamed-int8io", input: input)
        XCTAssertEqual(outputs, reference.outputs)
        // The whole-image entry point of the same library gives the same bytes.
        try assertExport(program, input: input, label: "float-io p2 n3 stream+int8-io")
    }

    /// The layer-by-layer end of a `--stream-input` sweep: the plan keeps the
    /// input out of the arena but reads it whole, so the library reads it in
    /// place from the caller's buffer (no region callback) and says so; the
    /// same plan under --int8-io, whose int8 image would need a buffer the
    /// plan does not count, is refused with the reason.
    func testStreamedInputOnALayerByLayerHeadReadsTheInputInPlace() throws {
        let model = try TFLiteReader.load(path: ExportTestFiles.sample("tiny-float-io"))
        let program = try Pipeline(model: model, options: MemoryOptions(streamInput: true)).program
        let library = try FirmwareLibrary(program: program, target: .host, streamedInput: true)
        XCTAssertFalse(library.manifest.streamedInput, "nothing to stream: the whole-input entry point")
        XCTAssertEqual(library.notes.count, 1)
        XCTAssertTrue(library.notes[0].contains("in place from the caller's buffer"), library.notes[0])
        XCTAssertTrue(try XCTUnwrap(library.files["lib/patchtop_model.h"]).contains("#define PT_STREAMED_INPUT 0"))
        XCTAssertEqual(library.arenaBytes, program.layout.arenaBytes)
        let input = seededInput(for: model, seed: 5)
        let reference = try XCTUnwrap(try program.run(input: input))
        XCTAssertEqual(try HostBuilder.shared.run(library, program: program, label: "float-io-lbl-stream", input: input), reference.outputs)
        // A patched plan that does stream keeps the callback and no note.
        let patched = try Pipeline(model: model, patches: 2, patchLayers: 3, options: MemoryOptions(streamInput: true)).program
        let streaming = try FirmwareLibrary(program: patched, target: .host, streamedInput: true)
        XCTAssertTrue(streaming.manifest.streamedInput)
        XCTAssertTrue(streaming.notes.isEmpty)

        let int8 = try Pipeline(model: model, options: MemoryOptions(streamInput: true, int8IO: true)).program
        XCTAssertThrowsError(try FirmwareLibrary(program: int8, target: .host, streamedInput: true)) { error in
            guard case ExportError.streamedInputUnavailable(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("layer by layer"), reason)
        }
    }

    /// A multi-stage plan from the sweep's search (the point with the most
    /// stages on its front) exports and runs identical, arena == plan.
    func testMultiStagePlanFromTheSweep() throws {
        for name in ["tiny-allops", "tiny-allops-f32"] {
            let model = try TFLiteReader.load(path: ExportTestFiles.sample(name))
            let search = MultiStageSearch(model: model)
            let point = try XCTUnwrap(search.front.max { $0.plan.fusedStages.count < $1.plan.fusedStages.count }, name)
            XCTAssertGreaterThan(point.plan.fusedStages.count, 1, "\(name): the front has a plan of several stages")
            let program = try Pipeline(model: model, plan: point.plan).program
            let library = try FirmwareLibrary(program: program, target: .host, streamedInput: false)
            XCTAssertEqual(library.manifest.plan.stages.count, point.plan.fusedStages.count, name)
            let header = try XCTUnwrap(library.files["lib/patchtop_model.c"])
            for stage in point.plan.fusedStages {
                XCTAssertTrue(header.contains("in \(stage.grid.rows)x\(stage.grid.cols) tiles"), "\(name): the source names stage \(stage.firstOp)")
            }
            try assertExport(program, input: seededInput(for: model, seed: 5), label: "\(name) multi-stage \(point.stages)")
        }
    }

    /// Rectangular grids (4×2 tiles, and strips of rows) export identical.
    func testRectangularGrids() throws {
        for (name, grid) in [("tiny-allops", TileGrid(rows: 4, cols: 2)), ("mbv1-w0.25-r96-g", TileGrid(rows: 3, cols: 1)),
                             ("tiny-moreops-f32", TileGrid(rows: 2, cols: 4))] {
            let model = try TFLiteReader.load(path: ExportTestFiles.sample(name))
            let n = try XCTUnwrap((2..<model.operators.count).reversed().first {
                (try? PatchPlan(model: model, stages: [StageSpec(firstOp: 0, lastOp: $0 - 1, grid: grid)]))?.isPatched == true
            }, name)
            let plan = try PatchPlan(model: model, stages: [StageSpec(firstOp: 0, lastOp: n - 1, grid: grid)])
            XCTAssertEqual(plan.grid, grid, name)
            let program = try Pipeline(model: model, plan: plan).program
            try assertExport(program, input: seededInput(for: model, seed: 9), label: "\(name) \(grid) n\(n)")
        }
    }

    /// On QEMU's Cortex-M4 (single-precision FPU, newlib): a patched float
    /// model with LOGISTIC and SOFTMAX, the streamed float image under
    /// --int8-io, and a multi-stage plan, each identical to the runtime
    /// with arena == plan.
    func testCoverageOnCortexM4() throws {
        if let reason = XorFixture.emulatorMissing { throw XCTSkip(reason) }
        func check(_ name: String, _ program: ArenaProgram, streamed: Bool) throws {
            let model = program.prepared.model
            let library = try FirmwareLibrary(program: program, target: .cortexM4, streamedInput: streamed)
            let dir = XorFixture.temporaryFolder(name)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try FirmwareProject.write(library, to: dir, target: .cortexM4)
            let input = seededInput(for: model, seed: 11)
            let expected = try FirmwareVerification.Expectation(program: program, input: input, manifest: library.manifest)
            let report = try FirmwareVerification.verify(dir: dir, target: .cortexM4, arenaBytes: library.arenaBytes, expecting: expected)
            XCTAssertTrue(report.identical, "\(name): \(report.outputs)")
            XCTAssertEqual(report.arenaBytes, program.layout.arenaBytes, name)
            XCTAssertEqual(report.staticRAMArenaBytes, program.layout.arenaBytes, name)
        }
        let f32 = try TFLiteReader.load(path: ExportTestFiles.sample("tiny-allops-f32"))
        try check("tiny-allops-f32-p4", try Pipeline(model: f32, patches: 4, patchLayers: 10).program, streamed: false)
        let io = try TFLiteReader.load(path: ExportTestFiles.sample("tiny-float-io"))
        try check("tiny-float-io-stream-int8io",
                  try Pipeline(model: io, patches: 2, patchLayers: 3, options: MemoryOptions(streamInput: true, int8IO: true)).program,
                  streamed: true)
        let int8 = try TFLiteReader.load(path: ExportTestFiles.sample("tiny-allops"))
        let point = try XCTUnwrap(MultiStageSearch(model: int8).front.max { $0.plan.fusedStages.count < $1.plan.fusedStages.count })
        try check("tiny-allops-multi-stage", try Pipeline(model: int8, plan: point.plan).program, streamed: false)
    }
}
