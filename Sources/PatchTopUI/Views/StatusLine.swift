import PatchTopModel
import PatchTopPlan

/// The line above the hint bar: a notice (an invalid n, an export), then
/// the latest background run of the current plan.
///
/// The verdict comes first so it survives any width: `✓ identical` when the
/// patched output equals the layer-by-layer output byte for byte, a loud
/// reversed `✗ DIFFERS` when it does not, `… running` while a run is due.
/// Then the figures: peak (plan vs layer-by-layer, reduction), MAC
/// overhead, arena measured vs planned, and the inference time.
public enum StatusLine {
    public struct Segment: Equatable, Sendable {
        public var text: String
        public var style: CellStyle
    }

    public static func segments(_ state: AppState, width: Int) -> [Segment] {
        var out: [Segment] = []
        if !state.statusMessage.isEmpty {
            out.append(Segment(text: state.statusMessage, style: CellStyle(fg: .yellow, bold: true)))
            out.append(Segment(text: "  │ ", style: .dim))
        }
        switch state.run {
        case .idle:
            break
        case .running(let request):
            out.append(Segment(text: "… running p=\(request.patches) n=\(request.patchLayers)", style: CellStyle(fg: .cyan)))
        case .failed(let request, let reason):
            out.append(Segment(text: "run p=\(request.patches) n=\(request.patchLayers) failed: \(reason)", style: CellStyle(fg: .red, bold: true)))
        case .finished(let summary):
            if summary.identical {
                out.append(Segment(text: "✓ identical", style: CellStyle(fg: .green, bold: true)))
            } else {
                out.append(Segment(text: "✗ DIFFERS from layer-by-layer", style: CellStyle(fg: .red, bold: true, reverse: true)))
            }
            let used = out.reduce(0) { $0 + $1.text.count }
            let full = "  " + figures(summary, compact: false)
            out.append(Segment(text: used + full.count <= width ? full : "  " + figures(summary, compact: true), style: .plain))
        }
        return out
    }

    /// `peak 121.4 KiB vs 303.8 KiB (2.50×)  MACs +12.9%  arena 121.4 KiB measured, 121.4 planned  run 48.2 ms`
    public static func figures(_ s: RunSummary, compact: Bool) -> String {
        let reduction = formatFixed(s.peakReduction, decimals: 2)
        let overhead = "MACs +\(formatFixed(s.macOverhead * 100, decimals: 1))%"
        let ms = formatFixed(s.milliseconds, decimals: 1)
        if compact {
            let arena = s.measuredArenaBytes.map { "arena \(kib($0))/\(kib(s.plannedArenaBytes)) KiB" } ?? "arena \(kib(s.plannedArenaBytes)) KiB planned"
            return "peak \(kib(s.peakBytes))/\(kib(s.layerByLayerPeakBytes)) KiB \(reduction)×  \(overhead)  \(arena)  \(ms) ms"
        }
        let arena = s.measuredArenaBytes.map { "arena \(formatBytes($0)) measured, \(kib(s.plannedArenaBytes)) planned" }
            ?? "arena \(formatBytes(s.plannedArenaBytes)) planned"
        return "peak \(formatBytes(s.peakBytes)) vs \(formatBytes(s.layerByLayerPeakBytes)) (\(reduction)×)  \(overhead)  \(arena)  run \(ms) ms"
    }

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        var x = rect.x
        for segment in segments(state, width: rect.width) {
            x += grid.text(segment.text, x: x, y: rect.y, style: segment.style, clip: rect)
        }
    }
}
