import CNCurses
import Foundation
import PatchTopUI

/// Why the terminal could not be opened.
public enum TerminalError: Error, CustomStringConvertible {
    case notATerminal
    case unknownTerminal(String)

    public var description: String {
        switch self {
        case .notATerminal: "the TUI needs a terminal on standard input and output (try `patchtop report`)"
        case .unknownTerminal(let term): "cannot open terminal \"\(term)\" (unknown TERM?)"
        }
    }
}

/// The only code that talks to ncurses: opens the screen, draws the cells
/// that changed since the last frame, turns keys into messages, and puts
/// the terminal back however the loop ends.
public final class Terminal: Backend {
    private var previous: CellGrid?
    /// Function keys and resizes read while an ESC was being classified:
    /// handed out before anything new is read, never dropped (a resize
    /// right after Esc once left the old layout clipped).
    private var pending: [Message] = []
    private let useColor: Bool
    private var open = false

    public init() throws(TerminalError) {
        guard pt_isatty() != 0 else { throw .notATerminal }
        pt_setlocale()
        guard pt_newterm() != nil else {
            throw .unknownTerminal(ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        open = true
        CrashRestore.install(crashLog: Backtracer.crashLog)
        raw()
        noecho()
        keypad(pt_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        // Wake up every 30 ms without input, so background run results are drawn promptly.
        wtimeout(pt_stdscr(), Self.pollMilliseconds)
        pt_enable_mouse()
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        var color = false
        if !noColor, has_colors() {
            start_color()
            use_default_colors()
            if pt_color_pairs() > 81 {
                for fg in TermColor.allCases { for bg in TermColor.allCases {
                    init_pair(Int16(Self.pair(fg, bg)), Int16(fg.rawValue), Int16(bg.rawValue))
                } }
                color = true
            }
        }
        useColor = color
    }

    deinit { close() }

    /// Restores the terminal; safe to call twice.
    public func close() {
        if open { endwin(); open = false }
    }

    public var size: (width: Int, height: Int) { (Int(pt_cols()), Int(pt_lines())) }

    static func pair(_ fg: TermColor, _ bg: TermColor) -> Int { (fg.rawValue + 1) * 9 + (bg.rawValue + 1) + 1 }

    /// Draws only the cells that differ from the last frame.
    public func draw(_ grid: CellGrid) {
        let full = previous.map { $0.width != grid.width || $0.height != grid.height } ?? true
        if full { erase() }
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if !full, let previous, previous[x, y] == cell { continue }
                var attrs = pt_a_normal()
                if cell.style.bold { attrs |= pt_a_bold() }
                if cell.style.reverse { attrs |= pt_a_reverse() }
                if cell.style.dim { attrs |= pt_a_dim() }
                let pair = useColor ? Int16(Self.pair(cell.style.fg, cell.style.bg)) : 0
                var chars = cell.character.unicodeScalars.prefix(4).map { wchar_t(bitPattern: $0.value) }
                chars.append(0)
                _ = pt_put_cell(Int32(y), Int32(x), chars, attrs, pair)
            }
        }
        previous = grid
        refresh()
    }

    /// How long `nextMessage` waits for input before returning `nil`.
    static let pollMilliseconds: Int32 = 30

    /// Waits up to `pollMilliseconds` for the next input event.
    public func nextMessage() -> Message? {
        if !pending.isEmpty { return pending.removeFirst() }
        var code: Int32 = 0
        let r = pt_get_key(&code)
        if r == ERR { return nil }
        if r == pt_key_code_yes() { return functionKey(code) }
        switch code {
        case 27: return escape()
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 8, 127: return .key(.backspace)
        case 3: return .key(.char("q")) // Ctrl-C in raw mode
        default:
            guard let scalar = Unicode.Scalar(UInt32(bitPattern: code)) else { return nil }
            return .key(.char(Character(scalar)))
        }
    }

    /// The message of a function key, a resize or a mouse event.
    private func functionKey(_ code: Int32) -> Message? {
        switch code {
        case pt_key_resize():
            previous = nil
            let s = size
            return .resize(width: s.width, height: s.height)
        case pt_key_mouse():
            var x: Int32 = 0, y: Int32 = 0
            // A press selects; its release (4) is no second click.
            switch pt_get_mouse(&x, &y) {
            case 1: return .mouseClick(x: Int(x), y: Int(y))
            case 2: return .mouseWheel(up: true)
            case 3: return .mouseWheel(up: false)
            default: return nil
            }
        case pt_key_up(): return .key(.up)
        case pt_key_down(): return .key(.down)
        case pt_key_left(): return .key(.left)
        case pt_key_right(): return .key(.right)
        case pt_key_ppage(): return .key(.pageUp)
        case pt_key_npage(): return .key(.pageDown)
        case pt_key_home(): return .key(.home)
        case pt_key_end(): return .key(.end)
        case pt_key_btab(): return .key(.backTab)
        case pt_key_enter(): return .key(.enter)
        case pt_key_backspace(): return .key(.backspace)
        default: return nil
        }
    }

    /// Esc alone, or nothing for an Alt+key or an escape sequence this UI
    /// does not use (see `EscapeSequence`): only the characters that were
    /// already waiting belong to the ESC; a paste in progress is read to its
    /// end (for at most a second).
    private func escape() -> Message? {
        var following: [UInt32] = []
        wtimeout(pt_stdscr(), 0)
        defer { wtimeout(pt_stdscr(), Self.pollMilliseconds) }
        func readWaiting() {
            var code: Int32 = 0
            while following.count < 1 << 16 {
                let r = pt_get_key(&code)
                if r == ERR { break }
                if r == pt_key_code_yes() {
                    // A resize (or a key ncurses decoded) ends the sequence; keep it for the loop.
                    if let message = functionKey(code) { pending.append(message) }
                    break
                }
                following.append(UInt32(bitPattern: code))
            }
        }
        readWaiting()
        let deadline = ContinuousClock.now + .seconds(1)
        var verdict = EscapeSequence.classify(following)
        while verdict == .incomplete, ContinuousClock.now < deadline, following.count < 1 << 16 {
            wtimeout(pt_stdscr(), 20)
            var code: Int32 = 0
            let r = pt_get_key(&code)
            wtimeout(pt_stdscr(), 0)
            if r == pt_key_code_yes() {
                if let message = functionKey(code) { pending.append(message) }
            } else if r != ERR {
                following.append(UInt32(bitPattern: code))
            }
            readWaiting()
            verdict = EscapeSequence.classify(following)
        }
        switch verdict {
        case .escape:
            return .key(.escape)
        case .incomplete:
            return nil
        case .ignored(let length):
            // Whatever came after the sequence is ordinary input: hand it back.
            for code in following[min(length, following.count)...].reversed() {
                _ = unget_wch(wchar_t(bitPattern: code))
            }
            return nil
        }
    }
}
