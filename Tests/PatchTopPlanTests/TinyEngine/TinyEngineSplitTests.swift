import PatchTopModel
import PatchTopPlan
import XCTest

/// split_index ↔ n, and the cases where TinyEngine has no figure.
final class TinyEngineSplitTests: XCTestCase {
    func testSplitIndexRoundTripsOnMITsModels() throws {
        for name in ["vww", "mcunetv2_large", "detection"] {
            let list = try TinyEngineLayerList(model: try TinyEngineMeasuredTests.sharedModel(name))
            var mapped = 0
            for s in 1..<list.layers.count {
                let n = try list.patchLayers(forSplitIndex: s)
                XCTAssertEqual(try list.splitIndex(forPatchLayers: n).get(), s, "\(name) split_index \(s) → n = \(n)")
                mapped += 1
            }
            // Every n either maps back to the split index that gives it, or says why not.
            for n in 1...list.model.operators.count {
                switch list.splitIndex(forPatchLayers: n) {
                case .success(let s): XCTAssertEqual(try list.patchLayers(forSplitIndex: s), n)
                case .failure(let why): XCTAssertTrue(why.reason.hasPrefix("no split index corresponds to n = \(n) because"), why.reason)
                }
            }
            XCTAssertEqual(mapped, list.layers.count - 1)
        }
    }

    func testVWWsPublishedSplitIsOp8AndItsNeighboursSayWhy() throws {
        let list = try TinyEngineLayerList(model: try TinyEngineMeasuredTests.sharedModel("vww"))
        XCTAssertEqual(list.layers.count, 55)
        XCTAssertEqual(try list.patchLayers(forSplitIndex: 5), 8)
        XCTAssertEqual(try list.splitIndex(forPatchLayers: 8).get(), 5)
        XCTAssertEqual(try list.splitIndex(forPatchLayers: 0).get(), 0)
        // Op 6 is a PAD folded into the depthwise conv at op 7.
        let cut = try XCTUnwrap(list.splitIndex(forPatchLayers: 7).failure)
        XCTAssertTrue(cut.reason.contains("cuts TinyEngine's layer 4 (PAD + DEPTHWISE_CONV_2D, ops 6…7)"), cut.reason)
        let quantize = try XCTUnwrap(list.splitIndex(forPatchLayers: 1).failure)
        XCTAssertTrue(quantize.reason.contains("QUANTIZE at op 0"), quantize.reason)
        let pool = try XCTUnwrap(list.splitIndex(forPatchLayers: 59).failure)
        XCTAssertTrue(pool.reason.contains("TRANSPOSE + MEAN + MEAN"), pool.reason)
        let tail = try XCTUnwrap(list.splitIndex(forPatchLayers: 62).failure)
        XCTAssertTrue(tail.reason.contains("needs a layer after the split"), tail.reason)
        XCTAssertThrowsError(try list.patchLayers(forSplitIndex: 55))
        XCTAssertThrowsError(try list.patchLayers(forSplitIndex: -1))
    }

    func testTheLayerListFoldsAndMergesAsTinyEngineDoes() throws {
        let large = try TinyEngineLayerList(model: try TinyEngineMeasuredTests.sharedModel("mcunetv2_large"))
        XCTAssertEqual(large.layers.count, 115)
        XCTAssertEqual(large.layers[13].kind, .seElementMult)
        XCTAssertEqual(large.layers[13].ops, [18, 19, 20])
        XCTAssertEqual(large.layers[10].kind, .averagePool)
        XCTAssertEqual(large.layers[113].ops, [158, 159, 160])
        XCTAssertTrue(large.layers[114].isFullyConnected)
        // The PAD before op 2's conv is folded: the conv reads the unpadded 224×224 input.
        XCTAssertEqual(large.layers[0].ops, [1, 2])
        XCTAssertEqual([large.layers[0].inputHeight, large.layers[0].inputWidth], [224, 224])
    }

    func testModelsTinyEngineCannotConvertSayWhich() throws {
        for (name, op) in [("mbv1-w0.25-r96-g", "SOFTMAX"), ("mbv3s-r96", "HARD_SWISH"), ("tiny-moreops", "LEAKY_RELU")] {
            let model = try PlanFixtures.sample(name)
            guard case .failure(let why) = TinyEngineEstimate.of(model: model, patches: 1, patchLayers: 0) else {
                return XCTFail("\(name): TinyEngine converts it, but its code generator has no \(op)")
            }
            XCTAssertTrue(why.reason.contains("has no \(op) (op "), why.reason)
        }
    }

    func testAPlanWithoutASplitIndexHasNoFigure() throws {
        let model = try TinyEngineMeasuredTests.sharedModel("vww")
        guard case .failure(let why) = TinyEngineEstimate.of(model: model, patches: 2, patchLayers: 7) else {
            return XCTFail("n = 7 cuts a PAD from its conv: TinyEngine has no such plan")
        }
        XCTAssertTrue(why.reason.contains("no split index corresponds to n = 7"), why.reason)
    }

    func testThePublishedPlansAreExplainedToTheByte() throws {
        for (name, p, s) in [("vww", 1, 0), ("vww", 2, 5), ("mcunetv2_large", 4, 8), ("detection", 1, 0)] {
            let estimate = try TinyEngineEstimate(model: try TinyEngineMeasuredTests.sharedModel(name), patches: p, splitIndex: s)
            let overheads = try XCTUnwrap(estimate.overheads)
            XCTAssertEqual(overheads.total, estimate.memory.peakMemBytes, name)
            XCTAssertEqual(overheads.im2colBytes + overheads.kernelBufferBytes + estimate.memory.arenaBytes, estimate.memory.peakMemBytes)
            XCTAssertGreaterThanOrEqual(overheads.heldPastLastUseBytes, 0)
            XCTAssertGreaterThanOrEqual(overheads.allocatorGapBytes, 0)
        }
        // vww 2×2 at split 5: the stage output (20×20×48) is held to the end.
        let vww = try TinyEngineEstimate(model: try TinyEngineMeasuredTests.sharedModel("vww"), patches: 2, splitIndex: 5)
        XCTAssertEqual(vww.memory.heldTensors.map(\.tensor), [113])
        XCTAssertEqual(vww.memory.heldTensors.map(\.bytes), [19_200])
        XCTAssertEqual(vww.memory.heldTensors.first?.heldUntilLayer, 54)
        // mcunetv2_large's published plan has a residual skip across its split.
        let large = try TinyEngineEstimate(model: try TinyEngineMeasuredTests.sharedModel("mcunetv2_large"), patches: 4, splitIndex: 8)
        XCTAssertTrue(large.warnings.contains { $0.contains("layer 15 (ADD) reads tensor 7") }, "\(large.warnings)")
    }

    func testPlansTinyEngineGetsWrongAreFlagged() throws {
        let model = try TinyEngineMeasuredTests.sharedModel("vww")
        // Split 5's stage output is 20×20: p = 3 leaves 2 rows and columns uncomputed.
        let uneven = try TinyEngineEstimate(model: model, patches: 3, splitIndex: 5)
        XCTAssertTrue(uneven.warnings.contains { $0.contains("does not divide the 20×20 stage output") && $0.contains("last 2 rows") }, "\(uneven.warnings)")
        XCTAssertFalse(try TinyEngineEstimate(model: model, patches: 2, splitIndex: 5).warnings.contains { $0.contains("divide") })
        // Deep splits: the receptive field outgrows the 80×80 image.
        let deep = try TinyEngineEstimate(model: model, patches: 2, splitIndex: 30)
        XCTAssertTrue(deep.warnings.contains { $0.contains("larger than the 80×80 input image") }, "\(deep.warnings)")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
