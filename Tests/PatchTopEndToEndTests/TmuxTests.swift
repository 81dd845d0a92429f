import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopUI
import XCTest

/// The real `patchtop` TUI in a detached tmux session at 120×40, driven
/// with `send-keys` and read with `capture-pane -p`.
///
/// Every tmux invocation gets /dev/null for its standard streams: the first
/// one starts the tmux server, which would inherit a pipe and keep it open
/// forever. The screen is captured into a file by `sh -c`. The session runs
/// on its own socket, killed in tearDown, and every wait polls against a
/// deadline instead of sleeping blindly.
final class TmuxTests: XCTestCase {
    static let deadline: TimeInterval = 20
    var tmux = ""
    var socket = ""
    var scratch: URL!

    override func setUpWithError() throws {
        guard let found = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("tmux is not installed (.ci/run installs it)")
        }
        tmux = found
        socket = "patchtop-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-tmux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if !tmux.isEmpty { _ = try? run(tmux, ["-L", socket, "kill-server"]) }
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// Runs a command with every standard stream on /dev/null and waits
    /// for it; its exit status.
    ///
    /// posix_spawn + waitpid, not Foundation's `Process`: on Linux,
    /// `Process` learns that a child exited from a socket the child
    /// inherits, and the tmux server a client forks inherits it too, so
    /// `waitUntilExit` on `tmux new-session` never returns.
    @discardableResult
    func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS by hand: the macros do not import.
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// The pane's text now (with `escapes`, its attributes as SGR escape sequences).
    func capture(escapes: Bool = false) throws -> String {
        let file = scratch.appendingPathComponent("pane.txt")
        try? FileManager.default.removeItem(at: file)
        let quoted = [tmux, "-L", socket, "capture-pane", "-p"] + (escapes ? ["-e"] : []) + ["-t", "tui"]
        let command = quoted.map { "'\($0)'" }.joined(separator: " ")
        try run("/bin/sh", ["-c", "\(command) > '\(file.path)'"])
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    /// Polls the pane until `condition` holds; fails with the last screen at the deadline.
    @discardableResult
    func waitForScreen(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ condition: (String) -> Bool) throws -> String {
        let end = Date(timeIntervalSinceNow: Self.deadline)
        var screen = ""
        while Date() < end {
            screen = try capture()
            if condition(screen) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("timed out waiting for \(what); the screen was:\n\(screen)", file: file, line: line)
        throw XCTSkip("stopping after the timeout above")
    }

    func send(_ keys: String...) throws {
        try run(tmux, ["-L", socket, "send-keys", "-t", "tui"] + keys)
    }

    func testSlidersRerunExportLivePeakParetoAndStepModeInTheRealTUI() throws {
        let binary = try BinaryTests.builtBinary()
        let modelPath = BinaryTests.root.appendingPathComponent("SampleModels/mbv2-w0.35-r144.tflite").path
        let command = "'\(binary)' '\(modelPath)' -p 2 -n 10 --board STM32F746 --export-dir '\(scratch.path)'; echo PATCHTOP-EXITED $?; sleep 30"
        let started = try run(tmux, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", "120", "-y", "40",
                                     "-c", BinaryTests.root.path, "/bin/sh", "-c", command])
        XCTAssertEqual(started, 0, "tmux new-session failed")
        try waitForScreen("the first run") { $0.contains("✓ identical") && $0.contains("q quit") }

        let model = try TFLiteReader.load(path: modelPath)
        let plan = try PatchPlan(model: model, patches: 3, patchLayers: 13)
        try send("P")
        try send("N", "N", "N")
        let peak = formatBytes(plan.peakBytes)
        let screen = try waitForScreen("p=3 n=13 re-planned and re-run") { screen in
            screen.contains("13/") && screen.contains("peak \(peak) vs 303.8 KiB (2.50× lower)") && screen.contains("✓ identical  peak \(peak) vs")
        }
        let lines = screen.components(separatedBy: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("p ") && $0.contains(" 3  n ") }, "the p slider shows 3")
        XCTAssertTrue(screen.contains("STM32F746"), "the budget line is labelled with the board")
        XCTAssertTrue(screen.contains("STM32F746: no TFLM figure") || screen.contains("no verdict"), "the memory panel's verdict: TFLite Micro has no patch plans")
        XCTAssertTrue(lines[1].contains("TFLM arena –"), "the top line names the figure: \(lines[1])")
        XCTAssertFalse(screen.contains("DIFFERS"))

        try send("e")
        let exported = scratch.appendingPathComponent("patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt")
        try waitForScreen("the export notice") { $0.contains("exported patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt") }
        let text = try String(contentsOf: exported, encoding: .utf8)
        let header = text.components(separatedBy: "\n")
        XCTAssertEqual(header.first, "PatchTop report — mbv2-w0.35-r144")
        XCTAssertTrue(header.contains("plan            p=3 n=13"), text)
        XCTAssertTrue(header.contains { $0.hasPrefix("peak            \(peak) (\(formatCount(plan.peakBytes)) B)") && $0.hasSuffix("2.50× lower") }, text)
        XCTAssertTrue(header.contains("SRAM budget     320.0 KiB (STM32F746): no verdict: TFLite Micro runs layer by layer only"), text)
        XCTAssertTrue(header.contains { $0.hasPrefix("run             output identical to layer-by-layer") }, text)
        XCTAssertTrue(text.contains("✓ identical  peak \(peak) vs"), "the screen as drawn follows the header")
        XCTAssertFalse(text.contains("q quit"), "no key-hint bar in the export")
        XCTAssertEqual(header.filter { $0.hasPrefix("┌─ Layers") }.count, 1)
        // A second export never overwrites the first.
        try send("e")
        try waitForScreen("the second export") { $0.contains("exported patchtop-mbv2-w0.35-r144-p3-n13-tflm-2.txt") }

        try send("w")
        let live = try waitForScreen("the live-at-peak panel") { $0.contains("Live at peak: op \(plan.peakOp)") }
        XCTAssertTrue(live.contains("patch region") || live.contains("region"), live)
        try send("w")
        try send("v")
        let pareto = try waitForScreen("the Pareto chart") { $0.contains("Pareto") && $0.contains("●") }
        XCTAssertTrue(pareto.contains("★"), "the current plan is marked")
        try send("Escape")
        try waitForScreen("the chart closed") { !$0.contains("Pareto:") && $0.contains("Memory") }

        try send("s")
        try waitForScreen("step mode") { $0.contains("Arena map") && $0.contains("step 0/") }
        try send("Space")
        try send("Space")
        try send("Right")
        let stepped = try waitForScreen("three steps") { $0.contains("step 3/") }
        XCTAssertTrue(stepped.contains("op 2 patch 1/9"), "the stage runs patch by patch: the third step is op 2 of patch 1")
        XCTAssertTrue(stepped.contains("Output heatmap") && stepped.contains("min "), "the heatmap shows the op's output")
        try send("BSpace")
        try waitForScreen("one step back") { $0.contains("step 2/") }
        try send("f")
        try waitForScreen("run to the end") { $0.contains("done ✓ identical") }
        try send("s")
        try waitForScreen("step mode left") { !$0.contains("Arena map") && $0.contains("Memory") }

        // Issue 21: the board's core and clock give the predicted time on the
        // title line, with its assumption.
        let title = try waitForScreen("the predicted time") { $0.components(separatedBy: "\n").first?.contains(" ms ") == true }
            .components(separatedBy: "\n")[0]
        XCTAssertTrue(title.contains("M7") && title.contains("216 MHz") && title.contains("1 instr/cycle"), title)
        // Issue 22: a second fused stage made on op 17 and extended to op 20,
        // re-planned and really re-run.
        try send("g")
        for _ in 0..<17 { try send("j") }
        try send("[")
        // The new stage takes the grid of the stage before it (the head's 3×3).
        try waitForScreen("a new stage") { $0.contains("stage 2: ops 17…17, 3×3 tiles, the grid of the stage before") && $0.contains("✓ identical") }
        try send("j", "j", "j")
        try send("]")
        let staged = try waitForScreen("the stage extended and re-run") { $0.contains("stage 2: ops 17…20, 3×3 tiles") && $0.contains("✓ identical") }
        let stagedLines = staged.components(separatedBy: "\n")
        XCTAssertTrue(stagedLines.contains { $0.contains(" 17 CONV_2D") && $0.contains("┌3×3") }, "the layer table marks where the stage starts")
        // The sliders line shows the selected op's stage, not the head's p and n.
        XCTAssertTrue(stagedLines.count > 1 && stagedLines[1].hasPrefix("rows ") && stagedLines[1].contains("stage 2/2 ops 17…20"), staged)
        XCTAssertFalse(staged.contains("DIFFERS"))

        try send("q")
        try waitForScreen("a clean exit") { $0.contains("PATCHTOP-EXITED 0") }
    }

    /// Issue 23, finding 4: a resize that arrives while an Esc is being
    /// told apart from an escape sequence is drawn at once (it was read and
    /// dropped, leaving the old layout clipped with no status line or hint bar).
    func testAResizeRightAfterEscIsDrawn() throws {
        let binary = try BinaryTests.builtBinary()
        let modelPath = BinaryTests.root.appendingPathComponent("SampleModels/mbv2-w0.35-r144.tflite").path
        let command = "'\(binary)' '\(modelPath)' -p 2 -n 10; sleep 30"
        let started = try run(tmux, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", "120", "-y", "40",
                                     "-c", BinaryTests.root.path, "/bin/sh", "-c", command])
        XCTAssertEqual(started, 0, "tmux new-session failed")
        try waitForScreen("the first run") { $0.contains("✓ identical") && $0.contains("q quit") }
        for (round, size) in [(100, 30), (90, 26), (120, 40)].enumerated() {
            try send("v")
            try waitForScreen("the Pareto chart, round \(round)") { $0.contains("Pareto") }
            try send("Escape")
            try run(tmux, ["-L", socket, "resize-window", "-t", "tui", "-x", "\(size.0)", "-y", "\(size.1)"])
            try waitForScreen("the \(size.0)×\(size.1) layout after Esc") { screen in
                let lines = screen.components(separatedBy: "\n")
                guard lines.count >= size.1 else { return false }
                return !screen.contains("Pareto:") && lines[size.1 - 1].contains("q quit") && lines[size.1 - 3].hasPrefix("└")
                    && lines[size.1 - 2].contains("identical")
            }
        }
        try send("q")
    }

    /// Starts the TUI on tiny-allops in the session; the shell prints
    /// `PATCHTOP-EXITED <status>` when it ends.
    private func startTinyTUI() throws {
        let binary = try BinaryTests.builtBinary()
        let modelPath = BinaryTests.root.appendingPathComponent("SampleModels/tiny-allops.tflite").path
        let command = "'\(binary)' tui '\(modelPath)'; echo PATCHTOP-EXITED $?; sleep 30"
        let started = try run(tmux, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", "120", "-y", "40",
                                     "-c", BinaryTests.root.path, "/bin/sh", "-c", command])
        XCTAssertEqual(started, 0, "tmux new-session failed")
        try waitForScreen("the first run") { $0.contains(" run ") && $0.contains("q quit") }
    }

    /// The TUI's pid: the child of the pane's shell.
    private func tuiPid() throws -> pid_t {
        let file = scratch.appendingPathComponent("pane-pid.txt")
        let quoted = [tmux, "-L", socket, "list-panes", "-t", "tui", "-F", "#{pane_pid}"].map { "'\($0)'" }.joined(separator: " ")
        try run("/bin/sh", ["-c", "\(quoted) > '\(file.path)'"])
        let shell = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        return try XCTUnwrap(children.split(separator: " ").first.flatMap { pid_t($0) })
    }

    /// Issue 12, failure 9: Alt+key, a bracketed paste holding a `q`, an
    /// SGR mouse report and `ESC O x` are ignored; a lone Esc still quits.
    func testEscapeSequencesDoNotQuit() throws {
        try startTinyTUI()
        try send("M-j")
        try send("-l", "\u{1B}[200~q\u{1B}[201~")
        try send("-l", "\u{1B}[<0;200;200M")
        try send("-l", "\u{1B}Ox")
        try send("-l", "\u{1B}[99;5~")
        Thread.sleep(forTimeInterval: 0.5)
        let screen = try capture()
        XCTAssertFalse(screen.contains("PATCHTOP-EXITED"), screen)
        XCTAssertTrue(screen.contains("q quit"), screen)
        try send("Escape")
        try waitForScreen("Esc quits") { $0.contains("PATCHTOP-EXITED 0") }
    }

    func testSIGTERMExits143() throws {
        try startTinyTUI()
        XCTAssertEqual(kill(try tuiPid(), SIGTERM), 0)
        let screen = try waitForScreen("the TERM exit") { $0.contains("PATCHTOP-EXITED 143") }
        XCTAssertFalse(screen.contains("q quit"), "the terminal was restored: the TUI's screen is gone")
    }

    func testSIGINTExits130() throws {
        try startTinyTUI()
        XCTAssertEqual(kill(try tuiPid(), SIGINT), 0)
        try waitForScreen("the INT exit") { $0.contains("PATCHTOP-EXITED 130") }
    }

    /// A crash (here a SIGILL, as a Swift trap raises) restores the terminal,
    /// prints one line naming the crash log, and never leaves the
    /// backtracer's interactive prompt on the screen.
    func testACrashPrintsOneLineAndWritesTheLog() throws {
        try startTinyTUI()
        let pid = try tuiPid()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-crash-\(pid).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        XCTAssertEqual(kill(pid, SIGILL), 0)
        let screen = try waitForScreen("the crash line") { $0.contains("PATCHTOP-EXITED") }
        XCTAssertTrue(screen.contains("patchtop: crashed; the crash log is in \(log)"), screen)
        XCTAssertFalse(screen.contains("q quit"), screen)
        XCTAssertFalse(screen.lowercased().contains("press space"), "no interactive prompt: \(screen)")
        XCTAssertTrue(try String(contentsOfFile: log, encoding: .utf8).contains("Program crashed"))
    }

    /// Under NO_COLOR the budget verdict and the values over it still
    /// stand out: no colour escapes at all, but bold and reverse.
    func testOverBudgetStandsOutUnderNoColor() throws {
        let binary = try BinaryTests.builtBinary()
        let modelPath = BinaryTests.root.appendingPathComponent("SampleModels/mbv2-w0.35-r144.tflite").path
        let command = "NO_COLOR=1 '\(binary)' '\(modelPath)' -p 3 -n 13 --sram 50KiB --engine tinyengine; sleep 30"
        let started = try run(tmux, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", "120", "-y", "40",
                                     "-c", BinaryTests.root.path, "/bin/sh", "-c", command])
        XCTAssertEqual(started, 0, "tmux new-session failed")
        try waitForScreen("the first run") { $0.contains("✓ identical") && $0.contains("over by 13.5") }
        let styled = try capture(escapes: true)
        XCTAssertFalse(styled.range(of: "\u{1B}\\[[0-9;]*3[0-7]m", options: .regularExpression) != nil, "no foreground colour under NO_COLOR")
        // The title's verdict is bold; a value over the budget is reversed.
        XCTAssertEqual(attributes(in: styled, at: "over by 13.5")?.bold, true)
        XCTAssertEqual(attributes(in: styled, at: "121.4▲")?.reverse, true, "the plan's peak over the budget is reversed")
        XCTAssertEqual(attributes(in: styled, at: " 35.4 ")?.reverse, false, "a value under the budget is not")
        try send("q")
    }

    /// Bold and reverse in effect where `text` first occurs in an SGR-escaped capture.
    func attributes(in styled: String, at text: String) -> (bold: Bool, reverse: Bool)? {
        guard let end = styled.range(of: text)?.lowerBound else { return nil }
        var bold = false, reverse = false
        let prefix = String(styled[..<end])
        let pattern = try? NSRegularExpression(pattern: "\u{1B}\\[([0-9;]*)m")
        let range = NSRange(prefix.startIndex..., in: prefix)
        for match in pattern?.matches(in: prefix, range: range) ?? [] {
            guard let r = Range(match.range(at: 1), in: prefix) else { continue }
            let params = prefix[r].split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
            for p in params {
                switch p {
                case 0: bold = false; reverse = false
                case 1: bold = true
                case 22: bold = false
                case 7: reverse = true
                case 27: reverse = false
                default: break
                }
            }
        }
        return (bold, reverse)
    }
}
