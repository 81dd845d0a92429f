import PatchTopModel
import PatchTopPlan

/// p and n as sliders plus the plan's headline numbers.
public enum SlidersView {
    public static func slider(_ value: Int, range: ClosedRange<Int>, width: Int) -> String {
        guard width > 0 else { return "" }
        let span = max(1, range.upperBound - range.lowerBound)
        let filled = max(0, min(width, Int((Double(value - range.lowerBound) / Double(span) * Double(width)).rounded())))
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    /// Widths of the p and n bars, and the ranges they show.
    static let patchesWidth = 8, layersWidth = 12
    static let patchesRange = 1...8
    static func layersRange(_ state: AppState) -> ClosedRange<Int> { 0...max(1, state.model.operators.count) }

    /// What a click on the sliders line picks: a value of p or of n.
    public enum Hit: Equatable, Sendable {
        case patches(Int)
        case patchLayers(Int)
    }

    /// The slider value under column `x` of the sliders line drawn `width`
    /// wide, so the mouse can move p and n as the keys do: the first cell of
    /// a bar is its lowest value, the last its highest.
    public static func hit(x: Int, state: AppState, width: Int) -> Hit? {
        func value(_ cell: Int, _ range: ClosedRange<Int>, _ bar: Int) -> Int {
            range.lowerBound + Int((Double(cell) / Double(bar - 1) * Double(range.upperBound - range.lowerBound)).rounded())
        }
        let pStart = 2
        if x >= pStart, x < pStart + patchesWidth {
            return .patches(value(x - pStart, patchesRange, patchesWidth))
        }
        let pSegment = "p \(slider(state.plan.patches, range: patchesRange, width: patchesWidth)) \(state.plan.patches)"
        let separator = line(state, width: width).hasPrefix(pSegment + "  ") ? 2 : 1
        let nStart = pSegment.count + separator + 2
        if x >= nStart, x < nStart + layersWidth {
            return .patchLayers(value(x - nStart, layersRange(state), layersWidth))
        }
        return nil
    }

    public static func line(_ state: AppState, width: Int) -> String {
        let plan = state.plan
        let p = "p \(slider(plan.patches, range: patchesRange, width: patchesWidth)) \(plan.patches)"
        let n = "n \(slider(plan.patchLayers, range: layersRange(state), width: layersWidth)) \(plan.patchLayers)/\(state.model.operators.count)"
        let peak = "peak \(formatBytes(plan.peakBytes)) vs \(formatBytes(plan.layerByLayerPeakBytes)) (\(formatFixed(plan.peakReduction, decimals: 2))× lower)"
        let macs = "MACs +\(formatFixed(plan.macOverhead * 100, decimals: 1))%"
        let full = [p, n, peak, macs].joined(separator: "  ")
        if full.count <= width { return full }
        let shortPeak = "peak \(formatBytes(plan.peakBytes))/\(formatBytes(plan.layerByLayerPeakBytes)) \(formatFixed(plan.peakReduction, decimals: 2))×"
        return [p, n, shortPeak, macs].joined(separator: " ")
    }

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        grid.text(line(state, width: rect.width), x: rect.x, y: rect.y, style: .bold, clip: rect)
    }
}
