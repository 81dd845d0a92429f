import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// p and n as sliders, each scaled to its valid range (p: 1 up to the
/// stage output's smaller side; n: 0 up to the last n any plan reaches),
/// plus the plan's headline numbers.
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

        /// The value under column `x` of `bar`: its first cell is the range's lowest value, the last its highest.
        public func value(at x: Int, bar: Range<Int>, range: ClosedRange<Int>) -> Int {
            guard bar.count > 1 else { return range.lowerBound }
            let t = Double(x - bar.lowerBound) / Double(bar.count - 1)
            return range.lowerBound + Int((t * Double(range.upperBound - range.lowerBound)).rounded())
        }
    }

    /// Widths of the p and n bars.
    static let patchesWidth = 8, layersWidth = 12

    public static func geometry(_ state: AppState, width: Int, y: Int) -> Geometry {
        let plan = state.plan
        let pRange = state.patchRange, nRange = state.layerRange
        let pText = "p \(slider(plan.patches, range: pRange, width: patchesWidth)) \(plan.patches)"
        let nText = "n \(slider(plan.patchLayers, range: nRange, width: layersWidth)) \(plan.patchLayers)/\(nRange.upperBound)"
        let compare = Verdicts.peak(plan)
        let overhead = "MACs \(formatPercentChange(plan.macOverhead))"
        let peakFull = plan.isPatched
            ? "peak \(formatBytes(plan.peakBytes)) vs \(formatBytes(plan.layerByLayerPeakBytes)) (\(compare))"
            : "peak \(formatBytes(plan.peakBytes)) (layer by layer)"
        let peakShort = plan.isPatched
            ? "peak \(kib(plan.peakBytes))/\(kib(plan.layerByLayerPeakBytes)) KiB \(compare == "same as layer by layer" ? "same" : compare)"
            : "peak \(kib(plan.peakBytes)) KiB"
        let separator: String
        let text: String
        let wide = [pText, nText, peakFull, overhead].joined(separator: "  ")
        if wide.count <= width {
            separator = "  "; text = wide
        } else {
            separator = " "
            text = TextFit.first([
                [pText, nText, peakShort, overhead].joined(separator: " "),
                [pText, nText, peakShort].joined(separator: " "),
                [pText, nText].joined(separator: " "),
            ], width: width)
        }
        let pStart = 2
        let nStart = pText.count + separator.count + 2
        return Geometry(y: y, text: text,
                        patchesBar: pStart..<(pStart + patchesWidth), patchesRange: pRange,
                        layersBar: nStart..<(nStart + layersWidth), layersRange: nRange)
    }

    public static func draw(_ state: AppState, _ geometry: Geometry, into grid: inout CellGrid) {
        grid.text(geometry.text, x: 0, y: geometry.y, style: .bold)
    }
}
