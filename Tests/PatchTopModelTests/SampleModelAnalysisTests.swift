import PatchTopModel
import PatchTopPlan
import XCTest

/// Every sample model read by our reader must agree with what the Python
/// generator computed from the same file with its own flatbuffer reader.
final class SampleModelAnalysisTests: XCTestCase {
    func testManifestListsEverySampleModel() throws {
        XCTAssertGreaterThanOrEqual(Fixtures.manifest.count, 6)
    }

    func testOpsMACsWeightsAndLivenessMatchTheGenerator() throws {
        for entry in Fixtures.manifest {
            let model = try TFLiteReader.load(path: Fixtures.samplePath(entry.name))
            XCTAssertEqual(model.operators.map(\.kind.name), entry.ops, entry.name)
            XCTAssertEqual(model.macs, entry.macs, entry.name)
            XCTAssertEqual(model.weightBytes, entry.weightBytes, entry.name)
            let memory = MemorySchedule(model: model)
            XCTAssertEqual(memory.liveBytes, entry.liveBytes, entry.name)
            XCTAssertEqual(memory.peakBytes, entry.peakBytes, entry.name)
            XCTAssertEqual(memory.peakOp, entry.peakOp, entry.name)
        }
    }

    func testMobileNetV2At224ReachesThePapersPeakWithInPlaceDepthwiseAndStreamedInput() throws {
        let model = try TFLiteReader.load(path: Fixtures.samplePath("mbv2-w1.0-r224"))
        let paper = MemorySchedule(model: model, options: MemoryOptions(inplaceDepthwise: true, streamInput: true))
        // 16×112² + 96×112² bytes = 1372 KiB: the first 1×1 expansion of block 2.
        XCTAssertEqual(paper.peakBytes, 16 * 112 * 112 + 96 * 112 * 112)
        XCTAssertEqual(model.operators[paper.peakOp].kind, .conv2D)
        // Without the options the depthwise conv of that block dominates.
        let micro = MemorySchedule(model: model)
        XCTAssertEqual(micro.peakBytes, 96 * 112 * 112 + 96 * 56 * 56)
        XCTAssertEqual(model.operators[micro.peakOp].kind, .depthwiseConv2D)
    }

    func testMobileNetV2FirstLayersHaveTheExpectedGeometry() throws {
        let model = try TFLiteReader.load(path: Fixtures.samplePath("mbv2-w1.0-r224"))
        let first = model.operators[0]
        XCTAssertEqual(first.kind, .conv2D)
        XCTAssertEqual(model.kernelSummary(of: first), "3×3/2")
        XCTAssertEqual(model.tensors[first.output].shape, [1, 112, 112, 32])
        // 112·112·32 outputs × 3·3·3 taps.
        XCTAssertEqual(model.macs(of: first), 112 * 112 * 32 * 27)
        let (h, w) = try XCTUnwrap(model.windowGeometry(of: first))
        XCTAssertEqual([h.padBefore, h.padAfter, w.padBefore, w.padAfter], [0, 1, 0, 1])
    }
}
