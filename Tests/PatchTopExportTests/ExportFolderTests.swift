import Foundation
import PatchTopExport
import XCTest

/// The export folder's rules: new, empty or an earlier PatchTop export;
/// never a user's file overwritten; every check before the first write.
final class ExportFolderTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = XorFixture.temporaryFolder("folder")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    @discardableResult func write(_ dir: String) throws -> [String] {
        try FirmwareProject.write(try XorFixture.library(), to: dir, target: .cortexM4)
    }

    func contents(_ dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
    }

    func testANewNestedFolderGetsTheLibraryHarnessMakefileReadmeAndManifest() throws {
        let dir = root + "/a/b/export"
        let files = try write(dir)
        for file in ["lib/patchtop_model.h", "lib/patchtop_model.c", "harness/main.c", "harness/startup.c", "harness/patchtop.ld",
                     "harness/boards/mps2-an386/board.ld", "harness/boards/mps3-an547/board.ld", "harness/pt_harness_config.h",
                     "Makefile", "README.md", "patchtop-export.json"] {
            XCTAssertTrue(files.contains(file), file)
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/\(file)"), file)
        }
        let makefile = try String(contentsOfFile: dir + "/Makefile", encoding: .utf8)
        XCTAssertTrue(makefile.contains("BOARD ?= mps2-an386"))
        XCTAssertTrue(makefile.contains("LIB_SOURCES = lib/patchtop_model.c\n"))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/patchtop-export.json"))) as? [String: Any]
        XCTAssertEqual(manifest?["format"] as? String, "patchtop-export/1")
        XCTAssertEqual(manifest?["board"] as? String, "mps2-an386")
        XCTAssertEqual(manifest?["model"] as? String, "xor-fixture")
        XCTAssertEqual((manifest?["files"] as? [String])?.contains("lib/patchtop_model.c"), true)
    }

    func testAnEmptyFolderIsUsed() throws {
        XCTAssertNoThrow(try write(root))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/Makefile"))
    }

    func testAFolderWithAnythingElseIsRefusedAndLeftAlone() throws {
        try Data("mine".utf8).write(to: URL(fileURLWithPath: root + "/Makefile"))
        XCTAssertThrowsError(try write(root)) { error in
            XCTAssertTrue("\(error)".contains("is not empty and holds no earlier PatchTop export"), "\(error)")
        }
        XCTAssertEqual(contents(root), ["Makefile"])
        XCTAssertEqual(try String(contentsOfFile: root + "/Makefile", encoding: .utf8), "mine")
    }

    func testAFileIsNotAFolder() throws {
        let file = root + "/plain"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try write(file)) { error in XCTAssertTrue("\(error)".contains("is a file, not a folder"), "\(error)") }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "x")
    }

    func testAnEarlierExportIsReplacedButTheUsersFilesStay() throws {
        try write(root)
        try Data("my notes".utf8).write(to: URL(fileURLWithPath: root + "/notes.txt"))
        try Data("my code".utf8).write(to: URL(fileURLWithPath: root + "/lib/app.c"))
        try Data("stale".utf8).write(to: URL(fileURLWithPath: root + "/harness/main.c"))
        XCTAssertNoThrow(try write(root))
        XCTAssertEqual(try String(contentsOfFile: root + "/notes.txt", encoding: .utf8), "my notes")
        XCTAssertEqual(try String(contentsOfFile: root + "/lib/app.c", encoding: .utf8), "my code")
        XCTAssertTrue(try String(contentsOfFile: root + "/harness/main.c", encoding: .utf8).contains("pt_invoke"))
        // The user's .c file is not built in: the Makefile lists the library's sources.
        XCTAssertFalse(try String(contentsOfFile: root + "/Makefile", encoding: .utf8).contains("app.c"))
    }

    func testAUserFileWhereTheExportWouldWriteIsRefusedBeforeAnyWrite() throws {
        try write(root)
        // The manifest lists what the export wrote; a later file of the
        // user's at one of the export's new paths is not in it.
        let manifestPath = root + "/patchtop-export.json"
        var manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as? [String: Any])
        manifest["files"] = (manifest["files"] as? [String] ?? []).filter { $0 != "README.md" }
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        try Data("the user's readme".utf8).write(to: URL(fileURLWithPath: root + "/README.md"))
        try Data("old".utf8).write(to: URL(fileURLWithPath: root + "/harness/main.c"))
        XCTAssertThrowsError(try write(root)) { error in
            XCTAssertTrue("\(error)".contains("README.md: exists and is not a file of the earlier PatchTop export"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: root + "/README.md", encoding: .utf8), "the user's readme")
        XCTAssertEqual(try String(contentsOfFile: root + "/harness/main.c", encoding: .utf8), "old")
    }

    func testAManifestThatIsNotPatchTopsIsRefused() throws {
        try Data("{\"files\": [\"Makefile\"]}".utf8).write(to: URL(fileURLWithPath: root + "/patchtop-export.json"))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: root + "/Makefile"))
        XCTAssertThrowsError(try write(root)) { error in
            XCTAssertTrue("\(error)".contains("is not a PatchTop export manifest"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: root + "/Makefile", encoding: .utf8), "mine")
    }

    func testAStaleFileOfTheEarlierExportIsRemoved() throws {
        try write(root)
        let manifestPath = root + "/patchtop-export.json"
        var manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as? [String: Any])
        manifest["files"] = (manifest["files"] as? [String] ?? []) + ["lib/pt_old.c", "../outside.c"]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        try Data("old kernel".utf8).write(to: URL(fileURLWithPath: root + "/lib/pt_old.c"))
        let outside = (root as NSString).deletingLastPathComponent + "/outside.c"
        try Data("not ours".utf8).write(to: URL(fileURLWithPath: outside))
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try write(root)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/lib/pt_old.c"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside))
    }

    func testAFileWhereTheExportNeedsAFolderIsRefused() throws {
        try write(root)
        try FileManager.default.removeItem(atPath: root + "/harness")
        try Data("a file".utf8).write(to: URL(fileURLWithPath: root + "/harness"))
        XCTAssertThrowsError(try write(root)) { error in XCTAssertTrue("\(error)".contains("is a file where the export needs a folder"), "\(error)") }
        XCTAssertEqual(try String(contentsOfFile: root + "/harness", encoding: .utf8), "a file")
    }
}
