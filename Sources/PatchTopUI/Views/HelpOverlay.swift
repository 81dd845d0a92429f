import PatchTopModel
import PatchTopPlan

/// The `?` overlay, generated from `keyBindings`.
public enum HelpOverlay {
    public static func lines() -> [String] {
        keyBindings.map { fit($0.keys, 14) + $0.help }
    }

    public static func draw(into grid: inout CellGrid, rect: Rect) {
        let body = lines()
        let w = min(rect.width, (body.map(\.count).max() ?? 0) + 4)
        let h = min(rect.height, body.count + 2)
        let box = Rect(x: rect.x + (rect.width - w) / 2, y: rect.y + (rect.height - h) / 2, width: w, height: h)
        grid.fill(box)
        grid.box(box, title: "Help", style: CellStyle(fg: .cyan, bold: true))
        for (i, line) in body.enumerated() {
            grid.text(line, x: box.x + 2, y: box.y + 1 + i, clip: box.inset(1))
        }
    }
}
