import Foundation
import PatchTopModel
import XCTest

/// The one line a user reads for each kind of bad input.
final class ReaderErrorTests: XCTestCase {
    private func loadError(_ path: String) -> String? {
        do {
            _ = try TFLiteReader.load(path: path)
            return nil
        } catch {
            return error.description
        }
    }

    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-\(UUID().uuidString).tflite")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testMissingFile() {
        XCTAssertEqual(loadError("/nonexistent/model.tflite"), "/nonexistent/model.tflite: no such file")
    }

    func testDirectory() {
        XCTAssertEqual(loadError("/tmp"), "/tmp: cannot be read: it is a directory")
    }

    /// Issue 12, failure 10: what is wrong, not `no such file` or
    /// `permission denied or I/O error`.
    func testSymlinksFIFOsAndDevicesSayWhatTheyAre() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.tflite").path, b = dir.appendingPathComponent("b.tflite").path
        try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: b)
        try FileManager.default.createSymbolicLink(atPath: b, withDestinationPath: a)
        XCTAssertEqual(loadError(a), "\(a): cannot be read: a symlink loop (too many levels of symbolic links)")
        let dangling = dir.appendingPathComponent("gone.tflite").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "nowhere.tflite")
        XCTAssertEqual(loadError(dangling), "\(dangling): cannot be read: a symlink to a file that does not exist")
        let fifo = dir.appendingPathComponent("pipe.tflite").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertEqual(loadError(fifo), "\(fifo): cannot be read: it is a FIFO (named pipe), not a regular file")
        XCTAssertEqual(loadError("/dev/null"), "/dev/null: cannot be read: it is a character device, not a regular file")
        let link = dir.appendingPathComponent("link.tflite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/zero")
        XCTAssertEqual(loadError(link), "\(link): cannot be read: it is a character device, not a regular file")
    }

    func testEmptyFileIsNotAModel() throws {
        let path = try temporaryFile([])
        XCTAssertEqual(loadError(path), "\(path): not a TFLite model: the file is only 0 bytes long")
    }

    func testReadingStopsAtTheLimit() throws {
        let path = try temporaryFile([UInt8](repeating: 1, count: 100))
        XCTAssertEqual(RegularFile.read(path, limit: 10), .failure(.tooLarge(bytes: 100, limit: 10)))
        XCTAssertEqual(try RegularFile.read(path).get().count, 100)
    }

    func testNotATFLiteFile() throws {
        let path = try temporaryFile(Array("hello, this is not a model".utf8))
        XCTAssertEqual(loadError(path), "\(path): not a TFLite model: missing the \"TFL3\" file identifier at byte 4")
    }

    func testTinyFile() throws {
        let path = try temporaryFile([1, 2, 3])
        XCTAssertEqual(loadError(path), "\(path): not a TFLite model: the file is only 3 bytes long")
    }

    func testTruncatedModelNamesTheMissingBytes() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.samplePath("tiny-allops"))))
        let path = try temporaryFile(Array(bytes.prefix(4000)))
        let message = try XCTUnwrap(loadError(path))
        XCTAssertTrue(message.hasPrefix("\(path): truncated or corrupt model: needs bytes "), message)
        XCTAssertTrue(message.hasSuffix("but the file has 4000"), message)
    }

    func testRootOffsetPastTheEnd() throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.samplePath("tiny-allops"))))
        bytes[0] = 0xFF; bytes[1] = 0xFF; bytes[2] = 0xFF; bytes[3] = 0x00
        XCTAssertThrowsError(try TFLiteReader.read(bytes: bytes)) { error in
            guard case .truncated = error as? ModelError else { return XCTFail("\(error)") }
        }
    }
}
