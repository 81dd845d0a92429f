import PatchTopModel
import PatchTopPlan

/// The `?` overlay, generated from `keyBindings` (one line per labelled binding).
public enum HelpOverlay {
    public static func lines() -> [String] {
        let labelWidth = (keyBindings.map(\.label.count).max() ?? 0) + 2
        return keyBindings.filter { !$0.label.isEmpty }.map { fit($0.label, labelWidth) + $0.help }
    }

    /// The first line shown when the overlay starts at `top` in a box of
    /// `rows` rows of lines: pages of `rows - 1` lines (one row says what
    /// is above or below), clamped so the last page is full.
    public static func first(top: Int, rows: Int, count: Int) -> Int {
        guard count > rows, rows > 1 else { return 0 }
        return max(0, min(top, count - (rows - 1)))
    }

    /// The rows of lines the overlay has inside `rect`.
    public static func rows(in rect: Rect) -> Int { max(0, min(rect.height, lines().count + 2) - 2) }

    public static func draw(into grid: inout CellGrid, rect: Rect, top: Int = 0) {
        let body = lines()
        let w = min(rect.width, (body.map(\.count).max() ?? 0) + 4)
        let h = min(rect.height, body.count + 2)
        let box = Rect(x: rect.x + (rect.width - w) / 2, y: rect.y + (rect.height - h) / 2, width: w, height: h)
        grid.fill(box)
        grid.box(box, title: "Help", style: CellStyle(fg: .cyan, bold: true))
        let inner = box.inset(1)
        // Too short for every key: a page at a time (↓ ↑ move it), the last row saying what is left.
        let start = first(top: top, rows: inner.height, count: body.count)
        let shown: [String]
        if body.count <= inner.height {
            shown = body
        } else {
            let page = Array(body[start..<min(body.count, start + max(0, inner.height - 1))])
            let below = body.count - start - page.count
            shown = page + [below > 0 ? "… \(below) more: ↓ next page (or enlarge the terminal)" : "↑ back to the first keys"]
        }
        for (i, line) in shown.enumerated() {
            grid.text(TextFit.words(line, width: inner.width - 2), x: box.x + 2, y: box.y + 1 + i)
        }
    }
}
