import Foundation
import XCTest

/// `patchtop export`'s errors: each one line, a non-zero status, and
/// nothing written.
extension BinaryTests {
    /// Runs the binary with PATH limited to `path` (the folders given).
    func runExport(_ arguments: [String], path: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary)
        process.arguments = ["export"] + arguments
        process.currentDirectoryURL = Self.root
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = path
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testExportWithoutTheArmToolchainNamesTheDebianPackages() throws {
        // A PATH with make and cc but no Arm compiler or QEMU.
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        for tool in ["make", "cc"] {
            let found = ["/usr/bin/\(tool)", "/bin/\(tool)", "/usr/local/bin/\(tool)"].first { FileManager.default.isExecutableFile(atPath: $0) }
            if let found { try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: found) }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-export-\(UUID().uuidString)").path
        for target in ["cortex-m4", "cortex-m7"] {
            let result = try runExport(["--target", target, "-o", dir, "--verify"], path: bin.path)
            XCTAssertEqual(result.status, 1)
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "nothing is written when the verification cannot run")
        }
    }

    func testExportFlagsThatNeedVerifyAreUsageErrors() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for flags in [["--per-op"], ["--output-dir", "/tmp/x"], ["--input", "/tmp/x"]] {
            let result = try runExport(["--target", "cortex-m4", "-o", "/tmp/patchtop-never"] + flags, path: path)
            XCTAssertEqual(result.status, 64, result.stderr)
            XCTAssertTrue(result.stderr.contains("goes with --verify"), result.stderr)
        }
        let host = try runExport(["--target", "host", "-o", "/tmp/patchtop-never", "--verify", "--per-op"], path: path)
        XCTAssertEqual(host.status, 64)
        XCTAssertTrue(host.stderr.contains("--per-op counts instructions on a Cortex-M target"), host.stderr)
        let unknown = try runExport(["--target", "cortex-m3", "-o", "/tmp/patchtop-never"], path: path)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("cortex-m4"), unknown.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/patchtop-never"))
    }
}
