import PatchTopModel
import PatchTopPlan
import XCTest

/// Hand-built graphs with hand-computed shapes, MACs and liveness.
final class GraphTests: XCTestCase {
    private func int8(_ index: Int, _ shape: [Int], constant: Bool = false) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(index: index, name: "t\(index)", shape: shape, type: .int8,
                      data: constant ? [UInt8](repeating: 1, count: count) : nil,
                      quantization: Quantization(scales: [0.1], zeroPoints: [0]))
    }

    private func conv(_ index: Int, _ inputs: [Int], _ output: Int, stride: Int, padding: Padding = .same) -> Operator {
        Operator(index: index, kind: .conv2D,
                 options: .conv2D(window: WindowOptions(padding: padding, strideHeight: stride, strideWidth: stride), activation: .relu6),
                 inputs: inputs, outputs: [output])
    }

    private func depthwise(_ index: Int, _ inputs: [Int], _ output: Int) -> Operator {
        Operator(index: index, kind: .depthwiseConv2D,
                 options: .depthwiseConv2D(window: WindowOptions(padding: .same, strideHeight: 1, strideWidth: 1), depthMultiplier: 1, activation: .none),
                 inputs: inputs, outputs: [output])
    }

    /// input 8×8×3 → conv 3×3/2 → 4×4×8 → depthwise 3×3 → 4×4×8 → conv 1×1 → 4×4×2
    private func smallModel() throws -> Model {
        try Model(name: "small", tensors: [
            int8(0, [1, 8, 8, 3]),
            int8(1, [8, 3, 3, 3], constant: true),
            int8(2, [1, 4, 4, 8]),
            int8(3, [1, 3, 3, 8], constant: true),
            int8(4, [1, 4, 4, 8]),
            int8(5, [2, 1, 1, 8], constant: true),
            int8(6, [1, 4, 4, 2]),
        ], operators: [
            conv(0, [0, 1, -1], 2, stride: 2),
            depthwise(1, [2, 3, -1], 4),
            conv(2, [4, 5, -1], 6, stride: 1),
        ], inputs: [0], outputs: [6])
    }

    func testMACsAreCountedPerOpKind() throws {
        let model = try smallModel()
        XCTAssertEqual(model.operators.map { model.macs(of: $0) }, [4 * 4 * 8 * 27, 4 * 4 * 8 * 9, 4 * 4 * 2 * 8])
        XCTAssertEqual(model.macs, 3456 + 1152 + 256)
        XCTAssertEqual(model.weightBytes, 216 + 72 + 16)
    }

    func testLivenessFollowsTheDefinition() throws {
        let memory = MemorySchedule(model: try smallModel())
        // op 0: input 192 + out 128; op 1: 128 + 128; op 2: 128 + 32.
        XCTAssertEqual(memory.liveBytes, [320, 256, 160])
        XCTAssertEqual(memory.peakBytes, 320)
        XCTAssertEqual(memory.peakOp, 0)
        XCTAssertEqual(memory.liveTensors(at: 1), [2, 4])
    }

    func testStreamedInputCountsNothingForTheGraphInput() throws {
        let memory = MemorySchedule(model: try smallModel(), options: MemoryOptions(streamInput: true))
        XCTAssertEqual(memory.liveBytes, [128, 256, 160])
    }

    func testInPlaceDepthwiseCostsItsLargerSidePlusOnePaddedChannel() throws {
        let memory = MemorySchedule(model: try smallModel(), options: MemoryOptions(inplaceDepthwise: true))
        // 4×4 input padded 1 on each side: a 6×6 staging buffer.
        XCTAssertEqual(memory.liveBytes[1], 128 + 36)
        XCTAssertEqual(memory.inplaceOps.map(\.op), [1])
        XCTAssertEqual(memory.inplaceOps.map(\.stagingBytes), [36])
    }

    func testSamePaddingPutsTheSmallerHalfBefore() throws {
        let g = try XCTUnwrap(WindowGeometry(inputSize: 112, filterSize: 3, stride: 2, padding: .same))
        XCTAssertEqual([g.outputSize, g.padBefore, g.padAfter], [56, 0, 1])
        let odd = try XCTUnwrap(WindowGeometry(inputSize: 7, filterSize: 5, stride: 1, dilation: 2, padding: .same))
        XCTAssertEqual([odd.outputSize, odd.padBefore, odd.padAfter], [7, 4, 4])
        let valid = try XCTUnwrap(WindowGeometry(inputSize: 10, filterSize: 3, stride: 2, padding: .valid))
        XCTAssertEqual([valid.outputSize, valid.padBefore, valid.padAfter], [4, 0, 0])
        XCTAssertEqual(valid.inputRange(forOutputs: 1, 3), 2..<7)
        XCTAssertNil(WindowGeometry(inputSize: 2, filterSize: 3, stride: 1, padding: .valid))
    }

    func testAWrongOutputShapeNamesTheOp() {
        XCTAssertThrowsError(try Model(name: "bad", tensors: [
            int8(0, [1, 8, 8, 3]), int8(1, [8, 3, 3, 3], constant: true), int8(2, [1, 8, 8, 8]),
        ], operators: [conv(0, [0, 1, -1], 2, stride: 2)], inputs: [0], outputs: [2])) { error in
            XCTAssertEqual((error as? ModelError)?.description,
                           "invalid model: op 0 (CONV_2D) output shape [1, 8, 8, 8] should be [1, 4, 4, 8]")
        }
    }

    func testReadingATensorBeforeItIsWrittenIsRejected() {
        XCTAssertThrowsError(try Model(name: "cycle", tensors: [
            int8(0, [1, 4, 4, 8]), int8(1, [1, 3, 3, 8], constant: true), int8(2, [1, 4, 4, 8]), int8(3, [1, 4, 4, 8]),
        ], operators: [depthwise(0, [3, 1, -1], 2), depthwise(1, [2, 1, -1], 3)], inputs: [0], outputs: [3])) { error in
            XCTAssertEqual((error as? ModelError)?.description,
                           "invalid model: op 0 (DEPTHWISE_CONV_2D) reads tensor 3 which op 1 writes later (a cycle or out-of-order graph)")
        }
    }

    func testDanglingTensorIndexIsRejected() {
        XCTAssertThrowsError(try Model(name: "dangling", tensors: [int8(0, [1, 4, 4, 8]), int8(1, [1, 4, 4, 8])],
                                       operators: [depthwise(0, [0, 7, -1], 1)], inputs: [0], outputs: [1])) { error in
            XCTAssertEqual((error as? ModelError)?.description,
                           "invalid model: op 0 (DEPTHWISE_CONV_2D) input refers to tensor 7, but there are 2 tensors")
        }
    }

    func testUnknownOpsAreNamedAndKeptForAnalysis() throws {
        XCTAssertEqual(OperatorKind(builtinCode: 39).name, "TRANSPOSE")
        XCTAssertEqual(OperatorKind(builtinCode: 32, customName: "TFLite_Detection_PostProcess").name, "TFLite_Detection_PostProcess")
        XCTAssertEqual(OperatorKind(builtinCode: 999).name, "BUILTIN_999")
        let model = try Model(name: "other", tensors: [int8(0, [1, 4]), int8(1, [1, 4])],
                              operators: [Operator(index: 0, kind: OperatorKind(builtinCode: 39), inputs: [0], outputs: [1])],
                              inputs: [0], outputs: [1])
        XCTAssertEqual(MemorySchedule(model: model).peakBytes, 8)
    }

    func testNewerOpsHaveTheirSchemaCodesAndNames() {
        // Codes from TFLite's schema.fbs (BuiltinOperator).
        let expected: [(Int32, OperatorKind, String)] = [
            (28, .tanh, "TANH"), (41, .sub, "SUB"), (55, .maximum, "MAXIMUM"), (57, .minimum, "MINIMUM"),
            (97, .resizeNearestNeighbor, "RESIZE_NEAREST_NEIGHBOR"), (98, .leakyRelu, "LEAKY_RELU"),
        ]
        for (code, kind, name) in expected {
            XCTAssertEqual(OperatorKind(builtinCode: code), kind)
            XCTAssertEqual(kind.builtinCode, code)
            XCTAssertEqual(kind.name, name)
        }
        XCTAssertTrue([OperatorKind.tanh, .sub, .maximum, .minimum, .leakyRelu].allSatisfy(\.isElementwise))
        XCTAssertFalse(OperatorKind.resizeNearestNeighbor.isElementwise)
    }
}
