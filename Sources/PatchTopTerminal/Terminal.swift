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
public final class Terminal {
    private var previous: CellGrid?
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
        var code: Int32 = 0
        let r = pt_get_key(&code)
        if r == ERR { return nil }
        if r == pt_key_code_yes() {
            switch code {
            case pt_key_resize():
                previous = nil
                let s = size
                return .resize(width: s.width, height: s.height)
            case pt_key_mouse():
                var x: Int32 = 0, y: Int32 = 0
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
            default: return nil
            }
        }
        switch code {
        case 27: return escape()
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 3: return .key(.char("q")) // Ctrl-C in raw mode
        default:
            guard let scalar = Unicode.Scalar(UInt32(bitPattern: code)) else { return nil }
            return .key(.char(Character(scalar)))
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
                if r == ERR || r == pt_key_code_yes() { break }
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
            if r != ERR, r != pt_key_code_yes() { following.append(UInt32(bitPattern: code)) }
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

    /// Runs the Elm loop until the state asks to quit; the terminal is restored on return.
    ///
    /// Input is read with a short timeout, so messages that effects post
    /// from other threads (finished background runs) are handled between
    /// key presses and a run never blocks input. The screen is redrawn only
    /// after a message; with `profile`, each of those frames is timed.
    public static func run(_ initial: AppState, effects: EffectHandler, profile: ProfileLog? = nil) throws(TerminalError) -> AppState {
        let terminal = try Terminal()
        defer {
            effects.stop()
            terminal.close()
        }
        var state = initial
        let clock = ContinuousClock()
        var dirty = true
        var pending: [Message] = []
        func dispatch(_ message: Message) {
            let start = clock.now
            let (next, requested) = updateWithEffects(state, message)
            state = next
            effects.perform(requested, in: state)
            let updated = clock.now
            let grid = Screen.render(state, width: state.width, height: state.height)
            let rendered = clock.now
            terminal.draw(grid)
            dirty = false
            if let profile {
                let drawn = clock.now
                profile.log("frame \(Self.label(message)) update \(ProfileLog.ms((updated - start).milliseconds)) ms render \(ProfileLog.ms((rendered - updated).milliseconds)) ms draw \(ProfileLog.ms((drawn - rendered).milliseconds)) ms")
            }
        }
        let s = terminal.size
        pending = [.resize(width: s.width, height: s.height), .start]
        while !state.shouldQuit {
            pending += effects.inbox.drain()
            if pending.isEmpty {
                if dirty { terminal.draw(Screen.render(state, width: state.width, height: state.height)); dirty = false }
                if let message = terminal.nextMessage() { pending.append(message) }
                continue
            }
            let message = pending.removeFirst()
            dispatch(message)
        }
        return state
    }

    /// `key(P)`, `resize`, `runFinished` in profile lines.
    static func label(_ message: Message) -> String {
        switch message {
        case .key(.char(let c)): "key(\(c == " " ? "Space" : String(c)))"
        case .key(let key): "key(\(key))"
        case .resize: "resize"
        case .runFinished: "runFinished"
        case .stepped: "stepped"
        default: "\(message)".prefix { $0 != "(" }.description
        }
    }
}
