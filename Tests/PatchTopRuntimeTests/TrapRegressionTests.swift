import Foundation
import PatchTopModel
@testable import PatchTopRuntime
import XCTest

/// Single-op models that trapped the runtime before (issue 12): each now
/// gives its exact result, or one refusal naming the op, the tensor and the
/// value in the way.
final class TrapRegressionTests: XCTestCase {
    private let window = WindowOptions(padding: .valid, strideHeight: 1, strideWidth: 1)
    private let input: [Int8] = [-5, 3, 100, -128]

    private func q(_ scale: Float, _ zeroPoint: Int64 = 0) -> Quantization {
        Quantization(scales: [scale], zeroPoints: [zeroPoint])
    }

    /// A [1,2,2,1] → [1,2,2,1] op, with constant extra tensors appended.
    private func model(_ kind: OperatorKind, _ options: OperatorOptions, inputQ: Quantization, outputQ: Quantization,
                       constants: [Tensor] = [], secondInput: Bool = false) throws -> Model {
        var tensors = [Tensor(index: 0, name: "in", shape: [1, 2, 2, 1], type: .int8, quantization: inputQ),
                       Tensor(index: 1, name: "out", shape: [1, 2, 2, 1], type: .int8, quantization: outputQ)]
        var inputs = [0]
        if secondInput {
            tensors.append(Tensor(index: 2, name: "in2", shape: [1, 2, 2, 1], type: .int8, quantization: inputQ))
            inputs.append(2)
        }
        for var constant in constants {
            constant.index = tensors.count
            tensors.append(constant)
            inputs.append(constant.index)
        }
        let op = Operator(index: 0, kind: kind, options: options, inputs: inputs, outputs: [1])
        return try Model(name: "one-op", tensors: tensors, operators: [op], inputs: secondInput ? [0, 2] : [0], outputs: [1])
    }

    // MARK: 1. Fused RELU6 / RELU_N1_TO_1 with a tiny output scale

    /// 6 / 1e-12 does not fit Int32: the clamp saturates at 127 instead of trapping.
    func testFusedRelu6WithATinyOutputScaleClampsExactly() throws {
        let tiny = q(1e-12)
        let one: [UInt8] = [1]
        let filter = Tensor(index: 0, name: "w", shape: [1, 1, 1, 1], type: .int8, data: one, quantization: q(1e-6))
        let dwFilter = Tensor(index: 0, name: "w", shape: [1, 1, 1, 1], type: .int8, data: one, quantization: q(1e-6))
        let fcFilter = Tensor(index: 0, name: "w", shape: [1, 1], type: .int8, data: one, quantization: q(1e-6))
        let relu6 = [0, 3, 100, 0] as [Int8]
        let cases: [(String, Model)] = [
            ("conv", try model(.conv2D, .conv2D(window: window, activation: .relu6), inputQ: q(1e-6), outputQ: tiny, constants: [filter])),
            ("depthwise", try model(.depthwiseConv2D, .depthwiseConv2D(window: window, depthMultiplier: 1, activation: .relu6),
                                    inputQ: q(1e-6), outputQ: tiny, constants: [dwFilter])),
            ("max pool", try model(.maxPool2D, .pool2D(window: window, filterHeight: 1, filterWidth: 1, activation: .relu6),
                                   inputQ: tiny, outputQ: tiny)),
            ("average pool", try model(.averagePool2D, .pool2D(window: window, filterHeight: 1, filterWidth: 1, activation: .relu6),
                                       inputQ: tiny, outputQ: tiny)),
        ]
        for (name, m) in cases {
            XCTAssertEqual(try PreparedModel(model: m).run(input: input), relu6, name)
        }
        // FULLY_CONNECTED on a [1,4] row of one value each.
        let fcTensors = [Tensor(index: 0, name: "in", shape: [4, 1], type: .int8, quantization: q(1e-6)),
                         Tensor(index: 1, name: "out", shape: [4, 1], type: .int8, quantization: tiny),
                         Tensor(index: 2, name: "w", shape: [1, 1], type: .int8, data: one, quantization: q(1e-6))]
        _ = fcFilter
        let fc = try Model(name: "fc", tensors: fcTensors,
                           operators: [Operator(index: 0, kind: .fullyConnected, options: .fullyConnected(activation: .relu6, keepNumDims: false),
                                                inputs: [0, 2], outputs: [1])], inputs: [0], outputs: [1])
        XCTAssertEqual(try PreparedModel(model: fc).run(input: input), relu6, "fully connected")
        // ADD, SUB, MUL of two inputs: the clamp alone decides.
        for (kind, options) in [(OperatorKind.add, OperatorOptions.add(activation: .relu6)), (.sub, .sub(activation: .relu6)),
                                (.mul, .mul(activation: .reluN1To1))] {
            let m = try model(kind, options, inputQ: kind == .mul ? q(1e-6) : tiny, outputQ: tiny, secondInput: true)
            let prepared = try PreparedModel(model: m)
            let program = try ArenaProgram(prepared: prepared)
            let session = try ArenaSession(program: program, input: input)
            while !session.isFinished { try session.step() }
            let out = try session.finalOutput()
            XCTAssertEqual(out.count, 4, "\(kind)")
            if kind != .mul { XCTAssertTrue(out.allSatisfy { $0 >= 0 }, "\(kind) \(out)") }
        }
    }

    func testRangeOfAStandaloneRelu6SaturatesToo() throws {
        // TFLite Micro's RELU6 clamps the raw bytes between the input's zero
        // point and its quantized 6, which saturates at 127 here.
        let m = try model(.relu6, .none, inputQ: q(1e-12, 5), outputQ: q(1e-12, 5))
        XCTAssertEqual(try PreparedModel(model: m).run(input: input), [5, 5, 100, 5])
        XCTAssertEqual(activationRangeInt8(.relu6, scale: 1e-12, zeroPoint: -3)?.max, 127)
        XCTAssertEqual(activationRangeInt8(.reluN1To1, scale: 1e-12, zeroPoint: 0)?.min, -128)
        XCTAssertEqual(FixedPoint.quantizedBound(6, scale: 1e-12, zeroPoint: 100), Int32.max)
        XCTAssertEqual(FixedPoint.quantizedBound(-1, scale: 1e-12, zeroPoint: -100), Int32.min)
        XCTAssertEqual(FixedPoint.quantizedBound(6, scale: 0.05, zeroPoint: -128), -8)
    }

    // MARK: 2. Ratios that overflow float, betas that are not numbers

    func testScaleRatiosThatOverflowFloatAreRefused() throws {
        for kind in [OperatorKind.relu, .hardSwish] {
            let m = try model(kind, .none, inputQ: q(1e29), outputQ: q(1e-29))
            XCTAssertThrowsError(try PreparedModel(model: m), "\(kind)") { error in
                XCTAssertTrue("\(error)".hasPrefix("op 0 (\(kind.name)) cannot run: input scale"), "\(error)")
                XCTAssertTrue("\(error)".contains(" is inf, which no fixed-point multiplier can hold"), "\(error)")
            }
        }
        XCTAssertNil(FixedPoint.checkedQuantizeMultiplier(.infinity))
        XCTAssertNil(FixedPoint.checkedQuantizeMultiplier(.nan))
        XCTAssertNil(FixedPoint.checkedQuantizeMultiplier(-1))
        XCTAssertTrue(FixedPoint.quantizeMultiplier(.nan) == (0, 0))
    }

    private func softmax(beta: Float, inputScale: Float, depth: Int = 4) throws -> Model {
        let tensors = [Tensor(index: 0, name: "logits", shape: [1, depth], type: .int8, quantization: q(inputScale)),
                       Tensor(index: 1, name: "probabilities", shape: [1, depth], type: .int8, quantization: q(1.0 / 256, -128))]
        let op = Operator(index: 0, kind: .softmax, options: .softmax(beta: beta), inputs: [0], outputs: [1])
        return try Model(name: "softmax", tensors: tensors, operators: [op], inputs: [0], outputs: [1])
    }

    func testSoftmaxBetaThatIsNotANumberIsRefused() throws {
        XCTAssertThrowsError(try PreparedModel(model: softmax(beta: .nan, inputScale: 0.1))) { error in
            XCTAssertEqual("\(error)", "op 0 (SOFTMAX) cannot run: beta × input scale of tensor 0 is NaN, below the 2^-26 the fixed-point softmax needs")
        }
        XCTAssertThrowsError(try PreparedModel(model: softmax(beta: -.infinity, inputScale: 0.1)))
        XCTAssertThrowsError(try PreparedModel(model: softmax(beta: 0, inputScale: 0.1)))
        // +inf saturates like TFLite's min(…, 2^31 − 1): a hard max.
        XCTAssertEqual(try PreparedModel(model: softmax(beta: .infinity, inputScale: 0.1)).run(input: [1, 2, 9, 3]), [-128, -128, 127, -128])
    }

    // MARK: 3. Softmax: tiny beta × scale, and 512 or more near-equal logits

    func testSoftmaxWithATinyInputScaleIsRefused() throws {
        XCTAssertThrowsError(try PreparedModel(model: softmax(beta: 1, inputScale: 1e-9))) { error in
            XCTAssertTrue("\(error)".hasPrefix("op 0 (SOFTMAX) cannot run: beta × input scale of tensor 0 is 1e-09, below"), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("below the 2^-26 the fixed-point softmax needs"), "\(error)")
        }
    }

    /// 1000 equal logits: each probability is 1/1000, 0.256 steps of 1/256,
    /// which rounds to the zero point; 300 give 0.85 steps, which rounds to one.
    func testSoftmaxOfManyEqualLogits() throws {
        XCTAssertEqual(try PreparedModel(model: softmax(beta: 1, inputScale: 0.1, depth: 1000)).run(input: .init(repeating: 7, count: 1000)),
                       .init(repeating: -128, count: 1000))
        XCTAssertEqual(try PreparedModel(model: softmax(beta: 1, inputScale: 0.1, depth: 300)).run(input: .init(repeating: 7, count: 300)),
                       .init(repeating: -127, count: 300))
        XCTAssertEqual(try PreparedModel(model: softmax(beta: 1, inputScale: 0.1, depth: 5000)).run(input: .init(repeating: 7, count: 5000)),
                       .init(repeating: -128, count: 5000))
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(Int32.max, 32), 0)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(Int32.min, 32), -1)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-3, 40), 0)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(5, -1), 10)
    }

    // MARK: 4. MEAN over very large planes

    private func mean(_ x: [Int8], height: Int, width: Int, inScale: Float, outScale: Float) throws -> Int8 {
        let loops = try XCTUnwrap(ReductionLoops(shape: [1, height, width, 1], axes: [1, 2]))
        let p = try XCTUnwrap(MeanParams(loops: loops, inputScale: inScale, inputZeroPoint: 0, outputScale: outScale, outputZeroPoint: 0))
        var y: [Int8] = [0]
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { meanInt8(p, input: xp, output: $0) } }
        return y[0]
    }

    func testMeanOfAPlaneWhoseSumOverflowsInt32() throws {
        let side = 4200
        let x = [Int8](repeating: -128, count: side * side)
        XCTAssertEqual(try mean(x, height: side, width: side, inScale: 0.5, outScale: 0.5), -128)
        XCTAssertEqual(try mean(x, height: side, width: side, inScale: 0.5, outScale: 1), -64)
        // The same route as TFLite Micro where the sum fits.
        let small = [Int8](repeating: -128, count: 64 * 64)
        XCTAssertEqual(try mean(small, height: 64, width: 64, inScale: 0.5, outScale: 1), -64)
    }

    func testMeanCountAboveInt32IsNotConverted() throws {
        let loops = try XCTUnwrap(ReductionLoops(shape: [0, 50_000, 50_000, 1], axes: [1, 2]))
        let p = try XCTUnwrap(MeanParams(loops: loops, inputScale: 1, inputZeroPoint: 0, outputScale: 2, outputZeroPoint: 0))
        var out: [Int8] = []
        [Int8]().withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { meanInt8(p, input: xp, output: $0) } }
        XCTAssertTrue(p.meanShift < 0)
    }
}

final class ConstantGraphEndsTests: XCTestCase {
    func testConstantGraphInputOrOutputIsAModelError() throws {
        let q = Quantization(scales: [1], zeroPoints: [0])
        let w = Tensor(index: 0, name: "w", shape: [1, 1, 1, 1], type: .int8, data: [1], quantization: q)
        let image = Tensor(index: 1, name: "image", shape: [1, 2, 2, 1], type: .int8, data: [1, 2, 3, 4], quantization: q)
        let out = Tensor(index: 2, name: "out", shape: [1, 2, 2, 1], type: .int8, quantization: q)
        let conv = Operator(index: 0, kind: .conv2D,
                            options: .conv2D(window: WindowOptions(padding: .valid, strideHeight: 1, strideWidth: 1), activation: .none),
                            inputs: [1, 0], outputs: [2])
        XCTAssertThrowsError(try Model(name: "m", tensors: [w, image, out], operators: [conv], inputs: [1], outputs: [2])) { error in
            XCTAssertEqual("\(error)", "invalid model: graph input tensor 1 (image) holds constant data")
        }
        var input = image
        input.data = nil
        XCTAssertThrowsError(try Model(name: "m", tensors: [w, input, out], operators: [conv], inputs: [1], outputs: [2, 0])) { error in
            XCTAssertEqual("\(error)", "invalid model: graph output tensor 0 (w) holds constant data")
        }
    }
}

/// Failure 5: a valid model whose arena is 64 GiB aborted with `failed to
/// allocate`; it is refused, naming the size, before anything is allocated.
final class ArenaLimitTests: XCTestCase {
    private func relu(height: Int, width: Int, channels: Int) throws -> Model {
        let q = Quantization(scales: [0.05], zeroPoints: [-3])
        let tensors = [Tensor(index: 0, name: "in", shape: [1, height, width, channels], type: .int8, quantization: q),
                       Tensor(index: 1, name: "out", shape: [1, height, width, channels], type: .int8, quantization: q)]
        return try Model(name: "big-relu", tensors: tensors, operators: [Operator(index: 0, kind: .relu, inputs: [0], outputs: [1])],
                         inputs: [0], outputs: [1])
    }

    func testA64GiBArenaIsRefusedBeforeAllocating() throws {
        let prepared = try PreparedModel(model: relu(height: 65_536, width: 65_536, channels: 8))
        XCTAssertThrowsError(try ArenaProgram(prepared: prepared)) { error in
            XCTAssertEqual(error as? RuntimeError, .arenaTooLarge(model: "big-relu", bytes: 64 << 30, limit: 1 << 30))
            XCTAssertEqual("\(error)", "the plan needs an arena of 68,719,476,736 bytes (64.0 GiB), above the limit of 1,073,741,824 bytes (1.0 GiB) (raise it with --max-arena)")
        }
    }

    func testTheLimitIsTheCallers() throws {
        let prepared = try PreparedModel(model: relu(height: 64, width: 64, channels: 4))
        // Input and output, 16 KiB each, live together: a 32 KiB arena.
        XCTAssertThrowsError(try ArenaProgram(prepared: prepared, arenaLimit: (32 << 10) - 1))
        let program = try ArenaProgram(prepared: prepared, arenaLimit: 32 << 10)
        XCTAssertEqual(try program.run(input: [Int8](repeating: 7, count: 16 << 10))?.output.first, 7)
    }
}
