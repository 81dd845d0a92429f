import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// p and n as sliders, each scaled to its valid range (p: 1 up to the
/// stage output's smaller side; n: 0 up to the last n any plan reaches),
/// plus the plan's headline numbers. In a plan of several stages (or a
/// rectangular grid) the bars are the selected op's stage instead: its
/// tile rows and columns, and its span (`stage 2/3 ops 17…20`).
public enum SlidersView {
    public static func slider(_ value: Int, range: ClosedRange<Int>, width: Int) -> String {
        guard width > 0 else { return "" }
        let span = max(1, range.upperBound - range.lowerBound)
        let filled = max(0, min(width, Int((Double(value - range.lowerBound) / Double(span) * Double(width)).rounded())))
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    /// The sliders line and where its bars are, for drawing and for the mouse.
    public struct Geometry: Equatable, Sendable {
        public var y: Int
        public var text: String
        public var patchesBar: Range<Int>
        public var patchesRange: ClosedRange<Int>
        public var layersBar: Range<Int>
        public var layersRange: ClosedRange<Int>
        /// In a plan of stages: the fused stage (index in `plan.fusedStages`)
        /// whose tile rows the first bar and tile columns the second set;
        /// `nil`: the bars are p and n (or, on an op run layer by layer in a
        /// plan of stages, there are none).
        public var stage: Int? = nil

        /// The value under column `x` of `bar`: its first cell is the range's lowest value, the last its highest.
        public func value(at x: Int, bar: Range<Int>, range: ClosedRange<Int>) -> Int {
            guard bar.count > 1 else { return range.lowerBound }
            let t = Double(x - bar.lowerBound) / Double(bar.count - 1)
            return range.lowerBound + Int((t * Double(range.upperBound - range.lowerBound)).rounded())
        }
    }

    /// Widths of the p and n bars.
    static let patchesWidth = 8, layersWidth = 12

    /// The bars of the selected op's stage in a plan of stages: tile rows
    /// and columns, each 1 up to its side of the stage's output map (64 at
    /// most), and the stage's span; on an op run layer by layer, no bars
    /// and what `[` would start there.
    static func stageBars(_ state: AppState) -> (rows: String, cols: String, rowsRange: ClosedRange<Int>, colsRange: ClosedRange<Int>,
                                                 span: String, short: String, stage: Int?, prefix: Int) {
        let plan = state.plan, op = state.selectedLayer
        guard let index = plan.fusedStageIndex(of: op) else {
            let grid = state.newStageGrid(at: op)
            return ("op \(op) layer by layer", "", 1...1, 1...1, "[ starts a \(grid) stage here", "[ \(grid)", nil, 0)
        }
        let stage = plan.fusedStages[index]
        let rowsRange = 1...max(2, min(64, stage.outputGrid.height)), colsRange = 1...max(2, min(64, stage.outputGrid.width))
        let rows = "rows \(slider(stage.grid.rows, range: rowsRange, width: patchesWidth)) \(stage.grid.rows)"
        let cols = "cols \(slider(stage.grid.cols, range: colsRange, width: patchesWidth)) \(stage.grid.cols)"
        let span = "stage \(index + 1)/\(plan.fusedStages.count) ops \(stage.firstOp)…\(stage.lastOp)"
        return (rows, cols, rowsRange, colsRange, span, "\(index + 1)/\(plan.fusedStages.count)", index, 5)
    }

    public static func geometry(_ state: AppState, width: Int, y: Int) -> Geometry {
        let plan = state.plan
        var pRange = state.patchRange, nRange = state.layerRange
        var pText = "p \(slider(plan.patches, range: pRange, width: patchesWidth)) \(plan.patches)"
        var nText = "n \(slider(plan.patchLayers, range: nRange, width: layersWidth)) \(plan.patchLayers)/\(nRange.upperBound)"
        var prefix = 2, nWidth = layersWidth, span = "", spanShort = ""
        var stageIndex: Int?
        if plan.needsStageList {
            let bars = stageBars(state)
            (pText, nText, pRange, nRange, span, spanShort, stageIndex, prefix) = bars
            nWidth = bars.stage == nil ? 0 : patchesWidth
        }
        let compare = Verdicts.peak(plan)
        let overhead = "MACs \(formatPercentChange(plan.macOverhead))"
        let peakFull = plan.isPatched
            ? "peak \(formatBytes(plan.peakBytes)) vs \(formatBytes(plan.layerByLayerPeakBytes)) (\(compare))"
            : "peak \(formatBytes(plan.peakBytes)) (layer by layer)"
        let peakShort = plan.isPatched
            ? "peak \(kib(plan.peakBytes))/\(kib(plan.layerByLayerPeakBytes)) KiB \(compare == "same as layer by layer" ? "same" : compare)"
            : "peak \(kib(plan.peakBytes)) KiB"
        let (needFull, needShort) = need(state)
        let separator: String
        let text: String
        // The stage's span, in a plan of stages (dropped last but one).
        let lead = [pText, nText].filter { !$0.isEmpty } + (span.isEmpty ? [] : [span])
        let leadShort = [pText, nText].filter { !$0.isEmpty } + (spanShort.isEmpty ? [] : [spanShort])
        let wide = (lead + [peakFull, needFull, overhead]).joined(separator: "  ")
        if wide.count <= width {
            separator = "  "; text = wide
        } else {
            separator = " "
            text = TextFit.first([
                (lead + [peakShort, needFull, overhead]).joined(separator: " "),
                (lead + [peakShort, needShort, overhead]).joined(separator: " "),
                (lead + [peakShort, needShort]).joined(separator: " "),
                (lead + ["peak \(kib(plan.peakBytes))", needShort]).joined(separator: " "),
                (leadShort + ["peak \(kib(plan.peakBytes))", needShort]).joined(separator: " "),
                (lead + [needShort]).joined(separator: " "),
                leadShort.joined(separator: " "),
                [pText, nText].joined(separator: " "),
            ], width: width)
        }
        guard !plan.needsStageList || stageIndex != nil else {
            // An op run layer by layer in a plan of stages: no bars to click.
            return Geometry(y: y, text: text, patchesBar: 0..<0, patchesRange: pRange, layersBar: 0..<0, layersRange: nRange)
        }
        let pStart = prefix
        let nStart = pText.count + separator.count + prefix
        return Geometry(y: y, text: text,
                        patchesBar: pStart..<(pStart + patchesWidth), patchesRange: pRange,
                        layersBar: nStart..<(nStart + nWidth), layersRange: nRange, stage: stageIndex)
    }

    /// The SRAM the chosen engine needs for the plan, named, with the
    /// budget's verdict on it: `TE PEAK_MEM 86.8 KiB fits` / `TE 86.8 fits`,
    /// `TFLM arena –` where the engine has no figure for the plan.
    static func need(_ state: AppState) -> (full: String, short: String) {
        let required = state.required
        let tag = required.engine == .tflm ? "TFLM" : "TE"
        guard let bytes = required.bytes else { return ("\(required.shortName) –", "\(tag) –") }
        let wrong = required.why == nil ? "" : " !"
        let verdict = state.budget.map { bytes <= $0.bytes ? " fits" : " over" } ?? ""
        return ("\(required.shortName) \(kib(bytes)) KiB\(verdict)\(wrong)", "\(tag) \(kib(bytes))\(verdict)\(wrong)")
    }

    public static func draw(_ state: AppState, _ geometry: Geometry, into grid: inout CellGrid) {
        grid.text(geometry.text, x: 0, y: geometry.y, style: .bold)
    }
}
