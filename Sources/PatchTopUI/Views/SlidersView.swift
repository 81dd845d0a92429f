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

    public static func line(_ state: AppState, width: Int) -> String {
        let plan = state.plan
        let p = "p \(slider(plan.patches, range: 1...8, width: 8)) \(plan.patches)"
        let n = "n \(slider(plan.patchLayers, range: 0...max(1, state.model.operators.count), width: 12)) \(plan.patchLayers)/\(state.model.operators.count)"
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
