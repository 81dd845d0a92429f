import Foundation
import PatchTopExport
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import XCTest

/// The exported C library, built with the host's `cc`, gives the runtime's
/// bytes for every plan: layer by layer and patched, under the memory
/// options and halo-cache modes.
final class FirmwareLibraryTests: XCTestCase {
    override func setUpWithError() throws {
        guard toolExists("cc") else { throw XCTSkip("no C compiler (cc) on this machine") }
    }

    /// A few valid n for `p`, spread over the range.
    private func layerChoices(_ model: Model, patches: Int, count: Int) -> [Int] {
        let valid = (1...max(1, model.operators.count)).filter {
            (try? PatchPlan(model: model, patches: patches, patchLayers: $0)) != nil
        }
        guard valid.count > count else { return valid }
        return (0..<count).map { valid[$0 * (valid.count - 1) / max(count - 1, 1)] }
    }

    /// Exports `plan`, runs it, and compares with `ArenaProgram.run`.
    func assertExport(_ program: ArenaProgram, input: [Int8], label: String,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try XCTUnwrap(try program.run(input: input), label)
        let library = try FirmwareLibrary(program: program, target: .host, streamedInput: false)
        XCTAssertEqual(library.arenaBytes, program.layout.arenaBytes, label, file: file, line: line)
        let header = try XCTUnwrap(library.files["lib/patchtop_model.h"])
        XCTAssertTrue(header.contains("#define PT_ARENA_BYTES   \(program.layout.arenaBytes)\n"), "\(label): PT_ARENA_BYTES", file: file, line: line)
        let outputs = try HostBuilder.shared.run(library, program: program, label: label, input: input)
        XCTAssertEqual(outputs.count, reference.outputs.count, label, file: file, line: line)
        for (k, (got, want)) in zip(outputs, reference.outputs).enumerated() where got != want {
            let first = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1
            XCTFail("\(label): output \(k) differs from the runtime (first at byte \(first) of \(want.count))", file: file, line: line)
        }
        // The streamed API, where the plan streams its input.
        if let streamed = try? FirmwareLibrary(program: program, target: .host, streamedInput: true) {
            let outputs = try HostBuilder.shared.run(streamed, program: program, label: label + "-streamed", input: input)
            XCTAssertTrue(outputs == reference.outputs, "\(label): streamed output differs from the runtime", file: file, line: line)
        }
    }

    /// Layer by layer under each memory option, and patched plans: every
    /// (p, n) with one halo-cache mode, the modes taken in turn so that
    /// each option meets several of them.
    func assertModel(_ path: String, patches: [Int], layers: Int, options: [MemoryOptions],
                             caching: [HaloCaching] = [.none, .all, .only(.row), .auto(budget: nil), .only(.column)],
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try TFLiteReader.load(path: path)
        let prepared = try PreparedModel(model: model)
        let input = seededInput(for: model, seed: 7)
        let name = (path as NSString).lastPathComponent
        var turn = 0
        for memory in options {
            let whole = try Pipeline(prepared: prepared, options: memory).program
            try assertExport(whole, input: input, label: "\(name) layer-by-layer \(memory.summary)", file: file, line: line)
            for p in patches {
                for n in layerChoices(model, patches: p, count: layers) {
                    let mode = caching[turn % caching.count]
                    turn += 1
                    guard let pipeline = try? Pipeline(prepared: prepared, patches: p, patchLayers: n, options: memory,
                                                       haloCaching: mode) else { continue }
                    try assertExport(pipeline.program, input: input, label: "\(name) p\(p) n\(n) \(mode.name) \(memory.summary)",
                                     file: file, line: line)
                }
            }
        }
    }

    static let memoryOptions: [MemoryOptions] = [
        .tfliteMicro,
        MemoryOptions(inplaceDepthwise: true, streamInput: true),
        MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true, foldPad: true),
        MemoryOptions(inplaceDepthwise: true, foldPad: true, int8IO: true),
    ]

    /// Each tiny model under two of the memory options (taken in turn, so
    /// every option meets several models), layer by layer and patched.
    func testTinyModels() throws {
        for (i, name) in ["tiny-allops", "tiny-moreops", "tiny-float-io", "pytorch-style", "tiny-dynbatch"].enumerated() {
            let options = [Self.memoryOptions[i % 4], Self.memoryOptions[(i + 1) % 4]]
            try assertModel(ExportTestFiles.sample(name), patches: [2], layers: 1, options: options)
        }
    }

    func testMobileNets() throws {
        try assertModel(ExportTestFiles.sample("mbv2-w0.35-r144"), patches: [3], layers: 1, options: [Self.memoryOptions[2]],
                        caching: [.all])
        try assertModel(ExportTestFiles.sample("mbv1-w0.25-r96-g"), patches: [2], layers: 1, options: [Self.memoryOptions[2]], caching: [.only(.column)])
        try assertModel(ExportTestFiles.sample("mbv3s-r96"), patches: [2], layers: 1, options: [Self.memoryOptions[3]], caching: [.only(.row)])
    }

    func testOtherSampleModels() throws {
        try assertModel(ExportTestFiles.sample("mcunet-kmix-r112"), patches: [4], layers: 1, options: [Self.memoryOptions[2]],
                        caching: [.auto(budget: nil)])
        try assertModel(ExportTestFiles.sample("resnet8-r32"), patches: [2], layers: 1, options: [Self.memoryOptions[2]])
        try assertModel(ExportTestFiles.sample("dscnn-kws"), patches: [2], layers: 1, options: [Self.memoryOptions[1]], caching: [.all])
        try assertModel(ExportTestFiles.sample("mbv2-w1.0-r224"), patches: [], layers: 0, options: [.tfliteMicro])
    }

    func testSharedModels() throws {
        var ran = 0
        for name in ["person_detect", "tinyengine/vww", "tinyengine/mcunetv2_large", "tinyengine/detection"] {
            let path = ExportTestFiles.shared(name + ".tflite")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            try assertModel(path, patches: [2], layers: 1, options: [MemoryOptions(inplaceDepthwise: true, foldPad: true, int8IO: true)],
                            caching: [.none])
            ran += 1
        }
        if ran == 0 { throw XCTSkip("../shared/models is absent") }
    }

    /// An op the C library cannot run (here one the runtime does not know,
    /// kept as a refused step) is refused before anything is made, naming
    /// the op and its index.
    func testUnexportableOpIsRefusedNamingItsIndex() throws {
        let file = try TFLiteReader.load(path: ExportTestFiles.sample("tiny-allops-f32"))
        var operators = file.operators
        let last = operators.count - 1
        operators[last].kind = .other(builtinCode: 1000, customName: "MYSTERY")
        operators[last].options = .none
        let model = try Model(name: "mystery", tensors: file.tensors, operators: operators, inputs: file.inputs, outputs: file.outputs)
        let prepared = try PreparedModel(model: model, keepingUnsupportedOps: true)
        let program = try Pipeline(prepared: prepared).program
        do {
            _ = try FirmwareLibrary(program: program, target: .host, streamedInput: false)
            XCTFail("an op the runtime refused was exported")
        } catch {
            guard case .unsupportedOp(let index, let kind, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(index, last)
            XCTAssertEqual(kind, operators[last].kind.name)
            XCTAssertTrue(error.description.hasPrefix("cannot export op \(last) ("), error.description)
        }
    }

    /// `--stream-input` on a plan that reads its input whole is refused.
    func testStreamedInputNeedsAStreamingPlan() throws {
        let model = try TFLiteReader.load(path: ExportTestFiles.sample("tiny-allops"))
        let program = try Pipeline(model: model).program
        XCTAssertThrowsError(try FirmwareLibrary(program: program, target: .host, streamedInput: true)) { error in
            guard case ExportError.streamedInputUnavailable = error else { return XCTFail("\(error)") }
        }
    }

    /// lib/ compiles with -std=c99 -Wall -Wextra -Werror (the fixed sources
    /// and a generated model with every memory option).
    func testLibraryCompilesWithoutWarnings() throws {
        let model = try TFLiteReader.load(path: ExportTestFiles.sample("mbv2-w0.35-r144"))
        let program = try Pipeline(model: model, patches: 3, patchLayers: 6, options: .everything, haloCaching: .all).program
        let library = try FirmwareLibrary(program: program, target: .host, streamedInput: false)
        let dir = HostBuilder.shared.work + "/warnings"
        try HostBuilder.shared.writeFiles(library, to: dir)
        let sources = library.files.keys.filter { $0.hasSuffix(".c") }.sorted().map { dir + "/" + $0 }
        let result = try shell(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1", "-ffp-contract=off", "-c"] + sources, in: dir)
        XCTAssertEqual(result.status, 0, result.output)
    }

    /// The DSP paths compile for a Cortex-M4 (arm-none-eabi-gcc), when present.
    func testLibraryCompilesForCortexM4() throws {
        guard toolExists("arm-none-eabi-gcc") else { throw XCTSkip("arm-none-eabi-gcc is not installed (Debian: gcc-arm-none-eabi)") }
        let model = try TFLiteReader.load(path: ExportTestFiles.sample("tiny-allops"))
        let program = try Pipeline(model: model).program
        let library = try FirmwareLibrary(program: program, target: .cortexM4, streamedInput: false)
        let dir = HostBuilder.shared.work + "/m4"
        try HostBuilder.shared.writeFiles(library, to: dir)
        let sources = library.files.keys.filter { $0.hasSuffix(".c") }.sorted().map { dir + "/" + $0 }
        let result = try shell(["arm-none-eabi-gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-mcpu=cortex-m4", "-mthumb",
                                "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-O2", "-ffp-contract=off", "-c"] + sources, in: dir)
        XCTAssertEqual(result.status, 0, result.output)
    }
}
