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
