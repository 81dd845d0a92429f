import PatchTopModel
import PatchTopPlan

/// The `?` overlay, generated from `keyBindings` (one line per labelled binding).
public enum HelpOverlay {
    public static func lines() -> [String] {
        let labelWidth = (keyBindings.map(\.label.count).max() ?? 0) + 2
        return keyBindings.filter { !$0.label.isEmpty }.map { fit($0.label, labelWidth) + $0.help }
    }

    public static func draw(into grid: inout CellGrid, rect: Rect) {
        let body = lines()
        let w = min(rect.width, (body.map(\.count).max() ?? 0) + 4)
        let h = min(rect.height, body.count + 2)
        let box = Rect(x: rect.x + (rect.width - w) / 2, y: rect.y + (rect.height - h) / 2, width: w, height: h)
        grid.fill(box)
        grid.box(box, title: "Help", style: CellStyle(fg: .cyan, bold: true))
        let inner = box.inset(1)
        let shown = body.count <= inner.height ? body : Array(body.prefix(max(0, inner.height - 1))) + ["… \(body.count - inner.height + 1) more: enlarge the terminal"]
        for (i, line) in shown.enumerated() {
            grid.text(TextFit.words(line, width: inner.width - 2), x: box.x + 2, y: box.y + 1 + i)
        }
    }
}
