import Foundation
import PatchTopEffects
import PatchTopUI
import XCTest

/// Issue 12, failure 7: every file PatchTop writes is written in place,
/// through symlinks, and only ever a regular file (before, a temporary
/// renamed over the path replaced a symlink, a FIFO or `/dev/full`).
final class ReportFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reportfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testASymlinkIsWrittenThroughAndKept() throws {
        try "old".write(toFile: path("target"), atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path("link"), withDestinationPath: "target")
        XCTAssertNoThrow(try ReportFile.write("new", to: path("link")).get())
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path("link")), "target")
        XCTAssertEqual(try String(contentsOfFile: path("target"), encoding: .utf8), "new")
        // A dangling link creates its target.
        try FileManager.default.createSymbolicLink(atPath: path("dangling"), withDestinationPath: "later")
        XCTAssertNoThrow(try ReportFile.write([1, 2, 3], to: path("dangling")).get())
        XCTAssertEqual(FileManager.default.contents(atPath: path("later")), Data([1, 2, 3]))
    }

    func testShorterContentsReplaceLongerOnes() throws {
        XCTAssertNoThrow(try ReportFile.write("a long first version", to: path("f")).get())
        XCTAssertNoThrow(try ReportFile.write("short", to: path("f")).get())
        XCTAssertEqual(try String(contentsOfFile: path("f"), encoding: .utf8), "short")
    }

    func testWhatIsNotARegularFileIsRefusedAndLeftAlone() throws {
        XCTAssertEqual(mkfifo(path("fifo"), 0o644), 0)
        let cases = [
            (path("fifo"), "it is a FIFO (named pipe), not a regular file"),
            (directory.path, "it is a directory, not a regular file"),
            ("/dev/null", "it is a character device, not a regular file"),
            ("/dev/full", "it is a character device, not a regular file"),
        ]
        for (target, reason) in cases {
            XCTAssertEqual(ReportFile.write("x", to: target).failureDescription, "cannot write \(target): \(reason)")
        }
        var info = stat()
        XCTAssertEqual(lstat(path("fifo"), &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
    }

    func testMessagesSayWhatIsWrong() throws {
        try FileManager.default.createSymbolicLink(atPath: path("a"), withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(atPath: path("b"), withDestinationPath: "a")
        XCTAssertEqual(ReportFile.write("x", to: path("a")).failureDescription,
                       "cannot write \(path("a")): too many levels of symbolic links (a symlink loop)")
        XCTAssertEqual(ReportFile.write("x", to: path("missing/f")).failureDescription,
                       "cannot write \(path("missing/f")): No such file or directory")
        XCTAssertEqual(ReportFile.write("x", to: "").failureDescription, "cannot write : empty path")
    }

    func testTheProfileLogFollowsTheSameRules() throws {
        XCTAssertEqual(mkfifo(path("fifo"), 0o644), 0)
        guard case .failure(let error) = ProfileLog.open(path: path("fifo")) else { return XCTFail("a FIFO was opened") }
        XCTAssertEqual(error.reason, "it is a FIFO (named pipe), not a regular file")
    }
}

private extension Result where Failure == ReportFile.WriteError {
    var failureDescription: String? {
        if case .failure(let error) = self { return error.description }
        return nil
    }
}
