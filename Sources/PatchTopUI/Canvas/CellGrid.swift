/// Terminal colours a view may ask for; the backend maps them (or drops them under NO_COLOR).
public enum TermColor: Int, Equatable, Hashable, Sendable, CaseIterable {
    case `default` = -1, black = 0, red, green, yellow, blue, magenta, cyan, white
}

/// How a cell is drawn.
public struct CellStyle: Equatable, Hashable, Sendable {
    public var fg: TermColor
    public var bg: TermColor
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool
    public init(fg: TermColor = .default, bg: TermColor = .default, bold: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.reverse = reverse; self.dim = dim
    }
    public static let plain = CellStyle()
    public static let bold = CellStyle(bold: true)
    public static let reverse = CellStyle(reverse: true)
    public static let dim = CellStyle(dim: true)
}

/// One character cell of the screen.
public struct Cell: Equatable, Hashable, Sendable {
    public var character: Character
    public var style: CellStyle
    public init(_ character: Character = " ", style: CellStyle = .plain) {
        self.character = character; self.style = style
    }
    public static let blank = Cell()
}

/// A rectangle in cell coordinates; never negative in size.
public struct Rect: Equatable, Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var maxX: Int { saturatingAdd(x, width) }
    public var maxY: Int { saturatingAdd(y, height) }
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// Shrinks by `by` cells on each side (saturating at empty).
    public func inset(_ by: Int) -> Rect {
        let twice = saturatingAdd(by, by)
        return Rect(x: saturatingAdd(x, by), y: saturatingAdd(y, by), width: saturatingAdd(width, 0 &- twice), height: saturatingAdd(height, 0 &- twice))
    }
    public func intersection(_ other: Rect) -> Rect {
        let x0 = Swift.max(x, other.x), y0 = Swift.max(y, other.y)
        let x1 = Swift.min(maxX, other.maxX), y1 = Swift.min(maxY, other.maxY)
        return Rect(x: x0, y: y0, width: x1 < x0 ? 0 : x1 - x0, height: y1 < y0 ? 0 : y1 - y0)
    }
}

/// A width × height buffer of cells that views draw into. Every drawing call
/// clips to the grid and to an optional rect, and never traps on any input.
public struct CellGrid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Every text a `text` call could not write whole (it ran past its
    /// clip). Views shorten text deliberately (`TextFit`) before drawing
    /// it, so the tests check that this stays empty: nothing cut mid-word.
    public private(set) var cutTexts: [String] = []

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = Swift.min(Swift.max(0, width), 4096)
        self.height = Swift.min(Swift.max(0, height), 4096)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { (x >= 0 && y >= 0 && x < width && y < height) ? cells[y * width + x] : .blank }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from (x, y) to the right, clipped to `clip` (default: the grid).
    /// Returns the number of cells written.
    @discardableResult
    public mutating func text(_ text: String, x: Int, y: Int, style: CellStyle = .plain, clip: Rect? = nil) -> Int {
        let area = (clip ?? bounds).intersection(bounds)
        guard y >= area.y, y < area.maxY else { return 0 }
        var cx = x
        var written = 0
        if x < area.x { cutTexts.append(text) }
        for ch in text {
            if cx >= area.maxX { cutTexts.append(text); break }
            if cx >= area.x { self[cx, y] = Cell(ch, style: style); written += 1 }
            if cx == Int.max { break }
            cx += 1
        }
        return written
    }

    /// Fills `rect` (clipped) with `cell`.
    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        for y in area.y..<area.maxY { for x in area.x..<area.maxX { self[x, y] = cell } }
    }

    /// Changes the style of every cell in `rect` (clipped), keeping characters.
    public mutating func style(_ rect: Rect, _ transform: (inout CellStyle) -> Void) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        for y in area.y..<area.maxY { for x in area.x..<area.maxX { transform(&cells[y * width + x].style) } }
    }

    /// A box border around `rect` with an optional title on the top edge.
    public mutating func box(_ rect: Rect, title: String = "", style: CellStyle = .plain) {
        guard rect.width >= 2, rect.height >= 2, rect.maxX > rect.x, rect.maxY > rect.y else { return }
        let x1 = rect.maxX - 1, y1 = rect.maxY - 1
        let visible = rect.intersection(bounds)
        guard !visible.isEmpty else { return }
        for x in visible.x..<visible.maxX { self[x, rect.y] = Cell("─", style: style); self[x, y1] = Cell("─", style: style) }
        for y in visible.y..<visible.maxY { self[rect.x, y] = Cell("│", style: style); self[x1, y] = Cell("│", style: style) }
        self[rect.x, rect.y] = Cell("┌", style: style); self[x1, rect.y] = Cell("┐", style: style)
        self[rect.x, y1] = Cell("└", style: style); self[x1, y1] = Cell("┘", style: style)
        if !title.isEmpty {
            let fitted = TextFit.words(title, width: max(0, rect.width - 6))
            if !fitted.isEmpty {
                text(" \(fitted) ", x: saturatingAdd(rect.x, 2), y: rect.y, style: CellStyle(fg: style.fg, bold: true), clip: Rect(x: rect.x, y: rect.y, width: rect.width - 1, height: 1))
            }
        }
    }

    /// The grid as plain text, one string per row, trailing spaces trimmed.
    public func lines(trimTrailing: Bool = true) -> [String] {
        (0..<height).map { y in
            var s = String(cells[(y * width)..<(y * width + width)].map(\.character))
            if trimTrailing { while s.last == " " { s.removeLast() } }
            return s
        }
    }
}

/// Pads or truncates `text` to exactly `width` characters.
public func fit(_ text: String, _ width: Int, right: Bool = false) -> String {
    let w = max(0, width)
    if text.count >= w { return String(text.prefix(w)) }
    let pad = String(repeating: " ", count: w - text.count)
    return right ? pad + text : text + pad
}

/// `a + b`, clamped to Int.min…Int.max instead of trapping.
public func saturatingAdd(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b > 0 ? Int.max : Int.min) : r
}
