import Foundation
import XCTest
import PatchTopModel
@testable import PatchTopRuntime

/// Hand-checked cases for LEAKY_RELU, TANH, SUB and RESIZE_NEAREST_NEIGHBOR;
/// the sample model tiny-moreops checks them against TFLite itself.
final class MoreOpsKernelTests: XCTestCase {
    func testLeakyReluScalesEachSideAndRoundsTiesUp() throws {
        let p = try XCTUnwrap(LeakyReluParams(inputScale: 1, inputZeroPoint: 0, outputScale: 1, outputZeroPoint: 0, alpha: 0.5))
        XCTAssertEqual(p.apply(4), 4)
        XCTAssertEqual(p.apply(-4), -2)
        // −1.5: the doubling high multiply rounds the tie up, to −1 (not −2).
        XCTAssertEqual(p.apply(-3), -1)
        XCTAssertEqual(p.apply(-128), -64)
        // Zero points: v = q − 2, out = v (or v/2) − 3, clamped to int8.
        let z = try XCTUnwrap(LeakyReluParams(inputScale: 0.5, inputZeroPoint: 2, outputScale: 0.25, outputZeroPoint: -3, alpha: 0.25))
        XCTAssertEqual(z.apply(10), 13)      // 8 · 2 − 3
        XCTAssertEqual(z.apply(-6), -7)      // −8 · 0.5 − 3
        XCTAssertEqual(z.apply(127), 127)    // 250 − 3, clamped
        XCTAssertNil(LeakyReluParams(inputScale: 1e30, inputZeroPoint: 0, outputScale: 1e-30, outputZeroPoint: 0, alpha: 0.1))
    }

    func testTanhTable() {
        let t = LookupTableInt8.tanh(inputScale: 1.0 / 16, inputZeroPoint: 0, outputScale: 1.0 / 128, outputZeroPoint: 0)
        XCTAssertEqual(t.apply(0), 0)
        XCTAssertEqual(t.apply(8), 59)       // tanh(0.5) · 128 = 59.15
        XCTAssertEqual(t.apply(-8), -59)
        XCTAssertEqual(t.apply(127), 127)    // ≈ 128, clamped
        XCTAssertEqual(t.apply(-128), -128)
    }

    func testSubIsAddWithTheSecondInputNegated() {
        let p = AddParams.sub(input1Scale: 1, input1ZeroPoint: 0, input2Scale: 1, input2ZeroPoint: 0,
                              outputScale: 1, outputZeroPoint: 0, activationMin: -128, activationMax: 127)
        XCTAssertEqual(p.arithmetic.apply(7, 4), 3)
        XCTAssertEqual(p.arithmetic.apply(3, -4), 7)
        XCTAssertEqual(p.arithmetic.apply(-100, 100), -128)
        XCTAssertEqual(p.arithmetic.apply(100, -100), 127)
        let add = AddParams(input1Scale: 1, input1ZeroPoint: 0, input2Scale: 1, input2ZeroPoint: 0,
                            outputScale: 1, outputZeroPoint: 0, activationMin: -128, activationMax: 127)
        XCTAssertEqual(p.input2Multiplier, -add.input2Multiplier)
        XCTAssertEqual(p.input1Multiplier, add.input1Multiplier)
    }

    func testNearestNeighbourSourceRowsAndColumns() {
        // 6 → 12, half-pixel centres: floor((y + 0.5) / 2).
        let up = ResizeNearestParams(batches: 1, inputHeight: 6, inputWidth: 4, channels: 1, outputHeight: 12, outputWidth: 3,
                                     alignCorners: false, halfPixelCenters: true)
        XCTAssertEqual(up.sourceRows, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        // 4 → 3, half-pixel centres: floor((x + 0.5) · 4/3) = 0.67, 2, 3.33.
        XCTAssertEqual(up.sourceCols, [0, 2, 3])
        // 12 → 9 with aligned corners: round(y · 11/8), ties away from zero.
        let down = ResizeNearestParams(batches: 1, inputHeight: 12, inputWidth: 1, channels: 1, outputHeight: 9, outputWidth: 1,
                                       alignCorners: true, halfPixelCenters: false)
        XCTAssertEqual(down.sourceRows, [0, 1, 3, 4, 6, 7, 8, 10, 11])
        // 4 → 3 without options: floor(x · 4/3).
        let plain = ResizeNearestParams(batches: 1, inputHeight: 4, inputWidth: 1, channels: 1, outputHeight: 3, outputWidth: 1,
                                        alignCorners: false, halfPixelCenters: false)
        XCTAssertEqual(plain.sourceRows, [0, 1, 2])
    }

    func testResizeCopiesWholePixels() {
        let p = ResizeNearestParams(batches: 1, inputHeight: 1, inputWidth: 2, channels: 2, outputHeight: 2, outputWidth: 4,
                                    alignCorners: false, halfPixelCenters: false)
        let x: [Int8] = [1, 2, 3, 4]
        var y = [Int8](repeating: 0, count: 16)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { resizeNearestInt8(p, input: xp, output: $0) } }
        XCTAssertEqual(y, [1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4])
    }

    private func resizeModel(output: [Int], size: [Int32]) throws -> Model {
        let q = Quantization(scales: [0.1], zeroPoints: [0])
        let sizeBytes = size.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let tensors = [
            Tensor(index: 0, name: "in", shape: [1, 2, 2, 3], type: .int8, quantization: q),
            Tensor(index: 1, name: "size", shape: [2], type: .int32, data: sizeBytes),
            Tensor(index: 2, name: "out", shape: output, type: .int8, quantization: q),
        ]
        let op = Operator(index: 0, kind: OperatorKind(builtinCode: 97),
                          options: .resizeNearestNeighbor(alignCorners: false, halfPixelCenters: false), inputs: [0, 1], outputs: [2])
        return try Model(name: "resize", tensors: tensors, operators: [op], inputs: [0], outputs: [2])
    }

    func testResizeThatChangesChannelsIsAModelError() {
        XCTAssertThrowsError(try resizeModel(output: [1, 4, 4, 2], size: [4, 4])) { error in
            XCTAssertTrue("\(error)".contains("must keep the batch and channels"), "\(error)")
        }
    }

    func testResizeWhoseSizeDisagreesWithItsOutputIsRefused() throws {
        let model = try resizeModel(output: [1, 4, 4, 3], size: [4, 5])
        XCTAssertThrowsError(try PreparedModel(model: model)) { error in
            XCTAssertEqual("\(error)", "op 0 (RESIZE_NEAREST_NEIGHBOR) is not supported by the runtime: size [4, 5] does not match the output [1, 4, 4, 3]")
        }
        let good = try PreparedModel(model: try resizeModel(output: [1, 4, 4, 3], size: [4, 4]))
        let out = try good.run(input: Array(0..<12).map(Int8.init))
        XCTAssertEqual(Array(out.prefix(12)), [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
    }
}
