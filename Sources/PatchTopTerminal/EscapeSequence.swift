/// What the characters after an ESC mean, so that only a lone Esc quits.
///
/// Terminals send Alt+key as ESC then the key, and many sequences ncurses
/// does not translate arrive as ESC followed by their bytes: bracketed
/// paste (`ESC [200~ … ESC [201~`), SGR mouse reports (`ESC [<0;12;5M`),
/// SS3 keys (`ESC O x`), OSC replies (`ESC ] … BEL`). Read as separate
/// keys, their first ESC would quit and their tail would press keys. This
/// classifies the characters that were already waiting when the ESC was
/// read: none means the user pressed Esc.
enum EscapeSequence: Equatable {
    /// Esc on its own.
    case escape
    /// An Alt+key or a sequence of `length` characters after the ESC, to
    /// be dropped; anything after them is ordinary input.
    case ignored(length: Int)
    /// A sequence that has started but not ended (a paste in progress):
    /// read more before deciding.
    case incomplete

    static let esc: UInt32 = 27
    static let pasteStart: [UInt32] = Array("[200~".unicodeScalars.map(\.value))
    static let pasteEnd: [UInt32] = [esc] + Array("[201~".unicodeScalars.map(\.value))

    /// Classifies `following`, the characters read right after an ESC.
    static func classify(_ following: [UInt32]) -> EscapeSequence {
        guard let first = following.first else { return .escape }
        switch first {
        case 0x5B:   // "[": CSI, parameters 0x30–0x3F, intermediates 0x20–0x2F, a final 0x40–0x7E
            if following.starts(with: pasteStart) {
                guard let end = index(of: pasteEnd, in: following) else { return .incomplete }
                return .ignored(length: end + pasteEnd.count)
            }
            for (i, c) in following.enumerated().dropFirst() {
                if (0x40...0x7E).contains(c) { return .ignored(length: i + 1) }
                if !(0x20...0x3F).contains(c) { return .ignored(length: i) }   // malformed: drop what came
            }
            return .incomplete
        case 0x4F:   // "O": SS3, one more character
            return following.count >= 2 ? .ignored(length: 2) : .incomplete
        case 0x5D, 0x50, 0x5F, 0x5E:   // "]" OSC, "P" DCS, "_" APC, "^" PM: up to BEL or ESC \
            for (i, c) in following.enumerated().dropFirst() {
                if c == 7 { return .ignored(length: i + 1) }
                if c == esc, i + 1 < following.count, following[i + 1] == 0x5C { return .ignored(length: i + 2) }
            }
            return .incomplete
        case esc:
            // ESC ESC: Alt+Esc, or an Esc pressed twice quickly; nothing to quit on.
            return .ignored(length: 1)
        default:
            return .ignored(length: 1)   // Alt+key
        }
    }

    private static func index(of needle: [UInt32], in haystack: [UInt32]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
