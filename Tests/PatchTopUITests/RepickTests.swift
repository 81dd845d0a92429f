import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopUI
import XCTest

/// Issue 23, finding 6: `b`, `E` and `m` change what the recommendation is,
/// and re-pick the plan (after `m`, once its sweep is in); `r` goes back to
/// the recommendation from anywhere.
final class RepickTests: XCTestCase {
    func opened(budget: SRAMBudget? = SRAMBudget(name: "SRAM", bytes: 128 * 1024)) throws -> AppState {
        let model = try UIFixtures.model()
        var s = try AppState.opening(model: model, patches: nil, patchLayers: nil, options: .tfliteMicro, budget: budget)
        s = update(s, .resize(width: 120, height: 40))
        return s
    }

    func pick(_ s: AppState) throws -> ParetoPoint {
        try XCTUnwrap(s.pareto?.recommendation(budget: s.budget, engine: s.engine, tflm: s.engines.tflm)).point
    }

    func testEngineAndBudgetKeysRepick() throws {
        let s = try opened()
        let (te, effects) = updateWithEffects(s, .key(.char("E")))
        XCTAssertEqual(te.engine, .tinyengine)
        let want = try pick(te)
        XCTAssertEqual([te.plan.patches, te.plan.patchLayers], [want.patches, want.patchLayers])
        XCTAssertNotEqual([te.plan.patches, te.plan.patchLayers], [s.plan.patches, s.plan.patchLayers], "TinyEngine's pick differs here")
        XCTAssertTrue(effects.contains { if case .run = $0 { true } else { false } }, "the new plan runs")
        XCTAssertTrue(te.statusMessage.hasPrefix("engine TinyEngine → p=\(want.patches) n=\(want.patchLayers): "), te.statusMessage)
        var b = te
        for _ in 0..<3 {
            b = update(b, .key(.char("b")))
            let want = try pick(b)
            XCTAssertEqual([b.plan.patches, b.plan.patchLayers], [want.patches, want.patchLayers], "\(b.budget?.name ?? "none")")
            XCTAssertTrue(b.statusMessage.hasPrefix("budget "), b.statusMessage)
        }
    }

    func testMemoryKeyRepicksOnceItsSweepIsIn() throws {
        let s = try opened(budget: nil)
        let (m, effects) = updateWithEffects(s, .key(.char("m")))
        XCTAssertTrue(effects.contains(.sweep(m.options)))
        XCTAssertNotNil(m.repickPending)
        let data = ParetoData(Sweep(model: m.model, options: m.options), options: m.options)
        let swept = update(m, .swept(data))
        XCTAssertNil(swept.repickPending)
        let want = try XCTUnwrap(data.recommendation(budget: nil, engine: .tflm, tflm: swept.engines.tflm)).point
        XCTAssertEqual([swept.plan.patches, swept.plan.patchLayers], [want.patches, want.patchLayers])
        // Not dominated: no plan of the sweep has both a peak as low and fewer MACs at ≤ +20%.
        let plan = swept.plan
        XCTAssertFalse(data.points.contains { $0.peakBytes <= plan.peakBytes && $0.macs < plan.macs && $0.macOverhead <= 0.2 },
                       "p=\(plan.patches) n=\(plan.patchLayers) is dominated")
    }

    func testRGoesBackToTheRecommendation() throws {
        let s = try opened()
        var moved = update(update(s, .key(.char("P"))), .key(.char("N")))
        XCTAssertNotEqual([moved.plan.patches, moved.plan.patchLayers], [s.plan.patches, s.plan.patchLayers])
        moved = update(moved, .key(.char("r")))
        XCTAssertEqual([moved.plan.patches, moved.plan.patchLayers], [s.plan.patches, s.plan.patchLayers])
        XCTAssertTrue(moved.statusMessage.hasPrefix("recommended → p="), moved.statusMessage)
        XCTAssertTrue(HelpOverlay.lines().contains { $0.hasPrefix("r ") && $0.contains("recommended plan") })
    }
}
