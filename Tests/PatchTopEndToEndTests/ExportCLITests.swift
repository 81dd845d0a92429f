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

    func testExportNeverWritesIntoAFolderOfTheUsers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-users-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("mine".utf8).write(to: dir.appendingPathComponent("Makefile"))
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let result = try runExport(["--target", "host", "-o", dir.path], path: path)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "patchtop: \(dir.path): is not empty and holds no earlier PatchTop export (patchtop-export.json): give a new or empty folder\n")
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("Makefile"), encoding: .utf8), "mine")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["Makefile"])
        let file = dir.appendingPathComponent("Makefile").path
        let onFile = try runExport(["--target", "host", "-o", file], path: path)
        XCTAssertEqual(onFile.stderr, "patchtop: \(file): is a file, not a folder: the export writes a folder\n")
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

    /// The whole command on QEMU's M4: verified, the firmware's outputs
    /// written like `run --output-dir` writes the runtime's, and a second
    /// export into the same folder (an earlier export) allowed.
    func testExportVerifiesOnCortexM4AndWritesTheFirmwaresOutputs() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for tool in ["arm-none-eabi-gcc", "qemu-system-arm", "make", "cc"] {
            let found = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
            if !found { throw XCTSkip("\(tool) is not installed: install gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm") }
        }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let dir = base.appendingPathComponent("export").path, firmware = base.appendingPathComponent("fw").path
        let runtime = base.appendingPathComponent("rt").path
        let model = "SampleModels/tiny-allops.tflite"
        for _ in 0..<2 {
            let result = try shell(try binary, ["export", model, "--target", "cortex-m4", "-o", dir, "--verify", "--output-dir", firmware, "--json"])
            if result.stderr.contains("no C emitter yet") { throw XCTSkip("this build has no C emitter yet (the firmware branch's)") }
            XCTAssertEqual(result.status, 0, result.stderr)
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let verification = try XCTUnwrap(json["verification"] as? [String: Any])
            XCTAssertEqual(verification["identical"] as? Bool, true)
            XCTAssertEqual(verification["board"] as? String, "mps2-an386")
            XCTAssertEqual(verification["arenaBytes"] as? Int, verification["plannedArenaBytes"] as? Int)
            XCTAssertGreaterThan(verification["instructions"] as? Int ?? 0, 0)
        }
        XCTAssertEqual(try shell(try binary, ["run", model, "--output-dir", runtime]).status, 0)
        let outputs = try FileManager.default.contentsOfDirectory(atPath: runtime).sorted()
        XCTAssertFalse(outputs.isEmpty)
        for name in outputs {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(firmware)/\(name)")), try Data(contentsOf: URL(fileURLWithPath: "\(runtime)/\(name)")), name)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/build/mps2-an386/patchtop_fw.elf"), "the .elf stays in the export folder")
    }
}
