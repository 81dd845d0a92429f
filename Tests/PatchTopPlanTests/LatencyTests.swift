import Foundation
import PatchTopModel
@testable import PatchTopPlan
import PatchTopRuntime
import XCTest

/// The latency cost model (issue 21): the features it reads off a plan,
/// its arithmetic, the calibration table and the board calibration made
/// from a DWT cycle table. None of this runs the emulator.
final class LatencyTests: XCTestCase {
    /// A cost model whose every coefficient is known: each class costs
    /// `steps` 100 + 2 per MAC + 3 per output element, copies 10 + 1 per
    /// byte, staging 5 per channel + 1 per byte, fused adds 4 per element.
    private func knownModel(core: CortexCore = .cortexM4) -> CostModel {
        var k = [Double](repeating: 0, count: KernelFeature.allCases.count)
        k[KernelFeature.steps.index] = 100
        k[KernelFeature.macs.index] = 2
        k[KernelFeature.outputElements.index] = 3
        var m = [Double](repeating: 0, count: MovementFeature.allCases.count)
        m[MovementFeature.copies.index] = 10
        m[MovementFeature.copyBytes.index] = 1
        m[MovementFeature.stagedChannels.index] = 5
        m[MovementFeature.stagedBytes.index] = 1
        m[MovementFeature.fusedElements.index] = 4
        var kernels: [KernelClass: [Double]] = [:]
        for kernel in KernelClass.allCases { kernels[kernel] = k }
        return CostModel(core: core, invoke: 1000, betweenSteps: 7, kernels: kernels, fallback: k, movement: m)
    }

    // MARK: - Features

    func testLayerByLayerFeaturesAreOneStepPerOpWithTheModelsMACs() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 1, patchLayers: 0)
        let features = plan.costFeatures()
        XCTAssertEqual(features.count, plan.model.operators.count)
        for (f, op) in zip(features, plan.model.operators) {
            XCTAssertEqual(f.value(.steps), 1, "op \(op.index)")
            XCTAssertEqual(Int(f.value(.macs)), plan.model.macs(of: op), "op \(op.index)")
            XCTAssertEqual(Int(f.value(.outputElements)), plan.model.tensors[op.output].elementCount, "op \(op.index)")
            XCTAssertEqual(f.value(.copies), 0)
        }
    }

    func testPatchedFeaturesSumEveryPatchsComputedRegion() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 3, patchLayers: 6)
        let features = plan.costFeatures()
        for op in 0..<plan.patchLayers {
            let f = features[op]
            XCTAssertEqual(f.value(.steps), 9, "op \(op): one step per patch")
            XCTAssertEqual(Int(f.value(.macs)), plan.macsPerOp[op], "op \(op)")
            XCTAssertEqual(Int(f.value(.outputPixels)), plan.computedRegions.reduce(0) { $0 + $1[op].area }, "op \(op)")
            XCTAssertEqual(Int(f.value(.outputRows)), plan.computedRegions.reduce(0) { $0 + $1[op].height }, "op \(op)")
        }
        // The stage's last op writes its patch of the whole stage output:
        // its region is just the patch, so nothing is copied.
        XCTAssertEqual(features[plan.patchLayers - 1].value(.copies), 0)
        for f in features[plan.patchLayers...] { XCTAssertEqual(f.value(.steps), 1) }
        XCTAssertEqual(features.reduce(0) { $0 + Int($1.value(.macs)) }, plan.macs)
    }

    func testMultiStageFeaturesCountEveryStagesTiles() throws {
        // Two fused stages (one rectangular, one with caches) and layer-by-layer ops around them.
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let options = MemoryOptions(inplaceDepthwise: true, streamInput: true)
        let cuts = MultiStageSearch.cutPoints(of: model.rewritten(for: options), options: options).filter { $0 > 0 }
        let plan = try PatchPlan(model: model, stages: [
            StageSpec(firstOp: cuts[0], lastOp: cuts[2] - 1, grid: TileGrid(rows: 3, cols: 2)),
            StageSpec(firstOp: cuts[3], lastOp: cuts[4] - 1, grid: TileGrid(2), caching: .all),
        ], options: options)
        XCTAssertTrue(plan.isMultiStage)
        let features = plan.costFeatures()
        let program = try Pipeline(model: model, plan: plan).program
        for op in plan.model.operators where !plan.model.rewrite.isDetached(op.index) && !plan.schedule.fusedResiduals.contains(where: { $0.add == op.index }) {
            let steps = program.schedule.filter { $0.op == op.index }.count
            XCTAssertEqual(Int(features[op.index].value(.steps)), steps, "op \(op.index): one step per instruction")
            XCTAssertEqual(Int(features[op.index].value(.macs)), plan.macsPerOp[op.index], "op \(op.index)")
        }
        XCTAssertEqual(features.reduce(0) { $0 + Int($1.value(.macs)) }, plan.macs)
    }

    func testAStreamedFloatInputIsQuantizedByItsLoadsNotByAStep() throws {
        // --stream-input --int8-io on a float32 input: the export quantizes
        // each tile's load as it reads the float input (`pt_load_quantized`)
        // and runs no QUANTIZE step (`ModelEmitter.streamQuantized`).
        let model = try PlanFixtures.sample("tiny-float-io")
        let options = MemoryOptions(inplaceDepthwise: true, streamInput: true, foldPad: true, int8IO: true)
        let plan = try PatchPlan(model: model, stages: [StageSpec(firstOp: 1, lastOp: 3, grid: TileGrid(rows: 3, cols: 2))], options: options)
        let quantize = try XCTUnwrap(plan.model.operators.first { $0.kind == .quantize })
        let image = quantize.output
        XCTAssertTrue(CostSteps.quantizesOnLoad(image, model: plan.model, options: options))
        XCTAssertFalse(CostSteps.runningConversions(model: plan.model, options: options).contains(quantize.index))
        let features = plan.costFeatures()
        XCTAssertFalse(features[quantize.index].runs, "the QUANTIZE step does not run")
        // Every tile loads its region of the image, quantized: one row a
        // row, chunks of 16 floats (5 pixels of 3 channels), every element.
        let stage = try XCTUnwrap(plan.fusedStages.first)
        var rows = 0, chunks = 0, elements = 0
        for tile in stage.tileRegions.indices {
            let r = try XCTUnwrap(CostSteps.regionInTileBuffer(image, stage: stage, tile: tile))
            rows += r.height
            chunks += r.height * ((r.width + 4) / 5)
            elements += r.area * 3
        }
        let loaded = features.reduce(into: (0.0, 0.0, 0.0, 0.0)) {
            $0.0 += $1.value(.quantizedRows); $0.1 += $1.value(.quantizedChunks); $0.2 += $1.value(.quantizedElements); $0.3 += $1.value(.copyBytes)
        }
        XCTAssertEqual(Int(loaded.0), rows)
        XCTAssertEqual(Int(loaded.1), chunks)
        XCTAssertEqual(Int(loaded.2), elements)
        XCTAssertGreaterThan(elements, 16 * 16 * 3, "tiles overlap: the halo is loaded twice")
        XCTAssertEqual(loaded.3, 0, "a quantizing load copies no bytes as such")
        // Without --int8-io the input is int8 already: a plain copy, and no quantization.
        let int8Options = MemoryOptions(inplaceDepthwise: true, streamInput: true, foldPad: true)
        let plain = try PatchPlan(model: model, stages: [StageSpec(firstOp: 1, lastOp: 3, grid: TileGrid(rows: 3, cols: 2))], options: int8Options)
        XCTAssertEqual(plain.costFeatures().reduce(0) { $0 + $1.value(.quantizedElements) }, 0)
        // The search's stage price and the predictor agree.
        let cost = try CalibrationTable.bundled().model(for: .cortexM4)
        let memo = CostMemo()
        var total = cost.perInference(plan.model, options: options) + cost.instructions(of: stage, schedule: plan.schedule, memo: memo)
        let layerByLayer = try PatchPlan(model: model, patches: 1, patchLayers: 0, options: options)
        for op in plan.model.operators.indices where !stage.contains(op: op) {
            total += cost.instructions(ofWholeOp: op, schedule: layerByLayer.schedule, memo: memo)
        }
        XCTAssertEqual(Int(total.rounded()), cost.instructions(plan))
        XCTAssertLessThanOrEqual(abs(cost.instructions(plan) - cost.predict(plan).instructions), features.count, "within rounding, one per op")
    }

    func testInvokeCopiesTheCallersTensorsTheArenaHolds() throws {
        // pt_invoke copies a caller input the arena holds in and an arena output out.
        let model = try PlanFixtures.sample("tiny-float-io")
        func copies(_ options: MemoryOptions) -> InvokeCopies { InvokeCopies(model: model.rewritten(for: options), options: options) }
        let input = model.tensors[model.inputs[0]].byteCount, output = model.tensors[model.outputs[0]].byteCount
        XCTAssertEqual(input, 16 * 16 * 3 * 4, "a float32 input")
        XCTAssertEqual(copies(MemoryOptions()), InvokeCopies(copies: 2, bytes: input + output))
        XCTAssertEqual(copies(MemoryOptions(streamInput: true)), InvokeCopies(copies: 1, bytes: output), "a streamed input is never in the arena")
        XCTAssertEqual(copies(MemoryOptions(int8IO: true)), InvokeCopies(copies: 0, bytes: 0),
                       "under --int8-io the conversions read and write the caller's float tensors as steps")
        let cost = CostModel(core: .cortexM4, invoke: 100, ioBytes: 0.5, ioCopies: 30, kernels: [:], fallback: [], movement: [])
        XCTAssertEqual(cost.perInference(model, options: MemoryOptions()), 100 + 0.5 * Double(input + output) + 60)
    }

    func testHaloCachesAddTheirCopiesAndRemoveRecompute() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plain = try PatchPlan(model: model, patches: 3, patchLayers: 6)
        let cached = try PatchPlan(model: model, patches: 3, patchLayers: 6, haloCaching: .all)
        XCTAssertFalse(cached.caches.isEmpty)
        let copies = cached.costFeatures().reduce(0) { $0 + $1.value(.copies) }
        let bytes = cached.costFeatures().reduce(0) { $0 + $1.value(.copyBytes) }
        // Every cache copy the plan makes is counted, with its bytes.
        var expectedCopies = 0, expectedBytes = 0
        for patch in cached.patchRegions.indices {
            for op in 0..<cached.patchLayers {
                let c = cached.cacheCopies(patch: patch, op: op)
                let t = cached.model.tensors[cached.model.operators[op].output]
                for copy in c.reads + c.writes where !copy.rows.isEmpty && !copy.cols.isEmpty {
                    expectedCopies += 1
                    expectedBytes += copy.rows.count * copy.cols.count * t.shape[3]
                }
            }
        }
        XCTAssertGreaterThan(expectedCopies, 0)
        XCTAssertEqual(Int(copies), expectedCopies)
        XCTAssertEqual(Int(bytes), expectedBytes)
        XCTAssertEqual(plain.costFeatures().reduce(0) { $0 + $1.value(.copies) }, 0)
        XCTAssertLessThan(cached.costFeatures().reduce(0) { $0 + $1.value(.macs) }, plain.costFeatures().reduce(0) { $0 + $1.value(.macs) })
    }

    func testTapsInsideTheInputSkipThePadding() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 1, patchLayers: 0)
        let op = model.operators[1]  // depthwise 3×3 stride 1, SAME, 72×72×16
        let f = plan.costFeatures()[1]
        // Rows: 72 outputs, the first and last with 2 of 3 filter rows inside.
        let inside = (72 * 3 - 2) * (72 * 3 - 2)
        XCTAssertEqual(Int(f.value(.taps)), inside * 16)
        XCTAssertEqual(Int(f.value(.validMACs)), inside * 16)
        XCTAssertEqual(Int(f.value(.macs)), model.macs(of: op))
        XCTAssertEqual(Int(f.value(.filterRows)), (72 * 3 - 2) * 72 * 16)
    }

    func testInPlaceStagingAndFusedResidualsComeFromTheSchedule() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 1, patchLayers: 0,
                                 options: MemoryOptions(inplaceDepthwise: true, fuseResidual: true))
        let features = plan.costFeatures()
        XCTAssertFalse(plan.schedule.inplaceOps.isEmpty)
        var staged = 0.0
        for inplace in plan.schedule.inplaceOps {
            let f = features[inplace.op]
            XCTAssertEqual(f.kernel, .depthwiseInPlace)
            // The staging is the kernel's own loops (planes filled: blockBytes), not a movement feature.
            XCTAssertEqual(f.value(.stagedChannels), 0)
            XCTAssertEqual(f.value(.stagedBytes), 0)
            staged += f.value(.blockBytes)
        }
        XCTAssertGreaterThan(staged, 0, "the padded-plane paths fill their planes")
        XCTAssertFalse(plan.schedule.fusedResiduals.isEmpty)
        for fused in plan.schedule.fusedResiduals {
            XCTAssertFalse(features[fused.add].runs, "a fused ADD does not run on its own")
            XCTAssertEqual(Int(features[fused.conv].value(.fusedElements)), plan.model.tensors[fused.convOutput].elementCount)
        }
    }

    func testKernelClassesAreTheExportsKernels() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        var seen: [KernelClass: Int] = [:]
        for op in model.operators { seen[KernelClass(op: op, in: model), default: 0] += 1 }
        // An int8 conv runs pt_conv_s8's im2col path (3×3 on the 3-channel
        // image: a 27-byte window), its KxK path, or, 1×1 unpadded on a
        // multiple of 4 channels, its paired path; every depthwise conv
        // pt_depthwise_s8: the rest of the shape is in the features.
        XCTAssertEqual(KernelClass(op: model.operators[0], in: model), .convIm2col)
        XCTAssertEqual(KernelClass(op: model.operators[1], in: model), .depthwise)
        XCTAssertEqual(KernelClass(op: model.operators[2], in: model), .conv1x1)
        let resnet = try PlanFixtures.sample("resnet8-r32")
        let classes = resnet.operators.filter { $0.kind == .conv2D }.map { KernelClass(op: $0, in: resnet) }
        // Its first conv (3×3 on 3 channels) is im2col, its other 3×3 convs KxK; its strided 1×1
        // shortcuts (16 and 32 channels in) paired.
        XCTAssertEqual(classes.filter { $0 == .conv1x1 }.count, 2)
        XCTAssertEqual(classes.first, .convIm2col)
        XCTAssertEqual(classes.filter { $0 == .conv }.count, classes.count - 3)
        // In place, a depthwise conv takes the staged path whatever its kernel.
        let inplace = try PatchPlan(model: model, patches: 1, patchLayers: 0, options: MemoryOptions(inplaceDepthwise: true))
        let features = inplace.costFeatures()
        for op in inplace.schedule.inplaceOps { XCTAssertEqual(features[op.op].kernel, .depthwiseInPlace) }
        XCTAssertGreaterThan(seen[.binary] ?? 0, 0)
        XCTAssertNil(seen[.floatWeighted])
        // A PyTorch export: QUANTIZE of its float input is float arithmetic,
        // not a table lookup; its MUL by a per-channel vector broadcasts.
        let pytorch = try PlanFixtures.sample("pytorch-style")
        XCTAssertEqual(KernelClass(op: pytorch.operators[0], in: pytorch), .quantize)
        let pytorchFeatures = try PatchPlan(model: pytorch, patches: 1, patchLayers: 0).costFeatures()
        for op in pytorch.operators where op.kind == .mul {
            XCTAssertEqual(pytorchFeatures[op.index].value(.broadcastElements), Double(pytorch.tensors[op.output].elementCount))
        }
        XCTAssertTrue(pytorch.operators.contains { $0.kind == .mul })
        let float = try PlanFixtures.sample("mbv2-mini-f32")
        XCTAssertTrue(float.operators.contains { KernelClass(op: $0, in: float) == .floatWeighted })
        // float kernels have no int8 loop counts.
        let floatPlan = try PatchPlan(model: float, patches: 1, patchLayers: 0)
        for f in floatPlan.costFeatures() where f.kernel == .floatWeighted {
            XCTAssertEqual(f.value(.blockRuns) + f.value(.dotRuns) + f.value(.edgeTaps), 0, "op \(f.op)")
        }
    }

    // MARK: - Loop counts (KernelLoops), counted by hand from pt_conv.c and pt_depthwise.c

    func testConvLoopsOfTheKxKPathArePixelBlocksOfFilterRowWords() throws {
        // 1×1 stride 1 on 5×7 with 6 → 3 channels (6 is no multiple of 4: the KxK path):
        // rows of 7 = 3 pairs + 1 lone pixel, each a block; a row of taps is 6 bytes, 2 words padded.
        let g = try XCTUnwrap(WindowGeometry(inputSize: 5, filterSize: 1, stride: 1, padding: .valid))
        let gw = try XCTUnwrap(WindowGeometry(inputSize: 7, filterSize: 1, stride: 1, padding: .valid))
        let loops = KernelLoops.conv(height: g, width: gw, inputChannels: 6, outputChannels: 3,
                                     rows: .init(g, 0..<5), cols: .init(gw, 0..<7))
        XCTAssertEqual(loops.insidePixels, 5 * 4)
        XCTAssertEqual(loops.blockRuns, 5 * 4 * 1)
        XCTAssertEqual(loops.blockWords, 5 * 4 * 2)
        XCTAssertEqual(loops.wordLoops, 5 * 4 * 1, "8 bytes a row: both words in one loop iteration")
        // The odd third channel: a dot product of 6 bytes (1 word + 2) per pixel.
        XCTAssertEqual(loops.dotRuns, 5 * 7)
        XCTAssertEqual(loops.dotWords, 5 * 7)
        XCTAssertEqual(loops.dotBytes, 5 * 7 * 2)
        XCTAssertEqual(loops.edgeElements, 0)
    }

    func testConvLoopsOfAPaddedWindowSendEdgePixelsTapByTap() throws {
        // DS-CNN's first conv: 10×4 stride 2 SAME on 49×10×1 → 25×5×64.
        let h = try XCTUnwrap(WindowGeometry(inputSize: 49, filterSize: 10, stride: 2, padding: .same))
        let w = try XCTUnwrap(WindowGeometry(inputSize: 10, filterSize: 4, stride: 2, padding: .same))
        XCTAssertEqual([h.outputSize, h.padBefore, w.outputSize, w.padBefore], [25, 4, 5, 1])
        let rows = KernelLoops.Side(h, 0..<25), cols = KernelLoops.Side(w, 0..<5)
        // Rows 0, 1 (start −4, −2) and 22…24 (end past 48) cross the edge: 20 inside.
        XCTAssertEqual(rows.inside, 20)
        XCTAssertEqual(rows.edgeTaps, 6 + 8 + 9 + 7 + 5)
        // Columns 0 (start −1) and 4 (start 7, end 10) cross: 1…3 inside, one pair (1, 2) and one lone (3).
        XCTAssertEqual([cols.inside, cols.pairs, cols.singles, cols.edgeTaps, cols.taps], [3, 1, 1, 3 + 3, 3 + 4 + 4 + 4 + 3])
        let loops = KernelLoops.conv(height: h, width: w, inputChannels: 1, outputChannels: 64, rows: rows, cols: cols)
        // 20 rows × 2 pixel blocks × 32 channel pairs × 10 filter rows of 4 bytes (one word).
        XCTAssertEqual(loops.insidePixels, 20 * 2)
        XCTAssertEqual(loops.blockRuns, 20 * 2 * 32 * 10)
        XCTAssertEqual(loops.blockWords, 20 * 2 * 32 * 10)
        XCTAssertEqual(loops.wordLoops, 20 * 2 * 32 * 10, "4 bytes a row: one word an iteration")
        XCTAssertEqual(loops.dotRuns, 0, "an even channel count leaves no lone channel")
        // Edge taps: inside rows × edge columns, edge rows × all columns; one byte each, per channel.
        let edgeTaps = 20 * 10 * 6 + 35 * 18
        XCTAssertEqual(loops.edgeTaps, edgeTaps * 64)
        XCTAssertEqual(loops.edgeBytes, edgeTaps * 64)
        XCTAssertEqual(loops.edgeElements, (20 * 2 + 5 * 5) * 64)
        // Filter rows of those windows: 10 for each inside row's 2 edge columns, the edge rows' own for all 5 columns.
        XCTAssertEqual(loops.edgeRows, (20 * 10 * 2 + 35 * 5) * 64)
    }

    func testPairedOneByOneLoopsRunPixelPairsAgainstChannelPairs() {
        // 7×5 pixels, 16 → 5 channels: one run of 35 pixels = 18 pairs, the last a pixel paired with itself.
        let run = KernelLoops.pairedConv(inputChannels: 16, outputChannels: 5, rows: 7, cols: 5, oneRun: true, fullRange: true)
        XCTAssertEqual(run.insidePixels, 18)
        XCTAssertEqual(run.blockRuns, 18 * 2)
        XCTAssertEqual(run.blockWords, 18 * 2 * 4)
        XCTAssertEqual(run.wordLoops, 18 * 2 * 1, "16 input channels: four words an iteration")
        XCTAssertEqual(run.edgeBytes, 17 * 4, "each true pair sign-extended once, a word of 4 channels at a time")
        XCTAssertEqual(run.blockBytes, 1 * 2, "only the lone pixel's blocks are requantized in C")
        XCTAssertEqual(run.dotRuns, 35, "the odd channel: a dot product per pixel")
        XCTAssertEqual(run.dotWords, 35 * 4)
        XCTAssertEqual(run.edgeRows, 1, "one pt_conv_1x1_run call")
        XCTAssertEqual(run.plainWords, 1 * 2 * 4, "the lone pixel's blocks: the C loop's words")
        XCTAssertEqual(run.plainOutputs, 1 * 2 * 2 + 35, "requantized in C: the lone pixel's 4 channels and every odd-channel output")
        // Row by row (a strided conv, or a patch narrower than the map): 3 pairs a row, one lone pixel a row.
        let rows = KernelLoops.pairedConv(inputChannels: 16, outputChannels: 5, rows: 7, cols: 5, oneRun: false, fullRange: false)
        XCTAssertEqual(rows.insidePixels, 7 * 3)
        XCTAssertEqual(rows.blockBytes, 7 * 3 * 2, "a clamped output: every block in C")
        XCTAssertEqual(rows.dotRuns, 35)
        XCTAssertEqual(rows.edgeBytes, 0, "a clamped output is not extended")
        XCTAssertEqual(rows.wordLoops, 7 * 3 * 2 * 2, "the C loop: two words an iteration")
        XCTAssertEqual(rows.edgeRows, 7, "a pt_conv_1x1_run call a row")
        XCTAssertEqual(rows.plainWords, 7 * 3 * 2 * 4)
        XCTAssertEqual(rows.plainOutputs, 7 * 5 * 5, "a clamped output: every output requantized in C")
        // Sign-extended weights: the assembly loop's words (true pairs) counted apart.
        let wide = KernelLoops.pairedConv(inputChannels: 16, outputChannels: 5, rows: 7, cols: 5, oneRun: true, fullRange: true, wide: true)
        XCTAssertEqual(wide.dotBytes, 17 * 2 * 4)
        XCTAssertEqual(wide.blockWords, 1 * 2 * 4, "the lone pixel's blocks in C")
        XCTAssertEqual(wide.blockWords + wide.dotBytes, run.blockWords)
    }

    func testIm2colLoopsGatherEachPixelPairThenRunThePairedLoop() throws {
        // VWW's first conv: 3×3 stride 2 on 80×80×3 → 40×40×16 (SAME: the last row and column pad).
        let g = try XCTUnwrap(WindowGeometry(inputSize: 80, filterSize: 3, stride: 2, padding: .same))
        XCTAssertTrue(KernelLoops.isIm2col(height: g, width: g, inputChannels: 3))
        XCTAssertFalse(KernelLoops.isIm2col(height: g, width: g, inputChannels: 8), "72 bytes a window: the paired KxK path")
        let loops = KernelLoops.im2col(height: g, width: g, inputChannels: 3, outputChannels: 16,
                                       rows: KernelLoops.Side(g, 0..<40), cols: 0..<40, fullRange: true)
        XCTAssertEqual(loops.insidePixels, 40 * 20, "20 pixel pairs a row")
        XCTAssertEqual(loops.dotBytes, 40 * 20 * 8 * 7, "a 28-byte window: 7 words per channel pair, its weights sign-extended (40×40 outputs)")
        XCTAssertEqual(loops.blockWords, 0)
        XCTAssertEqual(loops.wordLoops, 40 * 20 * 8 * 3, "7 words: one before the loop, then two an iteration")
        XCTAssertEqual(KernelLoops.extendedIterations(words: 6), 1, "two before, then four")
        XCTAssertEqual(KernelLoops.extendedIterations(words: 2), 1)
        XCTAssertEqual(KernelLoops.extendedIterations(words: 1), 1)
        XCTAssertEqual(KernelLoops.extendedIterations(words: 12), 3)
        XCTAssertEqual(loops.edgeBytes, 40 * 20 * 7, "each pair sign-extended once")
        // 39 rows inside; in each, the last pair (columns 38, 39) reads the padded column.
        XCTAssertEqual(loops.edgeElements, 40 * 40 - 39 * 19 * 2)
        // Gathered: column 38 of the inside rows and columns 0…38 of the last
        // (padded) row a filter row at a time; column 39 (crossing the right
        // edge) tap by tap, in every row.
        XCTAssertEqual(loops.edgeRows, (39 * 19 * 2 + 39 + 39) * 3)
        XCTAssertEqual(loops.edgeTaps, 40 * 9)
    }

    func testDepthwiseLoopsGroupFourChannelsInsideAndGoTapByTapAtTheEdge() throws {
        // 3×3 stride 1 SAME on 6×6×10: a one-pixel border crosses the edge.
        let g = try XCTUnwrap(WindowGeometry(inputSize: 6, filterSize: 3, stride: 1, padding: .same))
        let side = KernelLoops.Side(g, 0..<6)
        let loops = KernelLoops.depthwise(height: g, width: g, inputChannels: 10, outputChannels: 10, rows: side, cols: side)
        XCTAssertEqual(loops.insidePixels, 16)
        XCTAssertEqual(loops.blockRuns, 16 * 2 * 9)
        XCTAssertEqual(loops.dotRuns, 16 * 2 * 9)
        // 20 border pixels: 4 corners of 4 taps, 16 sides of 6.
        XCTAssertEqual(loops.edgeTaps, (4 * 4 + 16 * 6) * 10)
        XCTAssertEqual(loops.edgeBytes, (4 * 2 + 8 * 2 + 8 * 3) * 10)
        XCTAssertEqual(loops.edgeElements, 20 * 10)
        // A depth multiplier sends every pixel down the reference path.
        let multiplied = KernelLoops.depthwise(height: g, width: g, inputChannels: 5, outputChannels: 10, rows: side, cols: side)
        XCTAssertEqual(multiplied.insidePixels, 0)
        XCTAssertEqual(multiplied.edgeTaps, (6 * 3 - 2) * (6 * 3 - 2) * 10)
        XCTAssertEqual(multiplied.edgeElements, 36 * 10)
    }

    func testInPlaceLoopsOfATileFollowItsPath() throws {
        // VWW's 7×7 stride 1 on 5×5×240 in a 2×1 fused stage, its first tile (output rows 0..<3): the
        // window extent, 9 × 11 words, fits the stack plane, so 4 channels at a time, nothing staged.
        let g7 = try XCTUnwrap(WindowGeometry(inputSize: 5, filterSize: 7, stride: 1, padding: .same))
        let t7 = KernelLoops.inPlace(height: g7, width: g7, channels: 240, whole: false,
                                     rows: KernelLoops.Side(g7, 0..<3), cols: KernelLoops.Side(g7, 0..<5))
        XCTAssertEqual(t7.blockBytes, 0, "no plane staged in the arena")
        XCTAssertEqual(t7.edgeTaps, 5 * 5 * 60, "the extent's words inside the map, per group of 4 channels")
        XCTAssertEqual(t7.dotWords, 9 * 11 - 25, "the padding around them, written once")
        XCTAssertEqual(t7.edgeElements, 9 * 60)
        XCTAssertEqual(t7.blockWords, 15 * 60 * 49, "every output an assembly block of a word a tap")
        XCTAssertEqual(t7.blockRuns, 49 * 60)
        XCTAssertEqual(t7.dotRuns, 0, "nothing tap by tap")
        XCTAssertEqual(t7.edgeRows, 15 * 60, "one assembly block called per pixel and group")
        // A 3×3 window on a 3×3 map (VWW's last ones, 480 channels): a row of outputs one assembly loop.
        let g33 = try XCTUnwrap(WindowGeometry(inputSize: 3, filterSize: 3, stride: 1, padding: .same))
        let s33 = KernelLoops.Side(g33, 0..<3)
        let w33 = KernelLoops.inPlace(height: g33, width: g33, channels: 480, whole: true, rows: s33, cols: s33)
        XCTAssertEqual(w33.wordLoops, 3 * 120)
        XCTAssertEqual(w33.blockWords, 9 * 120 * 9)
        XCTAssertEqual(w33.edgeRows, 0)
        XCTAssertEqual([w33.edgeTaps, w33.dotWords], [9 * 120, 25 - 9], "the 3×3 map copied per group, its padding once")
        // VWW's first 3×3 stride 1 on 40×40×16 in a 2×2 patch stage, tile 0 (outputs 0..<20 both ways):
        // the 22 × 22 extent is too large, so each channel's 21 × 21 input region is staged; the 19 × 19
        // outputs inside the image from it, the top band (1 × 20) and the left strip (19 × 1) each
        // copied with their padding (3 × 22 and 21 × 3 bytes) and through the same kernel.
        let g3 = try XCTUnwrap(WindowGeometry(inputSize: 40, filterSize: 3, stride: 1, padding: .same))
        let t3 = KernelLoops.inPlace(height: g3, width: g3, channels: 16, whole: false,
                                     rows: KernelLoops.Side(g3, 0..<20), cols: KernelLoops.Side(g3, 0..<20))
        XCTAssertEqual(t3.blockBytes, 16 * (21 * 21 + 3 * 22 + 21 * 3))
        XCTAssertEqual(t3.blockWords, (19 * 10 + 1 * 10 + 19 * 1) * 16 * 3, "two outputs a word a row of taps")
        XCTAssertEqual(t3.insidePixels, (19 + 1 + 19) * 16, "each part's output rows, per channel")
        XCTAssertEqual(t3.blockRuns, 3 * 16 * 3, "weights packed per channel for each of the 3 parts")
        XCTAssertEqual(t3.edgeTaps, 0, "no tap by tap at the edge")
        XCTAssertEqual(t3.dotRuns, 0)
    }

    func testWithoutTheFastRequantizationTheDepthwiseKernelsTakeTheirPlainPaths() throws {
        // 3×3 stride 1 SAME on 8×8, 16 channels: pt_dw_tile4 needs the fast constants.
        let g = try XCTUnwrap(WindowGeometry(inputSize: 8, filterSize: 3, stride: 1, padding: .same))
        let rows = KernelLoops.Side(g, 0..<4), cols = KernelLoops.Side(g, 0..<4)
        let fast = KernelLoops.depthwise(height: g, width: g, inputChannels: 16, outputChannels: 16, rows: rows, cols: cols)
        let plain = KernelLoops.depthwise(height: g, width: g, inputChannels: 16, outputChannels: 16, rows: rows, cols: cols, fast: false)
        XCTAssertEqual(fast, KernelLoops.tile4(height: g, width: g, channels: 16, rows: 0..<4, cols: 0..<4, fullRange: true))
        // The pixel-by-pixel path: 3×3 = 9 inside pixels (rows and columns 1…3), 4 groups of 4 channels a tap.
        XCTAssertEqual(plain.insidePixels, 9)
        XCTAssertEqual(plain.blockRuns, 9 * 4 * 9)
        XCTAssertEqual(plain.edgeElements, (16 - 9) * 16)
        // In place, a tile: tile4 with them; without, the staged plane tap by tap.
        let tile = KernelLoops.inPlace(height: g, width: g, channels: 16, whole: false, rows: rows, cols: cols)
        let plainTile = KernelLoops.inPlace(height: g, width: g, channels: 16, whole: false, fast: false, rows: rows, cols: cols)
        XCTAssertEqual(tile, fast)
        XCTAssertEqual(plainTile.blockBytes, 16 * 5 * 5, "each channel's 5×5 input region gathered")
        XCTAssertEqual(plainTile.dotRuns, 9 * 16 * 9)
        XCTAssertEqual(plainTile.edgeElements, 7 * 16)
        XCTAssertEqual(plainTile.blockWords, 0)
    }

    func testInPlaceLoopsOfAWholeSmallMap() throws {
        // A 5×5 stride 1 SAME on 3×3×578 (MobileNetV3's shape, with channels
        // not a multiple of 4): each channel's padded plane is 7×7; two words
        // a row of taps; the last output row's windows would read past the
        // plane (14 + 4·7 + 8 > 49): their last row of taps from a copy.
        let g = try XCTUnwrap(WindowGeometry(inputSize: 3, filterSize: 5, stride: 1, padding: .same))
        let side = KernelLoops.Side(g, 0..<3)
        let loops = KernelLoops.inPlace(height: g, width: g, channels: 578, whole: true, rows: side, cols: side)
        XCTAssertEqual(loops.blockBytes, 49 + 578 * 9, "the padding written once, each channel's inside")
        XCTAssertEqual(loops.blockRuns, 578 * 5 * 2, "weights packed per channel")
        XCTAssertEqual(loops.blockWords, 9 * 578 * 5 * 2, "every output in words (the last 3 their last row from a copy)")
        XCTAssertEqual(loops.dotRuns, 3 * 578 * 5)
        XCTAssertEqual(loops.insidePixels, 3 * 578, "each channel's output rows")
        // MobileNetV3's own 576 channels: 4 at a time through a stack buffer, nothing staged.
        let hwc = KernelLoops.inPlace(height: g, width: g, channels: 576, whole: true, rows: side, cols: side)
        XCTAssertEqual(hwc.blockBytes, 0)
        XCTAssertEqual(hwc.blockWords, 9 * 144 * 25)
        // A 3×3 stride-1 window: its weights packed once a channel, two outputs a word a row of taps,
        // nothing tap by tap.
        let g3 = try XCTUnwrap(WindowGeometry(inputSize: 8, filterSize: 3, stride: 1, padding: .same))
        let s3 = KernelLoops.Side(g3, 0..<8)
        let l3 = KernelLoops.inPlace(height: g3, width: g3, channels: 4, whole: true, rows: s3, cols: s3)
        XCTAssertEqual(l3.blockRuns, 4 * 3)
        XCTAssertEqual(l3.blockWords, 8 * 4 * 4 * 3)
        XCTAssertEqual(l3.dotRuns, 0)
        // With a clamped output range the older row loop: one word a row of taps, tap by tap past the plane.
        let c3 = KernelLoops.inPlace(height: g3, width: g3, channels: 4, whole: true, fullRange: false, rows: s3, cols: s3)
        XCTAssertEqual(c3.blockRuns, 0)
        // Plane 10×10: only the last output row's windows (from 70) can read past its end.
        let scalar = (0..<8).filter { 7 * 10 + $0 + 2 * 10 + 4 > 100 }.count
        XCTAssertEqual(c3.dotRuns, scalar * 4 * 9)
        XCTAssertEqual(c3.blockWords, (64 - scalar) * 4 * 3)
    }

    func testStridedInPlaceLoopsGoStraightOverTheInputWhenRasterOrderAllows() throws {
        // VWW's 3×3 stride 2 on 40×40×48 → 20×20 (SAME: padding after only): nothing staged.
        let g = try XCTUnwrap(WindowGeometry(inputSize: 40, filterSize: 3, stride: 2, padding: .same))
        XCTAssertTrue(KernelLoops.rasterSafe(height: g, width: g))
        let side = KernelLoops.Side(g, 0..<20)
        let loops = KernelLoops.inPlace(height: g, width: g, channels: 48, whole: true, rows: side, cols: side)
        XCTAssertEqual(loops.blockBytes, 0, "no plane staged")
        XCTAssertEqual(loops.blockWords, 20 * 20 * 12 * 9, "every pixel: 9 words per group of 4 channels")
        XCTAssertEqual(loops.edgeElements, (400 - 361) * 12, "the last row and column copy their windows first")
        XCTAssertEqual(loops.edgeTaps, (400 - 361) * 12 * 9)
        // Stride 1 writes over input its next output still reads; a 5×5 stride 2 with 2 padding rows before too.
        let s1 = try XCTUnwrap(WindowGeometry(inputSize: 10, filterSize: 3, stride: 1, padding: .same))
        XCTAssertFalse(KernelLoops.rasterSafe(height: s1, width: s1))
        let g5 = try XCTUnwrap(WindowGeometry(inputSize: 5, filterSize: 5, stride: 2, padding: .same))
        XCTAssertFalse(KernelLoops.rasterSafe(height: g5, width: g5))
        // That 5×5 stride 2 on 5×5×240 (3×3 outputs) goes through a plane on the stack, 4 channels at a
        // time: per group its 9×9 window extent (padding around the 5×5 map) copied once.
        let s5 = KernelLoops.Side(g5, 0..<3)
        let l5 = KernelLoops.inPlace(height: g5, width: g5, channels: 240, whole: true, rows: s5, cols: s5)
        XCTAssertEqual(l5.blockBytes, 0)
        XCTAssertEqual(l5.blockWords, 9 * 60 * 25)
        XCTAssertEqual(l5.edgeElements, 9 * 60, "the extent's 9 rows per group")
        XCTAssertEqual(l5.edgeTaps, 25 * 60, "the extent's 25 words inside the map, per group")
        XCTAssertEqual(l5.dotWords, 81 - 25, "its padding words, written once")
        XCTAssertEqual(l5.blockRuns, 25 * 60, "each group's weights sign-extended once")
    }

    func testLoopCountsOfAPatchFollowItsRegion() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 3, patchLayers: 6)
        let features = plan.costFeatures()
        let op = model.operators[1]  // depthwise 3×3 stride 1 SAME, 72×72×16
        let (h, w) = try XCTUnwrap(model.windowGeometry(of: op))
        var expected = KernelLoops()
        for regions in plan.computedRegions {
            let r = regions[1]
            let l = KernelLoops.depthwise(height: h, width: w, inputChannels: 16, outputChannels: 16,
                                          rows: .init(h, r.rows), cols: .init(w, r.cols))
            expected.blockRuns += l.blockRuns
            expected.edgeTaps += l.edgeTaps
            expected.edgeElements += l.edgeElements
        }
        XCTAssertEqual(Int(features[1].value(.blockRuns)), expected.blockRuns)
        XCTAssertEqual(Int(features[1].value(.edgeTaps)), expected.edgeTaps)
        XCTAssertEqual(Int(features[1].value(.edgeElements)), expected.edgeElements)
        // Patches recompute their overlaps, so they run at least the whole map's blocks.
        let whole = try PatchPlan(model: model, patches: 1, patchLayers: 0).costFeatures()[1]
        XCTAssertGreaterThan(features[1].value(.blockRuns), whole.value(.blockRuns))
        // Layer by layer four channels at a time through the stack plane: a 72-output row's extent is
        // 3 × 74 words, so one output row a chunk, its 3 plane rows copied per group of 4 channels.
        XCTAssertEqual(Int(whole.value(.edgeElements)), 72 * 3 * 4, "72 chunks of 3 plane rows, 4 groups")
        // Inside the map: 3 rows of 72 words a chunk, 2 in the first and last; the padding per chunk and group.
        let copied = (70 * 3 + 2 * 2) * 72
        XCTAssertEqual(Int(whole.value(.edgeTaps)), copied * 4)
        XCTAssertEqual(Int(whole.value(.dotWords)), (72 * 3 * 74 - copied) * 4)
    }

    // MARK: - Loop counts of the other kernels (OpLoops), counted by hand from pt_reduce.c, pt_shape.c, pt_executor.c, pt_float.c

    func testMeanLoopsRunEveryOutputsReducedRowsAndElements() {
        // pytorch-style's MEAN [2] of 1×10×10×8 (keepDims): 80 outputs, each one row of 10.
        let one = OpLoops.mean(shape: [1, 10, 10, 8], axes: [2])
        XCTAssertEqual([one.reducedRows, one.reducedElements], [80, 800])
        // A spatial MEAN [1, 2] of 1×6×5×4: 4 outputs, each 6 rows of 5.
        let spatial = OpLoops.mean(shape: [1, 6, 5, 4], axes: [1, 2])
        XCTAssertEqual([spatial.reducedRows, spatial.reducedElements], [4 * 6, 4 * 30])
        // The last axis of 1×16×10, counted from the end, repeated: 16 outputs, one row of 10 each.
        let last = OpLoops.mean(shape: [1, 16, 10], axes: [-1, 2])
        XCTAssertEqual([last.reducedRows, last.reducedElements], [16, 160])
        // Two outer axes, the innermost kept: [0, 1] of 2×3×4 — 4 outputs, each 2 rows of 3.
        let outer = OpLoops.mean(shape: [2, 3, 4], axes: [0, 1])
        XCTAssertEqual([outer.reducedRows, outer.reducedElements], [4 * 2, 4 * 6])
    }

    func testSoftmaxLoopsCountExponentialsAndLogarithms() {
        // int8 SOFTMAX: the exponential twice per element (the sum, then each output).
        XCTAssertEqual(OpLoops.softmax(rows: 9, depth: 20, log: false, float: false).expCalls, 2 * 180)
        // int8 LOG_SOFTMAX: once per element, a logarithm per row.
        let log = OpLoops.softmax(rows: 81, depth: 20, log: true, float: false)
        XCTAssertEqual([log.expCalls, log.logCalls, log.loopRows], [1620, 81, 81])
        // float32: one pt_expf per element either way.
        XCTAssertEqual(OpLoops.softmax(rows: 1, depth: 10, log: false, float: true).expCalls, 10)
        XCTAssertEqual(OpLoops.softmax(rows: 1, depth: 10, log: true, float: true).logCalls, 1)
    }

    func testPadLoopsFillThenCopyRowsOrPixels() {
        // pytorch-style's PAD 1 around 1×20×20×3: one memset of the 22×22×3 output, a memcpy per input row.
        let whole = OpLoops.padWhole(inputShape: [1, 20, 20, 3], before: [0, 1, 1, 0], after: [0, 1, 1, 0], elementBytes: 1)
        XCTAssertEqual([whole.fillCalls, whole.fillBytes, whole.memCalls, whole.memBytes, whole.loopRows], [1, 22 * 22 * 3, 20, 1200, 20])
        // Channels padded too (9×9×16 → 9×9×20, float): a memcpy per pixel.
        let channels = OpLoops.padWhole(inputShape: [1, 9, 9, 16], before: [0, 0, 0, 0], after: [0, 0, 0, 4], elementBytes: 4)
        XCTAssertEqual([channels.memCalls, channels.memBytes, channels.fillBytes, channels.loopRows], [81, 81 * 64, 81 * 80, 9 + 81])
        // A patch's region, rows 0..<3 and columns 0..<3 of PAD 1 around 1×4×4×2:
        // row 0 is padding (one memset of 3 pixels); rows 1 and 2 a memset for
        // column 0 and a memcpy for columns 1 and 2.
        let region = OpLoops.padRegion(inputShape: [1, 4, 4, 2], before: [0, 1, 1, 0], after: [0, 1, 1, 0], elementBytes: 1,
                                       rows: 0..<3, cols: 0..<3)
        XCTAssertEqual(region.fillCalls, 1 + 2)
        XCTAssertEqual(region.fillBytes, 3 * 2 + 2 * 2)
        XCTAssertEqual([region.memCalls, region.memBytes], [4, 8])
        XCTAssertEqual(region.loopRows, 3 + 2 * 3, "a body per row, and per pixel of a row of the input")
        // With the channels padded, each copied pixel is first filled.
        let both = OpLoops.padRegion(inputShape: [1, 4, 4, 2], before: [0, 1, 1, 1], after: [0, 1, 1, 0], elementBytes: 1,
                                     rows: 1..<2, cols: 1..<3)
        XCTAssertEqual([both.fillCalls, both.fillBytes, both.memCalls, both.memBytes], [2, 6, 2, 4])
    }

    func testByteMoversCountTheirCallsAndBytes() {
        // TRANSPOSE to 1×16×10×10: a loop per output row; bytes one by one, floats a memcpy each.
        let bytes = OpLoops.transpose(outputShape: [1, 16, 10, 10], elementBytes: 1)
        XCTAssertEqual([bytes.loopRows, bytes.elementLoops, bytes.memCalls], [160, 1600, 0])
        let floats = OpLoops.transpose(outputShape: [1, 16, 10, 10], elementBytes: 4)
        XCTAssertEqual([floats.elementLoops, floats.memCalls, floats.memBytes], [0, 1600, 6400])
        // CONCATENATION of 4×4×3 and 4×4×5 on channels: whole, 16 blocks of two memcpys; a 6-pixel region, two a pixel.
        let whole = OpLoops.concatenation(shapes: [[1, 4, 4, 3], [1, 4, 4, 5]], axis: 3, elementBytes: 1, pixels: nil)
        XCTAssertEqual([whole.loopRows, whole.memCalls, whole.memBytes], [16, 32, 128])
        let region = OpLoops.concatenation(shapes: [[1, 4, 4, 3], [1, 4, 4, 5]], axis: -1, elementBytes: 1, pixels: 6)
        XCTAssertEqual([region.loopRows, region.memCalls, region.memBytes], [6, 12, 48])
        // RESIZE_NEAREST_NEIGHBOR to 1×12×12×8: a memcpy of 8 bytes per output pixel.
        let resize = OpLoops.resizeNearest(outputShape: [1, 12, 12, 8])
        XCTAssertEqual([resize.loopRows, resize.memCalls, resize.memBytes], [12, 144, 1152])
        XCTAssertEqual(OpLoops.resizeNearest(outputShape: [1, 12, 12, 8], elementBytes: 4).memBytes, 4608, "floats: 4 bytes a channel")
    }

    func testFloatConvLoopsFollowPtConvF32() throws {
        // 3×3 stride 1 SAME on 4×4, 2 → 3 channels: valid filter rows per output row 2, 3, 3, 2 (10), the same across.
        let g = try XCTUnwrap(WindowGeometry(inputSize: 4, filterSize: 3, stride: 1, padding: .same))
        let side = KernelLoops.Side(g, 0..<4)
        let conv = OpLoops.floatConv(height: g, width: g, inputChannels: 2, outputChannels: 3, depthwise: false, rows: side, cols: side)
        XCTAssertEqual(conv.rowLoops, 16 * 3 * 3, "every fy of every output, also those skipped")
        XCTAssertEqual(conv.columnLoops, 10 * 4 * 3 * 3, "kw columns of each valid row")
        XCTAssertEqual(conv.convTaps, 10 * 10 * 3)
        XCTAssertEqual(conv.floatMACs, 10 * 10 * 3 * 2)
        XCTAssertEqual(conv.depthwiseTaps, 0)
        let dw = OpLoops.floatConv(height: g, width: g, inputChannels: 3, outputChannels: 3, depthwise: true, rows: side, cols: side)
        XCTAssertEqual([dw.depthwiseTaps, dw.floatMACs, dw.convTaps], [10 * 10 * 3, 0, 0])
        // In place: each channel's staging zeroed and its plane copied in, float by float.
        let inPlace = OpLoops.floatInPlace(height: g, width: g, channels: 3, plane: 16, stagingBytes: 64, rows: side, cols: side)
        XCTAssertEqual([inPlace.fillCalls, inPlace.fillBytes, inPlace.elementLoops, inPlace.inPlaceTaps, inPlace.depthwiseTaps],
                       [3, 192, 48, 300, 0])
    }

    func testAPaddedFilterRowReadingPastThePatchBufferGoesTapByTap() throws {
        // A 3×3 stride 2 VALID conv on 22×22×10 (a 90-byte window: not im2col, which takes
        // windows up to 64 bytes), 8 channels out; a filter row is 30 bytes, read as 32. A tile computing output rows and columns 0..<3 reads input
        // 0..<7 × 0..<7 (70 bytes a row): on its last output row the pair (0, 1) reads 0 + 20 + 32
        // ≤ 70 bytes into the buffer's last row, the lone pixel 2 reads 40 + 32 > 70 — tap by tap.
        let g = try XCTUnwrap(WindowGeometry(inputSize: 22, filterSize: 3, stride: 2, padding: .valid))
        XCTAssertFalse(KernelLoops.isIm2col(height: g, width: g, inputChannels: 10))
        let rows = KernelLoops.Side(g, 0..<3), cols = KernelLoops.Side(g, 0..<3)
        let plain = KernelLoops.conv(height: g, width: g, inputChannels: 10, outputChannels: 8, rows: rows, cols: cols)
        var loops = plain
        loops.readPastBufferEnd(height: g, width: g, inputChannels: 10, outputChannels: 8, rowBytes: 32, rows: 0..<3, cols: 0..<3,
                                buffer: Region(rows: 0..<7, cols: 0..<7))
        XCTAssertEqual(loops.insidePixels, plain.insidePixels - 1)
        XCTAssertEqual(loops.blockRuns, plain.blockRuns - 4 * 3, "4 channel pairs × 3 filter rows")
        XCTAssertEqual(loops.blockWords, plain.blockWords - 4 * 3 * 8, "8 words a filter row")
        XCTAssertEqual(loops.edgeElements, plain.edgeElements + 8)
        XCTAssertEqual(loops.edgeTaps, plain.edgeTaps + 9 * 8)
        XCTAssertEqual(loops.edgeBytes, plain.edgeBytes + 90 * 8)
        XCTAssertEqual(loops.edgeRows, plain.edgeRows + 3 * 8)
        // A buffer two pixels wider leaves room for the padded read.
        var wide = plain
        wide.readPastBufferEnd(height: g, width: g, inputChannels: 10, outputChannels: 8, rowBytes: 32, rows: 0..<3, cols: 0..<3,
                               buffer: Region(rows: 0..<7, cols: 0..<9))
        XCTAssertEqual(wide, plain)
        // Layer by layer the buffer is the whole 22×22 map, whose last row no window of this conv ends on.
        let full = KernelLoops.Side(g, 0..<10)
        let whole = KernelLoops.conv(height: g, width: g, inputChannels: 10, outputChannels: 8, rows: full, cols: full)
        var unchanged = whole
        unchanged.readPastBufferEnd(height: g, width: g, inputChannels: 10, outputChannels: 8, rowBytes: 32, rows: 0..<10, cols: 0..<10,
                                    buffer: Region(rows: 0..<22, cols: 0..<22))
        XCTAssertEqual(unchanged, whole)
    }

    func testPyTorchStyleOpsGetTheirLoopFeaturesInAPlan() throws {
        let model = try PlanFixtures.sample("pytorch-style")
        let layer = try PatchPlan(model: model, patches: 1, patchLayers: 0).costFeatures()
        let patched = try PatchPlan(model: model, patches: 4, patchLayers: 3)
        let features = patched.costFeatures()
        func op(_ kind: OperatorKind) throws -> Int { try XCTUnwrap(model.operators.first { $0.kind == kind }).index }
        // TRANSPOSE [0,3,1,2] of 1×10×10×16: int8 elements one by one.
        let transpose = try op(.transpose)
        XCTAssertEqual(features[transpose].kernel, .movement)
        XCTAssertEqual(features[transpose].value(.elementLoops), 1600)
        XCTAssertEqual(features[transpose].value(.loopRows), 160)
        // Its MEANs: [3] of 1×16×10×10 (160 outputs of a row of 10), then [2] of 1×16×10.
        let means = model.operators.filter { $0.kind == .mean }.map(\.index)
        XCTAssertEqual(means.count, 4)
        XCTAssertEqual(features[means[2]].value(.reducedElements), 1600)
        XCTAssertEqual(features[means[2]].value(.reducedRows), 160)
        XCTAssertEqual(features[means[3]].value(.reducedElements), 160)
        // LOG_SOFTMAX of 10: ten exponentials, one logarithm.
        let logSoftmax = try op(.logSoftmax)
        XCTAssertEqual([features[logSoftmax].value(.expCalls), features[logSoftmax].value(.logCalls)], [10, 1])
        // Layer by layer the PAD fills its output once and copies each of its 20 input rows.
        let pad = try op(.pad)
        XCTAssertEqual([layer[pad].value(.fillCalls), layer[pad].value(.memCalls), layer[pad].value(.memBytes)], [1, 20, 1200])
        // In the patches it writes every computed pixel once: padding by memset, the image by memcpy.
        let area = patched.computedRegions.reduce(0) { $0 + $1[pad].area }
        XCTAssertEqual(Int(features[pad].value(.fillBytes) + features[pad].value(.memBytes)), 3 * area)
        XCTAssertEqual(Int(features[pad].value(.steps)), 16)
        // The float QUANTIZE walks a run per row of each patch (counted past each step's first);
        // layer by layer one run.
        let quantize = try op(.quantize)
        XCTAssertEqual(Int(features[quantize].value(.runs)), patched.computedRegions.reduce(0) { $0 + $1[quantize].height - 1 })
        XCTAssertGreaterThan(features[quantize].value(.runs), 0)
        XCTAssertEqual(layer[quantize].value(.runs), 0)
    }

    func testOpsComputedAtExportCostNothing() throws {
        // tiny-dynbatch's SHAPE → STRIDED_SLICE → PACK compute its RESHAPE's static target shape.
        let model = try PlanFixtures.sample("tiny-dynbatch")
        let features = try PatchPlan(model: model, patches: 1, patchLayers: 0).costFeatures()
        let constant = model.operators.filter { [.shape, .stridedSlice, .pack].contains($0.kind) }
        XCTAssertEqual(constant.count, 3)
        for op in constant { XCTAssertFalse(features[op.index].runs, "op \(op.index) \(op.kind)") }
        XCTAssertTrue(features[try XCTUnwrap(model.operators.first { $0.kind == .reshape }).index].runs)
    }

    func testFloatOpsTakeTheirFloatKernelsAndByteMoversTheirOwn() throws {
        let model = try PlanFixtures.sample("tiny-allops-f32")
        let features = try PatchPlan(model: model, patches: 1, patchLayers: 0).costFeatures()
        for op in model.operators {
            let expected: KernelClass
            switch op.kind {
            case .conv2D, .depthwiseConv2D, .fullyConnected: expected = .floatWeighted
            case .averagePool2D, .maxPool2D: expected = .floatPool
            case .hardSwish, .relu, .relu6, .logistic: expected = .floatUnary
            case .add, .mul: expected = .floatBinary
            case .softmax: expected = .floatSoftmax
            case .mean: expected = .floatMean
            case .reshape: expected = .copy
            default: expected = .movement  // PAD, CONCATENATION: the same C as int8's
            }
            XCTAssertEqual(features[op.index].kernel, expected, "op \(op.index) \(op.kind)")
        }
        // The float LOGISTIC: one pt_expf per element.
        let logistic = try XCTUnwrap(model.operators.first { $0.kind == .logistic })
        XCTAssertEqual(features[logistic.index].value(.expCalls), Double(model.tensors[logistic.output].elementCount))
        // A float FULLY_CONNECTED: its multiply-adds are the float conv's channel loop.
        let dense = try XCTUnwrap(model.operators.first { $0.kind == .fullyConnected })
        XCTAssertEqual(Int(features[dense.index].value(.floatMACs)), model.macs(of: dense))
        // In place, a float depthwise conv is pt_depthwise_inplace_f32: a float kernel staging its own planes.
        let mini = try PlanFixtures.sample("mbv2-mini-f32")
        let inplace = try PatchPlan(model: mini, patches: 1, patchLayers: 0, options: MemoryOptions(inplaceDepthwise: true))
        let inPlaceFeatures = inplace.costFeatures()
        XCTAssertFalse(inplace.schedule.inplaceOps.isEmpty)
        for entry in inplace.schedule.inplaceOps {
            let f = inPlaceFeatures[entry.op]
            let channels = try XCTUnwrap(mini.tensors[mini.operators[entry.op].output].shape.last)
            XCTAssertEqual(f.kernel, .floatWeighted)
            XCTAssertEqual(Int(f.value(.fillCalls)), channels)
            XCTAssertEqual(f.value(.stagedBytes) + f.value(.blockWords), 0, "not the int8 kernel's staging and loops")
        }
    }

    // MARK: - Arithmetic

    func testPredictionIsTheCoefficientsTimesTheFeatures() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 3, patchLayers: 6, haloCaching: .all)
        let cost = knownModel()
        let prediction = cost.predict(plan)
        var total = 0
        var steps = 0.0
        for f in plan.costFeatures() where f.runs {
            let expected = 100 * f.value(.steps) + 2 * f.value(.macs) + 3 * f.value(.outputElements)
                + 10 * f.value(.copies) + f.value(.copyBytes) + 5 * f.value(.stagedChannels) + f.value(.stagedBytes) + 4 * f.value(.fusedElements)
            let op = try XCTUnwrap(prediction.ops.first { $0.index == f.op })
            // Each op carries its steps' share of the step loop (7 a step).
            XCTAssertEqual(op.instructions, Int((expected + 7 * f.value(.steps)).rounded()), "op \(f.op)")
            total += Int((expected + 7 * f.value(.steps)).rounded())
            steps += f.value(.steps)
        }
        XCTAssertGreaterThan(steps, 0)
        XCTAssertEqual(prediction.invokeInstructions, 1000)
        XCTAssertEqual(prediction.instructions, total + 1000)
        // The sweep's fast path agrees within rounding (one per op).
        XCTAssertLessThanOrEqual(abs(cost.instructions(plan) - prediction.instructions), prediction.ops.count)
        XCTAssertNil(prediction.milliseconds, "no clock, no time")
        let timed = cost.predict(plan, clockHz: 100_000_000)
        XCTAssertEqual(try XCTUnwrap(timed.milliseconds), Double(timed.instructions) / 1e5, accuracy: 1e-9)
        XCTAssertEqual(timed.timeBasis, "instructions at one per cycle, not measured cycles")
    }

    func testAClassWithoutCoefficientsUsesTheFallbackAndIsNamed() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 1, patchLayers: 0)
        var cost = knownModel()
        cost.kernels[.binary] = nil
        let prediction = cost.predict(plan)
        XCTAssertEqual(prediction.uncalibrated, [.binary])
        XCTAssertEqual(prediction.instructions, knownModel().predict(plan).instructions, "the fallback here equals the class's own")
    }

    func testSweepByInstructionsKeepsAFrontInPredictedInstructions() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let cost = knownModel()
        let sweep = Sweep(model: model, maxPatches: 3, cost: .instructions(cost))
        XCTAssertEqual(sweep.costs.count, sweep.plans.count)
        for (i, plan) in sweep.plans.enumerated() { XCTAssertEqual(sweep.costs[i], cost.instructions(plan)) }
        let front = sweep.paretoIndices
        for (a, b) in zip(front, front.dropFirst()) {
            XCTAssertLessThanOrEqual(sweep.plans[a].peakBytes, sweep.plans[b].peakBytes)
            XCTAssertGreaterThan(sweep.costs[a], sweep.costs[b])
        }
        // No plan beats a front plan on both.
        for i in front {
            XCTAssertFalse(sweep.plans.indices.contains { sweep.plans[$0].peakBytes <= sweep.plans[i].peakBytes && sweep.costs[$0] < sweep.costs[i] })
        }
        let budget = sweep.plans[front[front.count / 2]].peakBytes
        let best = try XCTUnwrap(sweep.bestIndex(fitting: budget))
        XCTAssertEqual(sweep.costs[best], sweep.plans.indices.filter { sweep.plans[$0].peakBytes <= budget }.map { sweep.costs[$0] }.min())
        // MACs stay the default.
        XCTAssertEqual(Sweep(model: model, maxPatches: 3).costs, Sweep(model: model, maxPatches: 3).plans.map(\.macs))
    }

    func testTheSweepsSharedStepCostsAreEachPlansOwnFeatures() throws {
        // Every feature has its own coefficient, so a step cost kept for the
        // wrong step (another op, region, in-place or fused flag) shows.
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        var kernels: [KernelClass: [Double]] = [:]
        for (n, kernel) in KernelClass.allCases.enumerated() {
            kernels[kernel] = KernelFeature.allCases.indices.map { Double($0 + 1) + Double(n) / 8 }
        }
        let cost = CostModel(core: .cortexM4, invoke: 1000, betweenSteps: 7, ioBytes: 0.5, ioCopies: 20, kernels: kernels, fallback: [1],
                             movement: MovementFeature.allCases.indices.map { Double(3 * $0 + 2) })
        let options = MemoryOptions(inplaceDepthwise: true, fuseResidual: true)
        let sweep = Sweep(model: model, maxPatches: 3, options: options, caching: [.none, .all], cost: .instructions(cost))
        XCTAssertTrue(sweep.plans.contains { !$0.caches.isEmpty })
        XCTAssertTrue(sweep.plans.contains { !$0.schedule.inplaceOps.isEmpty })
        for (i, plan) in sweep.plans.enumerated() {
            let io = InvokeCopies(model: plan.model, options: options)
            let expected = plan.costFeatures().reduce(cost.invoke + 0.5 * Double(io.bytes) + 20 * Double(io.copies)) {
                $0 + cost.instructions($1) + cost.betweenSteps * $1.value(.steps)
            }
            XCTAssertEqual(Double(sweep.costs[i]), expected, accuracy: 1, "plan \(i): p=\(plan.patches) n=\(plan.patchLayers)")
        }
    }

    func testTheStepTableFindsWhatWasInsertedThroughGrowth() {
        var table = StepTable(capacityLog2: 2)
        var reference: [UInt64: Double] = [:]
        var generator = SystemRandomNumberGenerator()
        for i in 0..<5000 {
            let key = CostMemo.Key(op: Int.random(in: 0..<300, using: &generator), flags: i % 4,
                                   region: i % 7 == 0 ? nil : Region(rows: i % 50..<(i % 50 + 9), cols: i % 13..<(i % 13 + 5)))!.bits
            table.insert(key, Double(i))
            reference[key] = Double(i)
        }
        for (key, value) in reference { XCTAssertEqual(table.value(key), value) }
        XCTAssertNil(table.value(CostMemo.Key(op: 9999, flags: 0, region: nil)!.bits))
        XCTAssertNil(CostMemo.Key(op: (1 << 14) - 1, flags: 3, region: nil), "the table's empty marker is no key")
        XCTAssertNil(CostMemo.Key(op: 1, flags: 0, region: Region(rows: 0..<5000, cols: 0..<1)), "too large to pack: not kept")
    }

    // MARK: - The calibration table

    func testTheCommittedTableDecodes() throws {
        let table = try CalibrationTable.bundled()
        XCTAssertEqual(table.format, 1)
        for (name, _) in table.cores {
            let core = try XCTUnwrap(CortexCore(rawValue: name), "\(name) is a core")
            XCTAssertNoThrow(try table.model(for: core))
        }
        for core in CortexCore.allCases where table.cores[core.rawValue] == nil {
            XCTAssertThrowsError(try table.model(for: core)) { error in
                XCTAssertTrue("\(error)".contains("no instruction calibration for \(core.rawValue)"))
            }
        }
    }

    func testABadTableIsRefusedNamingTheProblem() throws {
        func decode(_ text: String) -> String {
            do {
                let table = try CalibrationTable.decode(Data(text.utf8), name: "t.json")
                _ = try table.model(for: .cortexM4)
                return "ok"
            } catch { return error.description }
        }
        XCTAssertEqual(decode("{"), "t.json is not a calibration table: it is not valid JSON")
        XCTAssertEqual(decode(#"{"format": 2, "source": "", "cores": {}}"#), "t.json has format 2; this PatchTop reads format 1")
        let core = #""board": "b", "invoke": 1, "fallback": {}, "movement": {}"#
        XCTAssertEqual(decode(#"{"format": 1, "source": "", "cores": {"cortex-m4": {\#(core), "kernels": {"conv-9x9": {}}}}}"#),
                       "cortex-m4 has a kernel class \"conv-9x9\" the cost model does not know")
        XCTAssertEqual(decode(#"{"format": 1, "source": "", "cores": {"cortex-m4": {\#(core), "kernels": {"conv": {"flops": 1}}}}}"#),
                       "cortex-m4 has a coefficient \"flops\" the cost model does not know")
        XCTAssertEqual(decode(#"{"format": 1, "source": "", "cores": {"cortex-m4": {\#(core), "kernels": {"conv": {"macs": 1.5}}}}}"#), "ok")
        // Valid JSON whose number does not fit its field is not called invalid JSON.
        XCTAssertEqual(decode(#"{"format": 1e30, "source": "", "cores": {}}"#),
                       "t.json is not a calibration table: a number in it is out of range for its field")
        XCTAssertThrowsError(try BoardCalibration.decode(Data(#"{"format":1,"kind":"board-calibration","core":"cortex-m4","clockHz":1e30}"#.utf8), name: "b.json")) { error in
            XCTAssertEqual("\(error)", "b.json is not a board calibration written by `patchtop calibrate`: a number in it is out of range for its field")
        }
    }

    // MARK: - DWT tables and board calibrations

    func testProfileTablesParseWithOrWithoutOpNames() throws {
        let text = """
        PT status 0
        some line the application printed
        PT op 0 CONV_2D 1234567
        PT op 1 DEPTHWISE_CONV_2D\t890
        PT op 3 42\r
        PT instructions 99
        """
        let rows = try ProfileRow.parse(text, name: "dwt.txt")
        XCTAssertEqual(rows, [ProfileRow(index: 0, op: "CONV_2D", count: 1_234_567), ProfileRow(index: 1, op: "DEPTHWISE_CONV_2D", count: 890),
                              ProfileRow(index: 3, op: nil, count: 42)])
    }

    func testMalformedProfileLinesAreRefusedNamingTheLine() {
        func message(_ text: String) -> String {
            do { _ = try ProfileRow.parse(text, name: "dwt.txt"); return "ok" } catch { return error.description }
        }
        XCTAssertEqual(message("PT op 0 CONV_2D 12\nPT op 1 ADD twelve"),
                       "dwt.txt:2: the count \"twelve\" is not a whole number ≥ 0 (expected \"PT op <index> <OP> <count>\")")
        XCTAssertEqual(message("PT op -1 ADD 3"), "dwt.txt:1: the op index \"-1\" is not a number ≥ 0 (expected \"PT op <index> <OP> <count>\")")
        XCTAssertEqual(message("PT op 0 ADD 3\nPT op 0 ADD 4"), "dwt.txt:2: op 0 appears twice (expected \"PT op <index> <OP> <count>\")")
        XCTAssertEqual(message("PT op 0 ADD 3 4 5"), "dwt.txt:1: has 5 fields after \"PT op\" (expected \"PT op <index> <OP> <count>\")")
        XCTAssertEqual(message("PT op 0 A-B 3"), "dwt.txt:1: the op name \"A-B\" is not an op name (expected \"PT op <index> <OP> <count>\")")
        XCTAssertEqual(message("PT op 0 ADD 99999999999999999999999"),
                       "dwt.txt:1: the count \"99999999999999999999999\" is not a whole number ≥ 0 (expected \"PT op <index> <OP> <count>\")")
        XCTAssertEqual(message("PT status 0\n"), "dwt.txt has no \"PT op <index> <OP> <count>\" line: was the library built with -DPT_PROFILE=1?")
    }

    func testABoardCalibrationIsCyclesOverPredictedInstructionsPerClass() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 1, patchLayers: 0)
        let prediction = knownModel(core: .cortexM7).predict(plan)
        // The board takes 1.5 cycles per instruction in the first conv (im2col) and 2 elsewhere.
        let rows = prediction.ops.map { op in
            ProfileRow(index: op.index, op: op.op, count: op.kernel == .convIm2col ? op.instructions * 3 / 2 : op.instructions * 2)
        }
        let calibration = try BoardCalibration.fit(rows: rows, prediction: prediction, plan: plan, board: "STM32F746",
                                                   clockHz: 216_000_000, name: "dwt.txt")
        XCTAssertEqual(calibration.core, .cortexM7)
        XCTAssertEqual(try XCTUnwrap(calibration.kernels["conv-im2col"]), 1.5, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(calibration.kernels["depthwise"]), 2, accuracy: 1e-12)
        XCTAssertEqual(calibration.source.cycles, rows.reduce(0) { $0 + $1.count })
        XCTAssertEqual(calibration.overall, Double(calibration.source.cycles) / Double(prediction.ops.reduce(0) { $0 + $1.instructions }), accuracy: 1e-12)
        // Applied: each op's cycles are its instructions times its class's ratio.
        let applied = knownModel(core: .cortexM7).predict(plan, calibration: calibration, clockHz: calibration.clockHz)
        for (op, row) in zip(applied.ops, rows) { XCTAssertEqual(Double(try XCTUnwrap(op.cycles)), Double(row.count), accuracy: 1) }
        let cycles = try XCTUnwrap(applied.cycles)
        XCTAssertEqual(cycles, Int((Double(applied.invokeInstructions) * calibration.overall).rounded()) + applied.ops.reduce(0) { $0 + $1.cycles! })
        XCTAssertEqual(try XCTUnwrap(applied.milliseconds), Double(cycles) / 216_000, accuracy: 1e-9)
        XCTAssertEqual(applied.timeBasis, "cycles from the board's DWT calibration")
        // And it survives a round trip through its file.
        let data = try JSONEncoder().encode(calibration)
        XCTAssertEqual(try BoardCalibration.decode(data, name: "c.json"), calibration)
    }

    func testAProfileFromAnotherModelOrPlanIsRefused() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let plan = try PatchPlan(model: model, patches: 1, patchLayers: 0, options: MemoryOptions(fuseResidual: true))
        let prediction = knownModel().predict(plan)
        func message(_ rows: [ProfileRow]) -> String {
            do {
                _ = try BoardCalibration.fit(rows: rows, prediction: prediction, plan: plan, board: nil, clockHz: nil, name: "dwt.txt")
                return "ok"
            } catch { return error.description }
        }
        XCTAssertEqual(message([ProfileRow(index: 0, op: "ADD", count: 5)]),
                       "dwt.txt: op 0 is ADD in the table but CONV_2D in mbv2-w0.35-r144: was it measured on another model?")
        XCTAssertEqual(message([ProfileRow(index: 10_000, op: nil, count: 5)]),
                       "dwt.txt: op 10000 is past mbv2-w0.35-r144's \(plan.model.operators.count) ops: was it measured on another model?")
        // A fused-away ADD's empty step is left out of the ratios, and counted.
        let fusedAdd = try XCTUnwrap(plan.schedule.fusedResiduals.first).add
        let withAdd = try BoardCalibration.fit(rows: [ProfileRow(index: 0, op: "CONV_2D", count: prediction.ops[0].instructions * 2),
                                                      ProfileRow(index: fusedAdd, op: "ADD", count: 500)],
                                               prediction: prediction, plan: plan, board: nil, clockHz: nil, name: "dwt.txt")
        XCTAssertEqual(withAdd.source.ignoredOps, 1)
        XCTAssertEqual(withAdd.source.ops, 1)
        XCTAssertEqual(withAdd.overall, 2, accuracy: 1e-12)
        XCTAssertEqual(message([ProfileRow(index: 0, op: "CONV_2D", count: 0)]),
                       "dwt.txt: the measured ops add up to 0 cycles against \(prediction.ops[0].instructions) predicted instructions: nothing to calibrate")
        // Fuzzing: counts whose sum overflows Int trapped; a ratio above
        // 1000 cycles per instruction is not a board's table.
        let second = prediction.ops[1]
        XCTAssertEqual(message([ProfileRow(index: 0, op: nil, count: Int.max), ProfileRow(index: second.index, op: nil, count: Int.max)]),
                       "dwt.txt: the counts add up past \(Int.max) cycles at op \(second.index) (\(Int.max)): they are not a board's cycle counts")
        XCTAssertTrue(message([ProfileRow(index: 0, op: nil, count: prediction.ops[0].instructions * 1001)])
            .hasSuffix("cycles per predicted instruction, above 1000: these are not the board's cycle counts for mbv2-w0.35-r144"))
    }

    func testABadBoardCalibrationFileIsRefused() {
        func message(_ text: String) -> String {
            do { _ = try BoardCalibration.decode(Data(text.utf8), name: "c.json"); return "ok" } catch { return error.description }
        }
        XCTAssertEqual(message("[]"), "c.json is not a board calibration written by `patchtop calibrate`: a value has the wrong type")
        let source = #""source": {"model": "m", "patches": 1, "patchLayers": 0, "ops": 1, "cycles": 1, "predictedInstructions": 1}"#
        XCTAssertEqual(message(#"{"format": 1, "kind": "board-calibration", "core": "cortex-m4", "kernels": {"conv": -1}, "overall": 1, \#(source)}"#),
                       "c.json: conv's cycles per instruction -1.0 is not a positive number of at most 1000")
        // Fuzzing: a huge ratio trapped later, converting predicted cycles to Int.
        XCTAssertEqual(message(#"{"format": 1, "kind": "board-calibration", "core": "cortex-m4", "kernels": {"conv": 1e30}, "overall": 1, \#(source)}"#),
                       "c.json: conv's cycles per instruction 1e+30 is not a positive number of at most 1000")
        XCTAssertEqual(message(#"{"format": 1, "kind": "board-calibration", "core": "cortex-m4", "kernels": {}, "overall": 1e300, \#(source)}"#),
                       "c.json: overall cycles per instruction 1e+300 is not a positive number of at most 1000")
        XCTAssertEqual(message(#"{"format": 1, "kind": "board-calibration", "core": "cortex-m4", "kernels": {}, "overall": 1.2, \#(source)}"#), "ok")
        XCTAssertEqual(message(#"{"format": 1, "kind": "board-calibration", "core": "cortex-m3", "kernels": {}, "overall": 1.2, \#(source)}"#),
                       "c.json is not a board calibration written by `patchtop calibrate`: a value is invalid at core")
    }

    func testCoresAreNamedAsTheExportNamesThem() {
        XCTAssertEqual(CortexCore(name: "m7"), .cortexM7)
        XCTAssertEqual(CortexCore(name: "Cortex-M4"), .cortexM4)
        XCTAssertNil(CortexCore(name: "cortex-m0plus"))
        XCTAssertEqual(CortexCore.allCases.map(\.qemuBoard), ["mps2-an386", "mps2-an500", "mps2-an505", "mps3-an547"])
    }
}
