import Foundation
import PatchTopModel
import PatchTopPlan
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
        for inplace in plan.schedule.inplaceOps {
            let input = plan.model.tensors[inplace.input]
            XCTAssertEqual(Int(features[inplace.op].value(.stagedChannels)), input.shape[3])
            XCTAssertEqual(Int(features[inplace.op].value(.stagedBytes)), input.byteCount)
        }
        XCTAssertFalse(plan.schedule.fusedResiduals.isEmpty)
        for fused in plan.schedule.fusedResiduals {
            XCTAssertFalse(features[fused.add].runs, "a fused ADD does not run on its own")
            XCTAssertEqual(Int(features[fused.conv].value(.fusedElements)), plan.model.tensors[fused.convOutput].elementCount)
        }
    }

    func testKernelClassesFollowTheOpsShape() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        var seen: [KernelClass: Int] = [:]
        for op in model.operators { seen[KernelClass(op: op, in: model), default: 0] += 1 }
        // The first conv is 3×3 stride 2 on the 3-channel image; then depthwise 3×3 stride 1 and 1×1 convs.
        XCTAssertEqual(KernelClass(op: model.operators[0], in: model), .convThin)
        XCTAssertEqual(KernelClass(op: model.operators[1], in: model), .depthwise3x3s1)
        XCTAssertEqual(KernelClass(op: model.operators[2], in: model), .conv1x1)
        XCTAssertGreaterThan(seen[.depthwise3x3s2] ?? 0, 0)
        // In place, a depthwise conv takes the staged path whatever its kernel.
        let inplace = try PatchPlan(model: model, patches: 1, patchLayers: 0, options: MemoryOptions(inplaceDepthwise: true))
        let features = inplace.costFeatures()
        for op in inplace.schedule.inplaceOps { XCTAssertEqual(features[op.op].kernel, .depthwiseInPlace) }
        XCTAssertGreaterThan(seen[.binary] ?? 0, 0)
        XCTAssertNil(seen[.floatWeighted])
        let float = try PlanFixtures.sample("mbv2-mini-f32")
        XCTAssertTrue(float.operators.contains { KernelClass(op: $0, in: float) == .floatWeighted })
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
            XCTAssertEqual(op.instructions, Int(expected.rounded()), "op \(f.op)")
            total += Int(expected.rounded())
            steps += f.value(.steps)
        }
        XCTAssertEqual(prediction.invokeInstructions, 1000 + 7 * Int(steps))
        XCTAssertEqual(prediction.instructions, total + 1000 + 7 * Int(steps))
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
        // The board takes 1.5 cycles per instruction in 1×1 convs and 2 elsewhere.
        let rows = prediction.ops.map { op in
            ProfileRow(index: op.index, op: op.op, count: op.kernel == .conv1x1 ? op.instructions * 3 / 2 : op.instructions * 2)
        }
        let calibration = try BoardCalibration.fit(rows: rows, prediction: prediction, plan: plan, board: "STM32F746",
                                                   clockHz: 216_000_000, name: "dwt.txt")
        XCTAssertEqual(calibration.core, .cortexM7)
        XCTAssertEqual(try XCTUnwrap(calibration.kernels["conv-1x1"]), 1.5, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(calibration.kernels["depthwise-3x3-s1"]), 2, accuracy: 1e-12)
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
