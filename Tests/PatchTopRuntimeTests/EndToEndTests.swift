import Foundation
import XCTest
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime

/// Runs whole models and compares with the bytes TFLite's reference kernels
/// produced (SampleModels/README.md): the runtime is only useful as a
/// profiler's ground truth if it is bit-exact.
final class EndToEndTests: XCTestCase {
    /// The repository root, found by walking up from this file.
    private static var repositoryRoot: URL? {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("SampleModels").path) { return url }
            url.deleteLastPathComponent()
        }
        return nil
    }

    private func check(modelPath: String, referenceDirectory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard FileManager.default.fileExists(atPath: modelPath) else { throw XCTSkip("\(modelPath) is absent") }
        let model = try TFLiteReader.load(path: modelPath)
        let prepared = try PreparedModel(model: model)
        let program = try ArenaProgram(prepared: prepared)
        let streamed = try ArenaProgram(prepared: prepared, options: MemoryOptions(inplaceDepthwise: false, streamInput: true))
        let inplaceOptions = MemoryOptions(inplaceDepthwise: true, streamInput: false)
        let inplace = try ArenaProgram(prepared: prepared, options: inplaceOptions)
        let tinyEngineOptions = MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)
        let tinyEngine = try ArenaProgram(prepared: prepared, options: tinyEngineOptions)
        for seed in 0..<3 {
            let dir = URL(fileURLWithPath: referenceDirectory)
            let input = try [UInt8](Data(contentsOf: dir.appendingPathComponent("in_s\(seed).bin")))
            let expected = try [UInt8](Data(contentsOf: dir.appendingPathComponent("out_s\(seed).bin")))
            let signed = input.map { Int8(bitPattern: $0) }
            let run = try XCTUnwrap(try program.run(input: signed))
            let output = run.output.map { UInt8(bitPattern: $0) }
            // The arena really used is the one laid out, which is the
            // liveness peak (TFLite Micro's activation area on these models).
            XCTAssertEqual(run.measuredArenaBytes, run.plannedArenaBytes, "seed \(seed): measured arena", file: file, line: line)
            XCTAssertEqual(run.plannedArenaBytes, MemorySchedule(model: model).peakBytes, "seed \(seed): layout", file: file, line: line)
            let streamedRun = try XCTUnwrap(try streamed.run(input: signed))
            XCTAssertEqual(streamedRun.output, run.output, "seed \(seed): streamed input", file: file, line: line)
            XCTAssertEqual(streamedRun.measuredArenaBytes, streamedRun.plannedArenaBytes, file: file, line: line)
            // Depthwise convs written over their inputs: same bytes, and the
            // arena shrinks to the in-place liveness peak.
            let inplaceRun = try XCTUnwrap(try inplace.run(input: signed))
            XCTAssertEqual(inplaceRun.output, run.output, "seed \(seed): in-place depthwise", file: file, line: line)
            XCTAssertEqual(inplaceRun.measuredArenaBytes, MemorySchedule(model: model, options: inplaceOptions).peakBytes,
                           "seed \(seed): in-place arena", file: file, line: line)
            // All of TinyEngine's savings, residual ADDs fused into their convs.
            let tinyEngineRun = try XCTUnwrap(try tinyEngine.run(input: signed))
            XCTAssertEqual(tinyEngineRun.output, run.output, "seed \(seed): fused residuals", file: file, line: line)
            XCTAssertEqual(tinyEngineRun.measuredArenaBytes, MemorySchedule(model: model, options: tinyEngineOptions).peakBytes,
                           "seed \(seed): TinyEngine arena", file: file, line: line)
            let mismatches = zip(output, expected).filter { $0 != $1 }.count
            XCTAssertEqual(output.count, expected.count, "seed \(seed): output size", file: file, line: line)
            XCTAssertTrue(output == expected,
                          "seed \(seed): \(mismatches) of \(expected.count) bytes differ; first got \(Array(output.prefix(8))), want \(Array(expected.prefix(8)))",
                          file: file, line: line)
        }
    }

    private func checkSample(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let root = Self.repositoryRoot else { throw XCTSkip("SampleModels not found") }
        let dir = root.appendingPathComponent("SampleModels")
        try check(modelPath: dir.appendingPathComponent("\(name).tflite").path,
                  referenceDirectory: dir.appendingPathComponent(name).path, file: file, line: line)
    }

    func testTinyAllOps() throws { try checkSample("tiny-allops") }
    func testTinyFloatIO() throws { try checkSample("tiny-float-io") }
    func testTinyMoreOps() throws { try checkSample("tiny-moreops") }
    func testMobileNetV1() throws { try checkSample("mbv1-w0.25-r96-g") }
    func testMobileNetV2Small() throws { try checkSample("mbv2-w0.35-r144") }
    func testMobileNetV2Large() throws { try checkSample("mbv2-w1.0-r224") }
    func testMobileNetV3Small() throws { try checkSample("mbv3s-r96") }
    func testMCUNet() throws { try checkSample("mcunet-kmix-r112") }
    /// MLPerf Tiny's ResNet-8 and DS-CNN architectures: dense 3×3 convs with
    /// residual ADDs and 1×1 projections; a 10×4 first conv and depthwise blocks.
    func testResNet8() throws { try checkSample("resnet8-r32") }
    func testDSCNN() throws { try checkSample("dscnn-kws") }

    func testPersonDetect() throws {
        guard let root = Self.repositoryRoot else { throw XCTSkip("repository root not found") }
        // /work/shared/models, beside the checkout (never copied into it).
        let shared = root.deletingLastPathComponent().appendingPathComponent("shared/models")
        try check(modelPath: shared.appendingPathComponent("person_detect.tflite").path,
                  referenceDirectory: shared.appendingPathComponent("person_detect").path)
    }

    func testUnsupportedOpIsNamed() throws {
        let tensors = [
            Tensor(index: 0, name: "in", shape: [1, 4], type: .int8, quantization: Quantization(scales: [1], zeroPoints: [0])),
            Tensor(index: 1, name: "out", shape: [4], type: .int8, quantization: Quantization(scales: [1], zeroPoints: [0])),
        ]
        let op = Operator(index: 0, kind: OperatorKind(builtinCode: 26), inputs: [0], outputs: [1])
        let model = try Model(name: "space-to-depth", tensors: tensors, operators: [op], inputs: [0], outputs: [1])
        XCTAssertThrowsError(try PreparedModel(model: model)) { error in
            XCTAssertEqual("\(error)", "op 0 (SPACE_TO_DEPTH) is not supported by the runtime")
        }
    }

    func testAddOfShapesThatDoNotBroadcastIsRefused() throws {
        let q = Quantization(scales: [1], zeroPoints: [0])
        let tensors = [
            Tensor(index: 0, name: "a", shape: [1, 4, 4, 8], type: .int8, quantization: q),
            Tensor(index: 1, name: "b", shape: [1, 4, 4, 3], type: .int8, quantization: q),
            Tensor(index: 2, name: "out", shape: [1, 4, 4, 8], type: .int8, quantization: q),
        ]
        let op = Operator(index: 0, kind: OperatorKind(builtinCode: 0), inputs: [0, 1], outputs: [2])
        let model = try Model(name: "bad-add", tensors: tensors, operators: [op], inputs: [0, 1], outputs: [2])
        XCTAssertThrowsError(try PreparedModel(model: model)) { error in
            XCTAssertEqual("\(error)", "op 0 (ADD) is not supported by the runtime: shapes [1, 4, 4, 8] and [1, 4, 4, 3] do not broadcast to [1, 4, 4, 8]")
        }
    }

    /// QUANTIZE between uint8 and int8, checked by hand: an older camera
    /// pipeline's uint8 input (zero point 128) shifted to int8, and an int8
    /// value halved into a uint8 output. Ties follow gemmlowp's doubling
    /// high multiply: 1.5 → 2 but −1.5 → −1 (its nudge for negative
    /// products is one short of a half).
    func testQuantizeBetweenUInt8AndInt8() throws {
        func model(_ from: ElementType, _ fromQ: Quantization, _ to: ElementType, _ toQ: Quantization) throws -> Model {
            let tensors = [
                Tensor(index: 0, name: "in", shape: [1, 6], type: from, quantization: fromQ),
                Tensor(index: 1, name: "out", shape: [1, 6], type: to, quantization: toQ),
            ]
            let op = Operator(index: 0, kind: .quantize, inputs: [0], outputs: [1])
            return try Model(name: "requantize", tensors: tensors, operators: [op], inputs: [0], outputs: [1])
        }
        let fromUInt8 = try PreparedModel(model: model(.uint8, Quantization(scales: [0.5], zeroPoints: [128]),
                                                     .int8, Quantization(scales: [0.5], zeroPoints: [0])))
        XCTAssertEqual(try fromUInt8.run(inputBytes: [0, 1, 127, 128, 200, 255]), [128, 129, 255, 0, 72, 127].map { UInt8($0) })
        let toUInt8 = try PreparedModel(model: model(.int8, Quantization(scales: [1], zeroPoints: [0]),
                                                   .uint8, Quantization(scales: [2], zeroPoints: [128])))
        let input: [Int8] = [0, 3, -3, 127, -128, 1]
        XCTAssertEqual(try toUInt8.run(inputBytes: input.map { UInt8(bitPattern: $0) }), [128, 130, 127, 192, 64, 129])
    }

    func testSqueezeKeepsTheBytes() throws {
        let q = Quantization(scales: [0.1], zeroPoints: [3])
        let tensors = [
            Tensor(index: 0, name: "in", shape: [1, 1, 1, 4], type: .int8, quantization: q),
            Tensor(index: 1, name: "out", shape: [1, 4], type: .int8, quantization: q),
        ]
        let op = Operator(index: 0, kind: .squeeze, inputs: [0], outputs: [1])
        let model = try Model(name: "squeeze", tensors: tensors, operators: [op], inputs: [0], outputs: [1])
        XCTAssertEqual(try PreparedModel(model: model).run(inputBytes: [1, 200, 7, 128]), [1, 200, 7, 128])
    }

    /// A conv with no output channels parses (shapes may hold zeros) but
    /// has nothing to run: one clear refusal, not a trap in a kernel.
    func testEmptyConvIsRefused() throws {
        let q = Quantization(scales: [0.1], zeroPoints: [0])
        let tensors = [
            Tensor(index: 0, name: "in", shape: [1, 4, 4, 2], type: .int8, quantization: q),
            Tensor(index: 1, name: "filter", shape: [0, 1, 1, 2], type: .int8, data: [], quantization: q),
            Tensor(index: 2, name: "out", shape: [1, 4, 4, 0], type: .int8, quantization: q),
        ]
        let op = Operator(index: 0, kind: .conv2D,
                          options: .conv2D(window: WindowOptions(padding: .same, strideHeight: 1, strideWidth: 1), activation: .none),
                          inputs: [0, 1], outputs: [2])
        let model = try Model(name: "empty", tensors: tensors, operators: [op], inputs: [0], outputs: [2])
        XCTAssertThrowsError(try PreparedModel(model: model)) { error in
            XCTAssertTrue("\(error)".hasPrefix("op 0 (CONV_2D) is not supported by the runtime"), "\(error)")
            XCTAssertTrue("\(error)".contains("is empty"), "\(error)")
        }
    }
}
