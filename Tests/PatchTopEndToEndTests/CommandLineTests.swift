import ArgumentParser
@testable import patchtop
import XCTest

/// The command line's conventions (issue 12), checked in-process: bad
/// values are the parser's usage errors with a message naming the option,
/// `bench` validates `-p`/`-n` like `plan`, and `--version` answers.
final class CommandLineTests: XCTestCase {
    private func message(_ arguments: [String]) -> String? {
        do {
            var command = try PatchTop.parseAsRoot(arguments)
            try command.validate()
            return nil
        } catch {
            return PatchTop.message(for: error)
        }
    }

    private func exitCode(_ arguments: [String]) -> Int32 {
        do {
            _ = try PatchTop.parseAsRoot(arguments)
            return 0
        } catch {
            return PatchTop.exitCode(for: error).rawValue
        }
    }

    func testVersion() {
        XCTAssertEqual(message(["--version"]), patchTopVersion)
        XCTAssertEqual(exitCode(["--version"]), 0)
    }

    func testBadNumbersAreUsageErrors() {
        // -p 0, like -p 50, is out of the model's range: refused once the model is read (exit 1, see CLIEdgeTests).
        XCTAssertNil(message(["bench", "-p", "0"]))
        XCTAssertEqual(message(["bench", "-n=-2"]), "-n -2 is out of range: the stage has 0 or more ops")
        XCTAssertNil(message(["plan", "-p", "0"]))
        XCTAssertEqual(message(["run", "--repeats", "0"]), "--repeats 0 is out of range 1…100000")
        XCTAssertEqual(message(["bench", "--runs", "0"]), "--runs 0 is out of range 1…100000")
        XCTAssertEqual(message(["report", "--width", "0"]), "--width and --height must be within 1…1000")
        XCTAssertEqual(exitCode(["bench", "-n=-2"]), 64)
    }

    func testOptionTypesParseOrNameTheOption() throws {
        XCTAssertEqual(message(["report", "--view", "nope"]),
                       "The value 'nope' is invalid for '--view <view>'. Please provide one of 'layers', 'memory', 'grid' or 'all'.")
        XCTAssertEqual(message(["report", "--sram", "lots"]), "The value 'lots' is invalid for '--sram <size>'")
        XCTAssertEqual(message(["run", "--max-arena", "12XB"]), "The value '12XB' is invalid for '--max-arena <size>'")
        XCTAssertEqual(message(["report", "--sram", "1KiB", "--board", "rp2040"]), "use --sram or --board, not both")
        let report = try XCTUnwrap(try PatchTop.parseAsRoot(["report", "--board", "rp2040", "--view", "grid"]) as? ReportCommand)
        XCTAssertEqual(report.budget.budget?.name, "RP2040")
        XCTAssertEqual(report.view, .grid)
        let run = try XCTUnwrap(try PatchTop.parseAsRoot(["run", "--max-arena", "64MiB"]) as? Run)
        XCTAssertEqual(run.arena.maxArena.bytes, 64 << 20)
        let defaults = try XCTUnwrap(try PatchTop.parseAsRoot(["run"]) as? Run)
        XCTAssertEqual(defaults.arena.maxArena.bytes, 1 << 30)
    }
}

/// Failures found after parsing: `patchtop: …` lines naming the model or
/// file and the problem (issue 12, failures 5, 8 and 10).
extension CommandLineTests {
    private static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url
    }()

    private func failure(_ arguments: [String]) -> String? {
        do {
            var command = try PatchTop.parseAsRoot(arguments)
            try command.run()
            return nil
        } catch let failure as CommandFailure {
            return failure.message
        } catch {
            return "not a command failure: \(error)"
        }
    }

    private func sample(_ name: String) -> String { Self.root.appendingPathComponent("SampleModels/\(name).tflite").path }

    func testBenchRefusesAStageThatCrossesMEAN() {
        XCTAssertEqual(failure(["bench", sample("mbv2-w0.35-r144"), "-p", "2", "-n", "64", "--runs", "1"]),
                       "mbv2-w0.35-r144: n=64 crosses MEAN at op 62, which cannot be computed patch by patch")
    }

    func testRunRefusesAnArenaAboveTheLimitBeforeAllocating() {
        XCTAssertEqual(failure(["run", sample("mbv2-w0.35-r144"), "--max-arena", "100KiB"]),
                       "mbv2-w0.35-r144: the plan needs an arena of 311,040 bytes (303.8 KiB), above the limit of 102,400 bytes (100.0 KiB) (raise it with --max-arena)")
    }

    func testRunInputFilesSayWhatIsWrong() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-empty-\(UUID().uuidString).bin")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        defer { try? FileManager.default.removeItem(at: empty) }
        let model = sample("tiny-allops")
        XCTAssertEqual(failure(["run", model, "--input", empty.path]),
                       "\(empty.path): is empty, but input tensor 0 [1, 32, 32, 3] int8 needs 3072")
        XCTAssertEqual(failure(["run", model, "--input", "/dev/null"]),
                       "/dev/null: cannot be read: it is a character device, not a regular file")
        XCTAssertEqual(failure(["run", model, "--input", "/nonexistent.bin"]), "/nonexistent.bin: cannot be read: no such file")
        XCTAssertEqual(failure(["run", model, "--output", "/dev/full"]),
                       "cannot write /dev/full: it is a character device, not a regular file")
    }
}
