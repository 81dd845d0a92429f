import PatchTopModel
@testable import PatchTopPlan
import XCTest

/// Plans as lists of stages: square grids are MCUNetV2's (p, n), a
/// rectangular grid cuts rows and columns apart, stages that do not fit
/// are refused naming them, and the multi-stage search's front is what
/// the schedule gives its plans.
final class MultiStagePlanTests: XCTestCase {
    func testGridParsing() {
        XCTAssertEqual(TileGrid(parsing: "4"), TileGrid(4))
        XCTAssertEqual(TileGrid(parsing: "4x2"), TileGrid(rows: 4, cols: 2))
        XCTAssertEqual(TileGrid(parsing: "1×5"), TileGrid(rows: 1, cols: 5))
        XCTAssertNil(TileGrid(parsing: "4x"))
        XCTAssertNil(TileGrid(parsing: "x4"))
        XCTAssertNil(TileGrid(parsing: "4x2x1"))
        XCTAssertNil(TileGrid(parsing: "four"))
    }

    func testASquareGridAndAOneStageListAreMCUNetV2sPlan() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        for options in [MemoryOptions.tfliteMicro, MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)] {
            for (p, n) in [(2, 4), (3, 9), (4, 13)] {
                for caching in [HaloCaching.none, .all] {
                    let legacy = try PatchPlan(model: model, patches: p, patchLayers: n, options: options, haloCaching: caching)
                    let listed = try PatchPlan(model: model, stages: [StageSpec(firstOp: 0, lastOp: n - 1, grid: TileGrid(p))],
                                               options: options, haloCaching: caching)
                    XCTAssertEqual(listed.liveBytes, legacy.liveBytes)
                    XCTAssertEqual(listed.macsPerOp, legacy.macsPerOp)
                    XCTAssertEqual(listed.patchLayers, n)
                    XCTAssertEqual(listed.patches, p)
                    XCTAssertEqual(listed.caches, legacy.caches)
                    XCTAssertFalse(listed.isMultiStage)
                    XCTAssertEqual(legacy.stages.map(\.grid), [TileGrid(p), TileGrid(1)])
                    XCTAssertEqual(legacy.stages.first?.lastOp, n - 1)
                    // Rebuilt from its own stage list, the plan is the same.
                    let again = try PatchPlan(model: model, stages: legacy.stageSpecs, options: options)
                    XCTAssertEqual(again.liveBytes, legacy.liveBytes)
                    XCTAssertEqual(again.macs, legacy.macs)
                }
            }
        }
    }

    func testTheSeparableWalkEqualsTheTileByTileWalk() throws {
        for name in ["mbv2-w0.35-r144", "mcunet-kmix-r112", "dscnn-kws", "resnet8-r32", "pytorch-style", "tiny-allops"] {
            let model = try PlanFixtures.sample(name)
            for n in 1...model.operators.count {
                guard case .success(let found) = FusedStage.outputs(of: model, first: 0, last: n - 1) else { continue }
                for grid in [TileGrid(2), TileGrid(rows: 3, cols: 2), TileGrid(rows: 1, cols: 3)]
                    where grid.rows <= found.grid.height && grid.cols <= found.grid.width {
                    let stage = FusedStage(model: model, first: 0, last: n - 1, grid: grid, outputs: found.outputs,
                                           outputGrid: found.grid, caching: .none, options: .tfliteMicro)
                    let full = FusedStage.fullWalk(model: model, first: 0, last: n - 1, outputs: found.outputs, tiles: stage.tileRegions)
                    XCTAssertEqual(stage.tensorRegions, full.map(\.need), "\(name) n=\(n) \(grid)")
                    XCTAssertEqual(stage.opRegions, full.map(\.ops), "\(name) n=\(n) \(grid)")
                }
            }
        }
    }

    func testRectangularGridsCutRowsAndColumnsApart() throws {
        let model = try PlanFixtures.twoConvs()
        let plan = try PatchPlan(model: model, grid: TileGrid(rows: 2, cols: 1), patchLayers: 2)
        // Two strips of the 8×8 output, each reading one more row across the seam.
        XCTAssertEqual(plan.patchRegions, [Region(rows: 0..<4, cols: 0..<8), Region(rows: 4..<8, cols: 0..<8)])
        XCTAssertEqual(plan.tensorRegions[0][2], Region(rows: 0..<5, cols: 0..<8))
        XCTAssertEqual(plan.tensorRegions[1][2], Region(rows: 3..<8, cols: 0..<8))
        XCTAssertEqual(plan.macsPerOp, [2 * 5 * 8 * 18, 64 * 36])
        let columns = try PatchPlan(model: model, grid: TileGrid(rows: 1, cols: 2), patchLayers: 2)
        XCTAssertEqual(columns.macs, plan.macs)
        XCTAssertEqual(columns.peakBytes, plan.peakBytes)
        XCTAssertThrowsError(try PatchPlan(model: model, grid: TileGrid(rows: 9, cols: 1), patchLayers: 2)) { error in
            XCTAssertEqual((error as? PlanError)?.description,
                           "-p 9x1 is out of range: the stage output is 8×8, so at most 8 rows and 8 columns of tiles")
        }
    }

    func testStripsServeAKeywordSpotterBetterThanSquares() throws {
        // DS-CNN's 25×5 stage map: k×k squares cut both axes (and stop at
        // p=5); k×1 strips of rows cut one, for far less recompute.
        let model = try PlanFixtures.sample("dscnn-kws")
        let n = try XCTUnwrap((1...model.operators.count).last { (try? PatchPlan(model: model, patches: 2, patchLayers: $0)) != nil })
        for k in 2...5 {
            let square = try PatchPlan(model: model, patches: k, patchLayers: n)
            let strip = try PatchPlan(model: model, grid: TileGrid(rows: k, cols: 1), patchLayers: n)
            XCTAssertLessThan(strip.macs, square.macs, "k=\(k)")
            XCTAssertEqual(strip.patchRegions.count, k)
        }
        XCTAssertThrowsError(try PatchPlan(model: model, patches: 6, patchLayers: n))
        let height = try PatchPlan(model: model, patches: 2, patchLayers: n).outputGrid.height
        XCTAssertNoThrow(try PatchPlan(model: model, grid: TileGrid(rows: height, cols: 1), patchLayers: n))
    }

    func testAStageThatDoesNotFitIsRefusedNamingIt() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let mean = try XCTUnwrap(model.operators.firstIndex { $0.kind == .mean })
        func message(_ stages: [StageSpec]) -> String? {
            do { _ = try PatchPlan(model: model, stages: stages); return nil } catch { return error.description }
        }
        XCTAssertEqual(message([StageSpec(firstOp: 0, lastOp: 3, grid: TileGrid(2)), StageSpec(firstOp: 3, lastOp: 5, grid: TileGrid(2))]),
                       "stage 1 (ops 3…5): it overlaps the stage before, which ends at op 3")
        XCTAssertEqual(message([StageSpec(firstOp: mean - 2, lastOp: mean, grid: TileGrid(2))]),
                       "stage 0 (ops \(mean - 2)…\(mean)): it crosses MEAN at op \(mean), which cannot be computed tile by tile")
        XCTAssertEqual(message([StageSpec(firstOp: 0, lastOp: 999, grid: TileGrid(2))]),
                       "stage 0 (ops 0…999): the model has ops 0…\(model.operators.count - 1)")
        XCTAssertEqual(message([StageSpec(firstOp: 0, lastOp: 1, grid: TileGrid(rows: 100, cols: 1))]),
                       "stage 0 (ops 0…1): grid 100×1 is out of range: 1…64 tiles per side")
        XCTAssertNotNil(message([StageSpec(firstOp: 0, lastOp: 1, grid: TileGrid(2), caches: [HaloCache(tensor: 0, direction: .row)])]))
    }

    func testTheSearchsFrontIsWhatItsPlansGive() throws {
        for name in ["mbv2-w0.35-r144", "dscnn-kws", "mcunet-kmix-r112"] {
            let model = try PlanFixtures.sample(name)
            for options in [MemoryOptions.tfliteMicro, MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)] {
                let search = MultiStageSearch(model: model, options: options, maxSide: 4, maxBlockOps: 16)
                let front = search.front
                XCTAssertFalse(front.isEmpty, name)
                for (a, b) in zip(front, front.dropFirst()) {
                    XCTAssertLessThan(a.peakBytes, b.peakBytes, name)
                    XCTAssertGreaterThan(a.macs, b.macs, name)
                }
                for point in front {
                    XCTAssertEqual(point.plan.peakBytes, point.peakBytes, "\(name) \(point.stages)")
                    XCTAssertEqual(point.plan.macs, point.macs, "\(name) \(point.stages)")
                }
                // The last point has layer by layer's MACs (a plan with no
                // recompute is always a candidate) and a peak no higher.
                let lbl = try PatchPlan(model: model, patches: 1, patchLayers: 0, options: options)
                XCTAssertEqual(front.last?.macs, lbl.macs, name)
                XCTAssertLessThanOrEqual(try XCTUnwrap(front.last).peakBytes, lbl.peakBytes, name)
                // Single-stage plans are candidates too: none beats the front.
                let sweep = Sweep(model: model, maxPatches: 4, options: options)
                for plan in sweep.plans {
                    let dominated = front.contains { $0.peakBytes <= plan.peakBytes && $0.macs <= plan.macs }
                    let cutsFit = search.cutPoints.contains(plan.patchLayers) || !plan.isPatched
                    if cutsFit && plan.patches <= 4 && plan.patchLayers <= 16 { XCTAssertTrue(dominated, "\(name) p=\(plan.patches) n=\(plan.patchLayers) beats the front") }
                }
                // P1 and P2 pick from the front.
                if let p1 = search.smallestPeak(maxMacOverhead: 0.1) {
                    XCTAssertLessThanOrEqual(Double(p1.macs), Double(model.macs) * 1.1 + 1e-6)
                }
                if let p2 = search.fewestMacs(fitting: front[front.count / 2].peakBytes) {
                    XCTAssertLessThanOrEqual(p2.macs, front[front.count / 2].macs)
                }
            }
        }
    }

    /// The search on predicted instructions (issue 22 with --target): every
    /// front plan, rebuilt whole and priced by the ordinary predictor, costs
    /// what its path summed over stages; the front falls in instructions as
    /// its peak rises; no plan of the MAC front or of the single-stage
    /// sweep beats it; and somewhere it is not the MAC front.
    func testTheInstructionFrontIsWhatThePredictorGivesItsPlans() throws {
        let costModel = try CalibrationTable.bundled().model(for: .cortexM4)
        var differs = 0
        for name in ["mbv2-w0.35-r144", "dscnn-kws", "mcunet-kmix-r112", "pytorch-style"] {
            let model = try PlanFixtures.sample(name)
            for options in [MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true),
                            MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true, foldPad: true, int8IO: true)] {
                let search = MultiStageSearch(model: model, options: options, maxSide: 4, maxBlockOps: 16, cost: .instructions(costModel))
                let macOnly = MultiStageSearch(model: model, options: options, maxSide: 4, maxBlockOps: 16)
                let front = search.front
                XCTAssertFalse(front.isEmpty, name)
                for point in front + search.macFront {
                    let predicted = costModel.instructions(point.plan)
                    XCTAssertEqual(point.instructions, predicted, "\(name) \(point.stages)")
                    XCTAssertEqual(point.plan.peakBytes, point.peakBytes, "\(name) \(point.stages)")
                    XCTAssertEqual(point.plan.macs, point.macs, "\(name) \(point.stages)")
                    XCTAssertTrue(point.verified)
                }
                for (a, b) in zip(front, front.dropFirst()) {
                    XCTAssertLessThan(a.peakBytes, b.peakBytes, name)
                    XCTAssertGreaterThan(try XCTUnwrap(a.instructions), try XCTUnwrap(b.instructions), name)
                }
                // The MAC front is the MAC search's, whatever the cost.
                XCTAssertEqual(search.macFront.map(\.peakBytes), macOnly.front.map(\.peakBytes), name)
                XCTAssertEqual(search.macFront.map(\.macs), macOnly.front.map(\.macs), name)
                func dominated(peak: Int, instructions: Int) -> Bool {
                    front.contains { $0.peakBytes <= peak && $0.instructions! <= instructions }
                }
                for point in macOnly.front {
                    let cost = costModel.instructions(point.plan)
                    XCTAssertTrue(dominated(peak: point.peakBytes, instructions: cost), "\(name): a MAC-front plan beats the instruction front")
                    // Where the instruction front is cheaper at no larger peak, it is not the MAC front.
                    if front.contains(where: { $0.peakBytes <= point.peakBytes && $0.instructions! < cost }) { differs += 1 }
                }
                let sweep = Sweep(model: model, maxPatches: 4, options: options)
                for plan in sweep.plans where (search.cutPoints.contains(plan.patchLayers) || !plan.isPatched) && plan.patchLayers <= 16 {
                    XCTAssertTrue(dominated(peak: plan.peakBytes, instructions: costModel.instructions(plan)),
                                  "\(name) p=\(plan.patches) n=\(plan.patchLayers) beats the instruction front")
                }
                // P2 on instructions picks the cheapest plan within the budget.
                let budget = front[front.count / 2].peakBytes
                XCTAssertEqual(search.cheapest(fitting: budget)?.instructions,
                               front.filter { $0.peakBytes <= budget }.compactMap(\.instructions).min())
                // P1 is read off the MAC front: the same answer as the MAC search's.
                XCTAssertEqual(search.smallestPeak(maxMacOverhead: 0.1)?.peakBytes, macOnly.smallestPeak(maxMacOverhead: 0.1)?.peakBytes)
            }
        }
        XCTAssertGreaterThan(differs, 0, "the instruction front never improves on the MAC front's instructions")
    }

    /// A fused stage priced alone (as the search prices it) plus the
    /// layer-by-layer ops priced alone is what the predictor gives the
    /// whole plan: the additivity the shortest path relies on.
    func testStagePricesAddUpToThePlansPrediction() throws {
        let costModel = try CalibrationTable.bundled().model(for: .cortexM4)
        let model = try PlanFixtures.sample("mbv2-w0.35-r144")
        let options = MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)
        let rewritten = model.rewritten(for: options)
        let cuts = MultiStageSearch.cutPoints(of: rewritten, options: options)
        let layerByLayer = try PatchPlan(model: model, patches: 1, patchLayers: 0, options: options)
        let memo = CostMemo()
        var checked = 0
        for (a, b) in zip(cuts, cuts.dropFirst(2)) where b - a >= 2 {
            for grid in [TileGrid(rows: 2, cols: 3), TileGrid(rows: 4, cols: 1)] {
                for caching in [HaloCaching.none, .all] {
                    guard let plan = try? PatchPlan(model: model, stages: [StageSpec(firstOp: a, lastOp: b - 1, grid: grid, caching: caching)],
                                                    options: options), let stage = plan.fusedStages.first else { continue }
                    var total = costModel.perInference(plan.model, options: options) + costModel.instructions(of: stage, schedule: plan.schedule, memo: memo)
                    for op in 0..<rewritten.operators.count where !stage.contains(op: op) {
                        total += costModel.instructions(ofWholeOp: op, schedule: layerByLayer.schedule, memo: memo)
                    }
                    XCTAssertEqual(Int(total.rounded()), costModel.instructions(plan), "ops \(a)…\(b - 1) \(grid) \(caching.name)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 6)
    }

    func testTheWindowedScheduleEqualsTheWholeScheduleInsideTheStage() throws {
        let model = try PlanFixtures.sample("mbv2-w0.35-r144").rewritten(for: .tfliteMicro)
        let options = MemoryOptions(inplaceDepthwise: true, fuseResidual: true)
        let cuts = MultiStageSearch.cutPoints(of: model, options: options)
        var checked = 0
        for (a, b) in zip(cuts, cuts.dropFirst(2)) where b - a >= 2 {
            guard case .success(let found) = FusedStage.outputs(of: model, first: a, last: b - 1) else { continue }
            let stage = FusedStage(model: model, first: a, last: b - 1, grid: TileGrid(rows: 2, cols: 3), outputs: found.outputs,
                                   outputGrid: found.grid, caching: .all, options: options)
            for caches in [Set<HaloCache>(), stage.possibleCaches(HaloCache.Direction.allCases)] {
                let cost = MultiStageSearch.cost(of: stage, caches: caches, model: model, options: options)
                let whole = PatchPlan.cached(model: model, stages: [stage], caches: [caches], options: options)
                XCTAssertEqual(cost.peak, whole.schedule.liveBytes[a...(b - 1)].max())
                XCTAssertEqual(cost.macs, whole.macs[a...(b - 1)].reduce(0, +))
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 6)
    }
}
