import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// The table of ops: stage ops marked `▌`, the peak op `▲`, the op step
/// mode just executed `▶`, the selected row reversed (and `»` in exports).
///
/// Every column is as wide as its widest cell over the model's rows, so a
/// fully-connected `1280→1000` kernel or a `1×1×1×1000` shape is never
/// cut; when the table is too wide, whole columns are dropped (output
/// bytes, then kernel, then shape, then MACs) and op names abbreviated.
public enum LayersView {
    /// One way to lay the table out; `columns(for:width:)` picks the richest that fits.
    public struct Columns: Equatable, Sendable {
        public var indexWidth: Int
        public var opWidth: Int
        public var abbreviate: Bool
        public var kernelWidth: Int
        public var shapeWidth: Int
        /// Shapes without the leading batch 1.
        public var dropBatch: Bool
        public var outputBytesWidth: Int
        public var liveWidth: Int
        public var macsWidth: Int
        public var gap: Int
        /// The fused stage column of a multi-stage plan (`┌4×2`, `│`, `└`); 0: none.
        public var stageWidth = 0
        /// The predicted time (or instructions) column; 0: none.
        public var timeWidth = 0
        /// `ms` or `instr`.
        public var timeHeader = ""

        /// Cells one row takes.
        public var width: Int {
            var w = 2 + indexWidth + gap + opWidth
            for column in [stageWidth, kernelWidth, shapeWidth, outputBytesWidth, liveWidth, macsWidth, timeWidth] where column > 0 { w += gap + column }
            return w
        }

        public func header() -> String {
            var text = "  " + fit("#", indexWidth, right: true) + pad + fit("op", opWidth)
            if stageWidth > 0 { text += pad + fit("stage", stageWidth) }
            if kernelWidth > 0 { text += pad + fit("kernel", kernelWidth) }
            if shapeWidth > 0 { text += pad + fit("output", shapeWidth) }
            if outputBytesWidth > 0 { text += pad + fit("out B", outputBytesWidth, right: true) }
            text += pad + fit(liveWidth >= 8 ? "live KiB" : "KiB", liveWidth, right: true)
            if macsWidth > 0 { text += pad + fit("MACs", macsWidth, right: true) }
            if timeWidth > 0 { text += pad + fit(timeHeader, timeWidth, right: true) }
            return text
        }

        var pad: String { String(repeating: " ", count: gap) }

        public func cells(_ row: LayerRow, live: Int, mark: String, stage: String = "", time: String = "") -> String {
            var text = mark + fit("\(row.index)", indexWidth, right: true) + pad + fit(abbreviate ? LayersView.abbreviation(row.op) : row.op, opWidth)
            if stageWidth > 0 { text += pad + fit(stage, stageWidth) }
            if kernelWidth > 0 { text += pad + fit(row.kernel, kernelWidth) }
            if shapeWidth > 0 { text += pad + fit(LayersView.shape(row, dropBatch: dropBatch), shapeWidth) }
            if outputBytesWidth > 0 { text += pad + fit(formatCount(row.outputBytes), outputBytesWidth, right: true) }
            text += pad + fit(kib(live), liveWidth, right: true)
            if macsWidth > 0 { text += pad + fit(formatMACs(row.macs), macsWidth, right: true) }
            if timeWidth > 0 { text += pad + fit(time, timeWidth, right: true) }
            return text
        }
    }

    static func shape(_ row: LayerRow, dropBatch: Bool) -> String {
        dropBatch && row.outputShape.count > 1 && row.outputShape[0] == 1 ? row.outputShape.dropFirst().map(String.init).joined(separator: "×") : row.shapeText
    }

    /// The richest columns for `rows` no wider than `width` cells.
    public static func columns(for rows: [LayerRow], live: [Int], width: Int, stages: [String] = [], times: [String] = [], timeHeader: String = "") -> Columns {
        func widest(_ texts: [String], min floor: Int) -> Int { max(floor, texts.map(\.count).max() ?? 0) }
        let index = widest(rows.map { "\($0.index)" }, min: 1)
        let op = widest(rows.map(\.op), min: 2)
        let opShort = widest(rows.map { abbreviation($0.op) }, min: 2)
        let kernel = widest(rows.map(\.kernel), min: 6)
        let shapeW = widest(rows.map { LayersView.shape($0, dropBatch: false) }, min: 6)
        let shapeShort = widest(rows.map { LayersView.shape($0, dropBatch: true) }, min: 6)
        let outBytes = widest(rows.map { formatCount($0.outputBytes) }, min: 5)
        let liveW = widest(live.map(kib), min: 3)
        let macs = widest(rows.map { formatMACs($0.macs) }, min: 4)
        let candidates = [
            Columns(indexWidth: index, opWidth: op, abbreviate: false, kernelWidth: kernel, shapeWidth: shapeW, dropBatch: false, outputBytesWidth: outBytes, liveWidth: max(8, liveW), macsWidth: macs, gap: 2),
            Columns(indexWidth: index, opWidth: op, abbreviate: false, kernelWidth: kernel, shapeWidth: shapeW, dropBatch: false, outputBytesWidth: 0, liveWidth: max(8, liveW), macsWidth: macs, gap: 1),
            Columns(indexWidth: index, opWidth: opShort, abbreviate: true, kernelWidth: kernel, shapeWidth: shapeShort, dropBatch: true, outputBytesWidth: 0, liveWidth: liveW, macsWidth: macs, gap: 1),
            Columns(indexWidth: index, opWidth: opShort, abbreviate: true, kernelWidth: 0, shapeWidth: shapeShort, dropBatch: true, outputBytesWidth: 0, liveWidth: liveW, macsWidth: macs, gap: 1),
            Columns(indexWidth: index, opWidth: opShort, abbreviate: true, kernelWidth: 0, shapeWidth: 0, dropBatch: true, outputBytesWidth: 0, liveWidth: liveW, macsWidth: macs, gap: 1),
        ]
        // The stage and time columns, when given, are kept to the last.
        let stageW = stages.isEmpty ? 0 : widest(stages, min: 5)
        let timeW = times.isEmpty ? 0 : widest(times, min: timeHeader.count)
        let extras = candidates.map { c -> Columns in
            var c = c
            c.stageWidth = stageW; c.timeWidth = timeW; c.timeHeader = timeHeader
            return c
        }
        var last = Columns(indexWidth: index, opWidth: opShort, abbreviate: true, kernelWidth: 0, shapeWidth: 0, dropBatch: true, outputBytesWidth: 0, liveWidth: liveW, macsWidth: 0, gap: 1)
        last.stageWidth = stageW; last.timeWidth = timeW; last.timeHeader = timeHeader
        return extras.first { $0.width <= width } ?? last
    }

    /// Each op's cell of the stage column in a plan of several fused
    /// stages or a rectangular grid (`┌4×2` where a stage starts, `│`
    /// inside, `└` where it ends, `[4×2` for a one-op stage); empty for
    /// MCUNetV2's (p, n), whose one stage the `▌` marks and the sliders show.
    public static func stageCells(_ plan: PatchPlan, count: Int) -> [String] {
        guard plan.needsStageList else { return [] }
        return (0..<count).map { op in
            guard let stage = plan.fusedStage(of: op) else { return "" }
            if stage.firstOp == stage.lastOp { return "[\(stage.grid)" }
            if op == stage.firstOp { return "┌\(stage.grid)" }
            return op == stage.lastOp ? "└" : "│"
        }
    }

    /// Each op's predicted time (ms, with a clock) or instructions, and the
    /// column's header; empty without a prediction.
    public static func timeCells(_ state: AppState, count: Int) -> (cells: [String], header: String) {
        guard let prediction = state.prediction else { return ([], "") }
        var byOp: [Int: LatencyPrediction.Op] = [:]
        for op in prediction.ops { byOp[op.index] = op }
        let timed = prediction.clockHz != nil
        let cells = (0..<count).map { index -> String in
            guard let op = byOp[index] else { return "-" }
            if timed, let ms = prediction.milliseconds(of: op) {
                return formatFixed(ms, decimals: ms >= 100 ? 0 : ms >= 1 ? 1 : 2)
            }
            return formatInstructions(op.instructions)
        }
        return (cells, timed ? "ms" : "instr")
    }

    /// Short op names for narrow tables: `DEPTHWISE_CONV_2D` → `DW_CONV`.
    public static func abbreviation(_ op: String) -> String {
        switch op {
        case "CONV_2D": "CONV"
        case "DEPTHWISE_CONV_2D": "DW_CONV"
        case "FULLY_CONNECTED": "FC"
        case "AVERAGE_POOL_2D": "AVG_POOL"
        case "MAX_POOL_2D": "MAX_POOL"
        case "CONCATENATION": "CONCAT"
        case "HARD_SWISH": "H_SWISH"
        case "QUANTIZE": "QUANT"
        case "DEQUANTIZE": "DEQUANT"
        case "RESIZE_NEAREST_NEIGHBOR": "RESIZE_NN"
        case "STRIDED_SLICE": "SLICE"
        case "LOG_SOFTMAX": "LOG_SMAX"
        case "PAD folded": "PAD fold"
        default: op
        }
    }

    /// The table's rows (a PAD folded into its convs by `--fold-pad` is
    /// marked in the op column: it stores nothing), each op's live bytes in
    /// this plan, its stage and time cells, and the columns at `width`:
    /// what the screen and the report's every-layer table both show.
    static func table(_ state: AppState, width: Int)
        -> (rows: [LayerRow], live: [Int], stages: [String], times: [String], timeHeader: String, columns: Columns) {
        let plan = state.plan
        let folded = Set(plan.model.rewrite.foldedPads)
        let rows = LayerRow.rows(of: state.model, memory: plan.layerByLayer).map { row in
            var row = row
            if folded.contains(row.index) { row.op += " folded" }
            return row
        }
        let live = rows.map { $0.index < plan.liveBytes.count ? plan.liveBytes[$0.index] : $0.liveBytes }
        let stages = stageCells(plan, count: rows.count)
        let (times, timeHeader) = timeCells(state, count: rows.count)
        let columns = Self.columns(for: rows, live: live, width: width, stages: stages, times: times, timeHeader: timeHeader)
        return (rows, live, stages, times, timeHeader, columns)
    }

    public static func draw(_ state: AppState, _ window: RowWindow, into grid: inout CellGrid, rect: Rect, focused: Bool = false, exporting: Bool = false) {
        grid.box(rect, title: "Layers (\(state.model.operators.count) ops)", style: focused ? CellStyle(fg: .cyan, bold: true) : .plain)
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        let plan = state.plan
        let (rows, live, stages, times, _, columns) = table(state, width: inner.width)
        grid.text(columns.header(), x: inner.x, y: inner.y, style: .bold, clip: inner)
        let steppedOp = state.step?.snapshot?.last?.op
        for i in 0..<window.count {
            let index = window.first + i
            guard rows.indices.contains(index) else { break }
            let row = rows[index]
            let y = window.y + i
            // Ops of fused stages are marked; neighbouring stages alternate
            // ▌ and ▐ so their boundaries show.
            let stageIndex = plan.fusedStageIndex(of: row.index)
            let inStage = stageIndex != nil
            let selected = row.index == state.selectedLayer
            let stageMark = stageIndex.map { $0 % 2 == 0 ? "▌" : "▐" } ?? " "
            let first: String = exporting && selected ? "»" : row.index == steppedOp ? "▶" : stageMark
            let mark = first + (row.index == plan.peakOp ? "▲" : " ")
            let text = columns.cells(row, live: live[index], mark: mark, stage: index < stages.count ? stages[index] : "",
                                     time: index < times.count ? times[index] : "")
            var style = CellStyle.plain
            if inStage { style.fg = .cyan }
            if row.index == plan.peakOp { style.fg = .red; style.bold = true }
            if row.index == steppedOp { style.bold = true }
            if selected { style.reverse = true }
            grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), with: Cell(" ", style: style))
            grid.text(text, x: inner.x, y: y, style: style, clip: inner)
        }
    }
}
