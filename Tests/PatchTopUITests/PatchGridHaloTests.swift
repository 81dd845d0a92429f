import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
import PatchTopUI
import XCTest

/// Issue 23, finding 7: the patch grid shows the halo at any p on any map
/// shape, keeps its boundary lines at 80×24, fills its panel with the map's
/// shape kept, and the layer table marks folded PADs.
final class PatchGridHaloTests: XCTestCase {
    /// The grid's cells (inside the tiles) of `state` drawn in `rect`.
    func tileCells(_ state: AppState, _ rect: Rect) throws -> (geometry: PatchGridView.Geometry, cells: [Character]) {
        let g = try XCTUnwrap(PatchGridView.geometry(state, rect: rect))
        var grid = CellGrid(width: rect.maxX, height: rect.maxY)
        PatchGridView.draw(state, g, into: &grid, rect: rect)
        return (g, g.tiles.flatMap { t in (t.y..<t.maxY).flatMap { y in (t.x..<t.maxX).map { grid[$0, y].character } } })
    }

    func testTheHaloShowsAtEveryPAndSize() throws {
        let model = try UIFixtures.model()
        for p in 2...8 {
            for (w, h) in [(80, 24), (120, 40), (200, 60)] {
                var s = try AppState(model: model, patches: p, patchLayers: 10)
                s = update(s, .resize(width: w, height: h))
                for op in [0, 4, 9] {
                    s.selectedLayer = op
                    s.selectedPatch = p * p - 1
                    guard s.plan.haloFraction(op: op) > 0 else { continue }
                    let rect = Screen.layout(s).panes.grid
                    let (g, cells) = try tileCells(s, rect)
                    XCTAssertTrue(cells.contains { "▒▓█".contains($0) }, "p=\(p) op \(op) at \(w)×\(h): no halo cell")
                    // Where a tile has room for an inside (3 cells or more each way), the inside shows computed once.
                    if g.tiles.allSatisfy({ $0.width >= 3 && $0.height >= 3 }) {
                        XCTAssertTrue(cells.contains("·"), "p=\(p) op \(op) at \(w)×\(h): no cell computed once")
                    }
                    if p <= 5 { XCTAssertTrue(g.lines, "p=\(p) at \(w)×\(h): boundary lines") }
                }
            }
        }
    }

    /// At p=7 the grid uses most of its panel's width (it used 20 of 37 columns).
    func testTheGridUsesThePanel() throws {
        var s = try AppState(model: UIFixtures.model(), patches: 7, patchLayers: 10)
        s = update(s, .resize(width: 120, height: 40))
        let rect = Screen.layout(s).panes.grid
        let g = try XCTUnwrap(PatchGridView.geometry(s, rect: rect))
        let used = (g.tiles.map(\.maxX).max() ?? 0) - rect.inset(1).x
        XCTAssertGreaterThanOrEqual(Double(used), 0.6 * Double(rect.inset(1).width), "\(used) of \(rect.inset(1).width) columns")
    }

    /// A non-square map keeps its shape: MIT's detector's 64×80 map is
    /// drawn wider than tall, in the map's proportion (a cell is about half as wide as tall).
    func testANonSquareMapKeepsItsShape() throws {
        let model = try EngineVerdictTests.sharedModel("detection")
        var s = try AppState(model: model, patches: 4, patchLayers: 9)
        s = update(s, .resize(width: 200, height: 60))
        s.selectedLayer = 2
        let g = try XCTUnwrap(PatchGridView.geometry(s, rect: Screen.layout(s).panes.grid))
        let rows = g.cellRows.reduce(0) { $0 + $1.count }, cols = g.cellCols.reduce(0) { $0 + $1.count }
        let ratio = Double(cols) / Double(rows) / (Double(g.width) / Double(g.height))
        XCTAssertTrue((1.4...2.6).contains(ratio), "cells across/down per pixel: \(ratio)")
    }

    func testFoldedPadsAreMarked() throws {
        let model = try UIFixtures.model("pytorch-style")
        var s = try AppState(model: model, patches: 2, patchLayers: 3, options: MemoryOptions(foldPad: true))
        s = update(s, .resize(width: 120, height: 40))
        let screen = Screen.render(s, width: 120, height: 40).lines().joined(separator: "\n")
        XCTAssertTrue(screen.contains("PAD folded"), screen)
        let plain = try AppState(model: model, patches: 2, patchLayers: 3)
        XCTAssertFalse(Screen.render(plain, width: 120, height: 40).lines().joined().contains("folded"))
    }
}

/// Issue 23, finding 8: a report (`e` and `report`) carries every layer
/// after the screen, the date its file is written, and the halo-cache mode
/// in its header and file name.
final class FullReportTests: XCTestCase {
    func testEveryLayerFollowsTheScreen() throws {
        let model = try UIFixtures.model()
        let s = try AppState(model: model, patches: 3, patchLayers: 13)
        let text = ReportRenderer(state: s, width: 80, height: 24, date: "d").render()
        let lines = text.components(separatedBy: "\n")
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("every layer (64 ops") })
        let table = lines[(start + 2)...].filter { !$0.isEmpty }
        XCTAssertEqual(table.count, model.operators.count, "one row per op, not only the rows the screen shows")
        for (k, row) in table.enumerated() {
            XCTAssertTrue(row.dropFirst(2).trimmingCharacters(in: .whitespaces).hasPrefix("\(k) "), row)
        }
        XCTAssertTrue(lines[start + 1].contains("out B") && lines[start + 1].contains("kernel"), "every column: \(lines[start + 1])")
        XCTAssertTrue(table.last?.contains("SOFTMAX") == true || table.last?.contains("RESHAPE") == true || !table.isEmpty)
    }

    func testAnExportIsDatedWhenWrittenAndNamesItsHaloCaches() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13, caching: .auto)
        s = update(s, .resize(width: 100, height: 30))
        s.exportDirectory = dir.path
        XCTAssertEqual(s.exportDate, "", "the TUI leaves it to the write")
        XCTAssertTrue(s.exportPath.hasSuffix("/patchtop-mbv2-w0.35-r144-p3-n13-tflm-cache-auto.txt"), s.exportPath)
        let (next, effects) = updateWithEffects(s, .key(.char("e")))
        Thread.sleep(forTimeInterval: 1.1)
        let before = Date()
        let handler = EffectHandler(planRunner: nil)
        handler.perform(effects, in: next)
        guard case .exported(let path)? = handler.inbox.drain().first else { return XCTFail("exported") }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let dateLine = try XCTUnwrap(text.components(separatedBy: "\n").first { $0.hasPrefix("date ") })
        let date = try XCTUnwrap(ISO8601DateFormatter().date(from: String(dateLine.dropFirst(16))), dateLine)
        XCTAssertGreaterThanOrEqual(date.timeIntervalSince(before), -1, "stamped when written, not when the key was pressed or PatchTop started")
        XCTAssertFalse(text.contains(ReportRenderer.writeTimePlaceholder))
        XCTAssertTrue(text.contains("\nhalo caches     auto"), text)
        XCTAssertTrue(text.contains("\nevery layer (64 ops"))
    }
}

/// Issue 23, finding 11: on small screens the hint bar abbreviates rather
/// than dropping keys, and the Pareto chart's title is shortened whole.
final class SmallScreenTests: XCTestCase {
    func testTheHintBarKeepsEveryKeyAtEverySize() throws {
        for stepping in [false, true] {
            let keys = keyBindings.filter { $0.applies(stepping: stepping, pareto: false) }.map { stepping ? $0.stepHint : $0.hint }.filter { !$0.isEmpty }.map { String($0.prefix { $0 != " " }) }
            for width in [78, 118, 198] {
                let bar = Screen.hintBar(stepping: stepping, width: width)
                XCTAssertLessThanOrEqual(bar.count, width)
                let tokens = Set(bar.split(separator: " ").map(String.init))
                for key in keys { XCTAssertTrue(tokens.contains(key), "\(stepping ? "step " : "")\(width): \(key) missing from \(bar)") }
                XCTAssertFalse(bar.contains("? more"), bar)
                XCTAssertTrue(bar.hasSuffix("? help  q quit") || bar.hasSuffix("? help q quit"), bar)
            }
        }
        // Full words where there is room.
        XCTAssertTrue(Screen.hintBar(width: 198).contains("m memory") && Screen.hintBar(width: 198).contains("H cache"))
        // Narrower than every key: the lowest-priority keys go, and the bar says the overlay has them.
        let tiny = Screen.hintBar(width: 30)
        XCTAssertLessThanOrEqual(tiny.count, 30)
        XCTAssertTrue(tiny.contains("? more") && tiny.contains("q quit"), tiny)
    }

    func testTheParetoTitleIsShortenedWhole() throws {
        for width in [20, 30, 36, 44, 60, 200] {
            let title = ParetoView.title(points: 85, front: 12, width: width)
            XCTAssertLessThanOrEqual(title.count, width, title)
            XCTAssertFalse(title.contains("…"), title)
        }
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13, pareto: UIFixtures.pareto(UIFixtures.model()))
        s = update(update(s, .resize(width: 80, height: 24)), .key(.char("v")))
        let top = Screen.render(s, width: 80, height: 24).lines()[2]
        XCTAssertTrue(top.contains("┌─ Pareto (") && top.contains(" on the front) ─") || top.contains(" front) ─"), top)
    }
}
