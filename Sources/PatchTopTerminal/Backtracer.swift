import Foundation
import Glibc

/// Configures Swift's crash backtracer for the TUI.
///
/// By default, a crash in a program on a terminal starts the backtracer's
/// interactive prompt, which would hold a raw-mode screen. The runtime reads
/// `SWIFT_BACKTRACE` once, at start-up, so the TUI starts itself again with
/// `interactive=no` and the log sent to a file (named in the one line a
/// crash prints) — unless the user set `SWIFT_BACKTRACE` themselves.
public enum Backtracer {
    /// Marks the relaunched process, so it does not relaunch again.
    static let marker = "PATCHTOP_BACKTRACE_LOG"

    /// The crash log of this process, when the backtracer writes one.
    public static var crashLog: String? { ProcessInfo.processInfo.environment[marker] }

    /// Replaces the process by itself with the backtracer configured (the
    /// same arguments, the same pid); returns when it is already configured
    /// or the relaunch is impossible, and the TUI runs as it is.
    public static func relaunchIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SWIFT_BACKTRACE"] == nil, environment[marker] == nil else { return }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-crash-\(getpid()).log").path
        setenv(marker, log, 1)
        setenv("SWIFT_BACKTRACE", "interactive=no,color=no,output-to=\(log)", 1)
        // The binary by its real path, so the process keeps its name.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        execv(executable, CommandLine.unsafeArgv)
        // exec failed: run without; the crash line then names no log.
        unsetenv(marker)
        unsetenv("SWIFT_BACKTRACE")
    }
}
