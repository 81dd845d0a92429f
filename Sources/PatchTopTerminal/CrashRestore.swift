import CNCurses
import Foundation
import Glibc

/// Puts the terminal back when the process dies on a signal.
///
/// SIGINT, SIGTERM and SIGHUP end the program the conventional way: the
/// terminal restored, nothing printed, and the signal's own default action,
/// so the shell sees 130, 143 and 129 (ncurses' handlers, installed by
/// `newterm`, would exit 1 instead). The crash signals (a Swift trap is
/// SIGILL or SIGTRAP, a bad pointer SIGSEGV or SIGBUS, an abort SIGABRT)
/// restore the terminal, print one line naming the crash log, and are
/// handed on to the handler that was there before, Swift's backtracer,
/// which `Backtracer.relaunchIfNeeded` has told to write that log without
/// an interactive prompt.
enum CrashRestore {
    /// `struct sigaction`, named apart from the function `sigaction`.
    typealias Action = sigaction

    static let quitSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// The handlers found at install time, by signal number. Written once
    /// before any handler can run, read only from the handler.
    nonisolated(unsafe) static var previous = [Action](repeating: Action(), count: 65)
    /// The line a crash prints, prepared in advance: a handler may only
    /// call `write`. Never freed (it lives as long as the process).
    nonisolated(unsafe) static var crashLine: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var crashLineLength = 0

    static func install(crashLog: String?) {
        let line = "\npatchtop: crashed" + (crashLog.map { "; the crash log is in \($0)" } ?? "") + "\n"
        let bytes = Array(line.utf8CString)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        buffer.initialize(from: bytes, count: bytes.count)
        crashLine = buffer
        crashLineLength = bytes.count - 1
        for signal in quitSignals {
            var action = Action()
            action.__sigaction_handler.sa_handler = { number in
                endwin()
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, &previous[Int(signal)])
        }
        for signal in crashSignals {
            var action = Action()
            action.__sigaction_handler.sa_sigaction = { number, info, context in
                endwin()
                if let line = CrashRestore.crashLine { _ = write(2, line, CrashRestore.crashLineLength) }
                CrashRestore.handOn(number, info, context)
                // The backtracer returns when the signal did not come from a
                // faulting instruction (`kill -ILL`): end the process anyway,
                // by the signal's default action once this handler returns.
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
            action.sa_flags = SA_SIGINFO
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, &previous[Int(signal)])
        }
    }

    /// Calls the handler that was installed before ours (Swift's
    /// backtracer) with the original signal context, so its crash log
    /// shows the faulting frame.
    static func handOn(_ number: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
        let index = Int(number)
        guard index >= 0, index < previous.count else { return }
        let old = previous[index]
        if old.sa_flags & SA_SIGINFO != 0 {
            old.__sigaction_handler.sa_sigaction?(number, info, context)
        } else if let handler = old.__sigaction_handler.sa_handler, unsafeBitCast(handler, to: Int.self) > 1 {
            handler(number)   // neither SIG_DFL (0) nor SIG_IGN (1)
        }
    }
}
