import PatchTopModel
import PatchTopPlan

/// The table of ops: stage ops marked `▌`, the peak op `▲`, the op step
/// mode just executed `▶`, the selected row reversed.
///
/// At 120 columns every column shows; narrower, whole columns are dropped
/// (output bytes, then kernel) and op names and shapes abbreviated, so a
/// row is never cut in the middle of a number.
public enum LayersView {
    /// One way to lay the table out; `columns(fitting:)` picks the widest that fits.
    public struct Columns: Equatable, Sendable {
        public var opWidth: Int
        public var abbreviate: Bool
        public var kernel: Bool
        public var shapeWidth: Int
        public var outputBytes: Bool
        public var liveWidth: Int
        public var macs: Bool
        /// Wider gaps and number columns, when there is room (120 columns).
        public var spacious = false

        var gap: Int { spacious ? 2 : 1 }
        var macsWidth: Int { spacious ? 10 : 7 }

        /// Cells one row takes.
        public var width: Int {
            2 + 3 + gap + opWidth + (kernel ? 7 : 0) + 1 + shapeWidth + (outputBytes ? 9 : 0) + 1 + liveWidth + (macs ? 1 + macsWidth : 0)
        }

        static let full = Columns(opWidth: 17, abbreviate: false, kernel: true, shapeWidth: 13, outputBytes: true, liveWidth: 10, macs: true, spacious: true)
        static let medium = Columns(opWidth: 17, abbreviate: false, kernel: true, shapeWidth: 13, outputBytes: false, liveWidth: 8, macs: true)
        static let compact = Columns(opWidth: 8, abbreviate: true, kernel: true, shapeWidth: 10, outputBytes: false, liveWidth: 7, macs: true)
        static let narrow = Columns(opWidth: 8, abbreviate: true, kernel: false, shapeWidth: 10, outputBytes: false, liveWidth: 7, macs: true)
        static let tiny = Columns(opWidth: 8, abbreviate: true, kernel: false, shapeWidth: 0, outputBytes: false, liveWidth: 7, macs: false)

        /// The richest layout no wider than `width` cells.
        public static func fitting(_ width: Int) -> Columns {
            [full, medium, compact, narrow].first { $0.width <= width } ?? tiny
        }

        public func header() -> String {
            var text = "  " + fit("#", 3, right: true) + String(repeating: " ", count: gap) + fit("op", opWidth)
            if kernel { text += " " + fit("kernel", 6) }
            if shapeWidth > 0 { text += " " + fit("output", shapeWidth) }
            if outputBytes { text += fit("out B", 9, right: true) }
            text += " " + fit(liveWidth >= 8 ? "live KiB" : "KiB", liveWidth, right: true)
            if macs { text += " " + fit("MACs", macsWidth, right: true) }
            return text
        }

        public func cells(_ row: LayerRow, live: Int, mark: String) -> String {
            var text = mark + fit("\(row.index)", 3, right: true) + String(repeating: " ", count: gap) + fit(abbreviate ? LayersView.abbreviation(row.op) : row.op, opWidth)
            if kernel { text += " " + fit(row.kernel, 6) }
            if shapeWidth > 0 {
                let shape = abbreviate && row.outputShape.count == 4 && row.outputShape[0] == 1 ? row.outputShape.dropFirst().map(String.init).joined(separator: "×") : row.shapeText
                text += " " + fit(shape, shapeWidth)
            }
            if outputBytes { text += fit(formatCount(row.outputBytes), 9, right: true) }
            text += " " + fit(kib(live), liveWidth, right: true)
            if macs { text += " " + fit(formatMACs(row.macs), macsWidth, right: true) }
            return text
        }
    }

    /// The header at the full width (the 120-column table).
    public static let header = Columns.full.header()

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
        default: op
        }
    }

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect, focused: Bool = false) {
        grid.box(rect, title: "Layers (\(state.model.operators.count) ops)", style: focused ? CellStyle(fg: .cyan, bold: true) : .plain)
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        let columns = Columns.fitting(inner.width)
        grid.text(columns.header(), x: inner.x, y: inner.y, style: .bold, clip: inner)
        let rows = LayerRow.rows(of: state.model, memory: state.plan.layerByLayer)
        let visible = inner.height - 1
        let start = scrollOffset(selected: state.selectedLayer, count: rows.count, visible: visible)
        let plan = state.plan
        let steppedOp = state.step?.snapshot?.last?.op
        for (i, row) in rows.dropFirst(start).prefix(max(0, visible)).enumerated() {
            let y = inner.y + 1 + i
            let inStage = plan.isPatched && row.index < plan.patchLayers
            let live = row.index < plan.liveBytes.count ? plan.liveBytes[row.index] : row.liveBytes
            let mark = (row.index == steppedOp ? "▶" : inStage ? "▌" : " ") + (row.index == plan.peakOp ? "▲" : " ")
            let text = columns.cells(row, live: live, mark: mark)
            var style = CellStyle.plain
            if inStage { style.fg = .cyan }
            if row.index == plan.peakOp { style.fg = .red; style.bold = true }
            if row.index == steppedOp { style.bold = true }
            if row.index == state.selectedLayer { style.reverse = true }
            grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), with: Cell(" ", style: style))
            grid.text(text, x: inner.x, y: y, style: style, clip: inner)
        }
    }
}
