@testable import PatchTopTerminal
import XCTest

/// Issue 12, failure 9: only a lone Esc quits; what terminals send after an
/// ESC for Alt+key, pastes, mouse reports and SS3 keys is dropped whole.
final class EscapeSequenceTests: XCTestCase {
    private func classify(_ text: String) -> EscapeSequence {
        EscapeSequence.classify(text.unicodeScalars.map(\.value))
    }

    func testALoneEscapeQuits() {
        XCTAssertEqual(classify(""), .escape)
    }

    func testAltKeysAreOneCharacter() {
        XCTAssertEqual(classify("j"), .ignored(length: 1))
        XCTAssertEqual(classify("qq"), .ignored(length: 1), "Alt+q, then q pressed on its own")
        XCTAssertEqual(classify("\u{1B}"), .ignored(length: 1))
    }

    func testSequencesAreDroppedWhole() {
        XCTAssertEqual(classify("[<0;12;5M"), .ignored(length: 9), "SGR mouse press")
        XCTAssertEqual(classify("[<64;3;4m"), .ignored(length: 9), "SGR wheel release")
        XCTAssertEqual(classify("Ox"), .ignored(length: 2), "SS3")
        XCTAssertEqual(classify("[15;5~q"), .ignored(length: 6), "Ctrl+F5, then q")
        XCTAssertEqual(classify("]11;rgb:0/0/0\u{07}"), .ignored(length: 14), "an OSC reply")
        XCTAssertEqual(classify("]11;x\u{1B}\\"), .ignored(length: 7), "an OSC ended by ST")
    }

    func testBracketedPasteIsDroppedUpToItsEnd() {
        let paste = "[200~quit now\u{1B}[201~"
        XCTAssertEqual(classify(paste), .ignored(length: paste.unicodeScalars.count))
        XCTAssertEqual(classify("[200~q"), .incomplete, "a paste still arriving")
        XCTAssertEqual(classify("[1;5"), .incomplete)
        XCTAssertEqual(classify("O"), .incomplete)
    }
}
