import PatchTopModel
import PatchTopPlan
import XCTest

/// person_detect is a real, trained model nobody here made; it must load as
/// TFLite Micro loads it, quirks included.
final class PersonDetectTests: XCTestCase {
    func testLoadsDespiteQuantizedDimensionThreeOnOneDimensionalBiases() throws {
        let model = try TFLiteReader.load(path: try Fixtures.personDetectPath())
        XCTAssertEqual(model.operators.count, 31)
        let biases = model.tensors.filter { $0.type == .int32 && $0.shape.count == 1 && $0.isConstant }
        XCTAssertTrue(biases.contains { $0.quantization?.quantizedDimension == 3 })
    }

    func testFirstOpIsADepthwiseConvWithMultiplierEight() throws {
        let model = try TFLiteReader.load(path: try Fixtures.personDetectPath())
        let first = model.operators[0]
        XCTAssertEqual(first.kind, .depthwiseConv2D)
        guard case .depthwiseConv2D(_, let multiplier, _) = first.options else { return XCTFail("options") }
        XCTAssertEqual(multiplier, 8)
        XCTAssertEqual(model.tensors[first.input(0)!].shape, [1, 96, 96, 1])
        XCTAssertEqual(model.tensors[first.output].shape, [1, 48, 48, 8])
    }

    func testPeakAndMACsAreTFLiteMicros() throws {
        let model = try TFLiteReader.load(path: try Fixtures.personDetectPath())
        let memory = MemorySchedule(model: model)
        XCTAssertEqual(memory.peakBytes, 55_296)
        XCTAssertEqual(memory.peakOp, 2)
        XCTAssertEqual(model.macs, 7_157_888)
        XCTAssertEqual(model.inputs, [88])
        XCTAssertEqual(model.outputs, [87])
        let input = model.tensors[88]
        XCTAssertEqual(input.quantization?.zeroPoint, -1)
        XCTAssertEqual(input.quantization?.scale ?? 0, 0.007843137718737125, accuracy: 1e-9)
    }
}
