import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// The line above the hint bar: a notice (why the plan was chosen, an
/// invalid n, where an export went), then the latest background run of
/// the current plan.
///
/// The verdict comes first so it survives any width: `✓ identical` when the
/// patched output equals the layer-by-layer output byte for byte, a loud
/// reversed `✗ DIFFERS` when it does not, `layer by layer` when there is
/// nothing to compare, `… running` while a run is due. Then the figures,
/// whole or not at all, in priority order: peak, MAC overhead, run time,
/// arena measured vs planned.
public enum StatusLine {
    public struct Segment: Equatable, Sendable {
        public var text: String
        public var style: CellStyle
    }

    public static func segments(_ state: AppState, width: Int) -> [Segment] {
        var out: [Segment] = []
        var used = 0
        func add(_ text: String, _ style: CellStyle) {
            out.append(Segment(text: text, style: style))
            used += text.count
        }
        let runText: [Segment]
        switch state.run {
        case .idle:
            runText = []
        case .running(let request):
            runText = [Segment(text: "… running \(request.label)", style: CellStyle(fg: .cyan))]
        case .failed(let request, let reason):
            runText = [Segment(text: "run \(request.label) failed: \(reason)", style: CellStyle(fg: .red, bold: true))]
        case .finished(let summary):
            let patched = summary.request.isPatched
            if !patched {
                runText = [Segment(text: "layer by layer", style: CellStyle(fg: .cyan, bold: true))]
            } else if summary.identical {
                runText = [Segment(text: "✓ identical", style: CellStyle(fg: .green, bold: true))]
            } else {
                runText = [Segment(text: "✗ DIFFERS from layer-by-layer", style: CellStyle(fg: .red, bold: true, reverse: true))]
            }
        }
        let runWidth = runText.reduce(0) { $0 + $1.text.count }
        // Where TinyEngine computes the plan wrongly, said while it is the
        // engine (and never hidden by the notice: each gets its share).
        let warning = tinyEngineWarning(state)
        var warningRoom = 0
        if !state.statusMessage.isEmpty {
            // The notice gets what the run's verdict leaves, shortened by words.
            var room = width - (runWidth > 0 ? runWidth + 4 : 0)
            if let warning {
                warningRoom = min(warning.count, max(24, room / 2))
                room -= warningRoom + 4
            }
            let notice = TextFit.words(state.statusMessage, width: max(0, room))
            if !notice.isEmpty {
                add(notice, CellStyle(fg: .yellow, bold: true))
                if runWidth > 0 || warning != nil { add("  │ ", .dim) }
            }
        }
        if let warning {
            let room = width - used - (runWidth > 0 ? runWidth + 4 : 0)
            let text = TextFit.first([warning, "! TinyEngine computes this plan wrongly", "! TE: wrong result", "! TE wrong"], width: max(warningRoom, room))
            if !text.isEmpty {
                add(text, CellStyle(fg: .red, bold: true, reverse: true))
                if runWidth > 0 { add("  │ ", .dim) }
            }
        }
        for segment in runText {
            let text = segment.text.count <= width - used ? segment.text : TextFit.words(segment.text, width: width - used)
            add(text, segment.style)
        }
        if case .finished(let summary) = state.run {
            var figures = ""
            for part in parts(summary, engines: state.engines) {
                let next = figures + "  " + part
                if used + next.count <= width { figures = next }
            }
            if !figures.isEmpty { add(figures, .plain) }
        }
        return out
    }

    /// The figures in priority order, each whole: peak, MACs, time, arena,
    /// and last what the engines would reserve.
    static func parts(_ s: RunSummary, engines: EngineFigures? = nil) -> [String] {
        let patched = s.request.isPatched
        let compare = Verdicts.peak(planBytes: s.peakBytes, layerByLayerBytes: s.layerByLayerPeakBytes, patched: patched)
        var out: [String] = []
        out.append(patched ? "peak \(formatBytes(s.peakBytes)) vs \(formatBytes(s.layerByLayerPeakBytes)) (\(compare))" : "peak \(formatBytes(s.peakBytes))")
        if patched { out.append("MACs \(formatPercentChange(s.macOverhead))") }
        if s.cacheMacsSaved > 0 { out.append("caches save \(formatMACs(s.cacheMacsSaved)) MACs") }
        out.append("run \(formatFixed(s.milliseconds, decimals: 1)) ms")
        if let measured = s.measuredArenaBytes {
            out.append(measured == s.plannedArenaBytes ? "arena \(kib(measured)) KiB measured = planned" : "arena \(kib(measured)) KiB measured, \(kib(s.plannedArenaBytes)) planned")
        } else {
            out.append("arena \(kib(s.plannedArenaBytes)) KiB planned")
        }
        if let engines { out.append(engines.short) }
        return out
    }

    /// `! TinyEngine: p=3 does not divide …` (and how many more) when the
    /// engine is TinyEngine and its own result for the plan is wrong.
    static func tinyEngineWarning(_ state: AppState) -> String? {
        guard state.engine == .tinyengine, let first = state.engines.tinyEngineWarnings.first else { return nil }
        let more = state.engines.tinyEngineWarnings.count - 1
        return "! TinyEngine: \(first)" + (more > 0 ? " (+\(more) more)" : "")
    }

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        var x = rect.x
        for segment in segments(state, width: rect.width) {
            x += grid.text(segment.text, x: x, y: rect.y, style: segment.style, clip: rect)
        }
    }
}
