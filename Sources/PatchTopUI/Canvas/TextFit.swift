/// Deliberate shortening: every text that may not fit its place is given
/// as candidates from the fullest to the shortest, and the first that fits
/// is drawn; the last resort drops whole words and ends with `…`. Nothing
/// is ever cut in the middle of a word or a number by the clip.
public enum TextFit {
    /// The first of `candidates` no wider than `width`, else the last one shortened by words.
    public static func first(_ candidates: [String], width: Int) -> String {
        if let fitting = candidates.first(where: { $0.count <= width }) { return fitting }
        return words(candidates.last ?? "", width: width)
    }

    /// `text` if it fits, else as many whole words as fit followed by `…`
    /// (empty when not even one word fits).
    public static func words(_ text: String, width: Int) -> String {
        guard text.count > width else { return text }
        guard width >= 2 else { return "" }
        var out = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let next = out.isEmpty ? String(word) : out + " " + word
            if next.count + 1 > width { break }
            out = next
        }
        while out.last == " " { out.removeLast() }
        return out.isEmpty ? "" : out + "…"
    }
}
