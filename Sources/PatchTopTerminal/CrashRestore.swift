import CNCurses
import Glibc

/// Puts the terminal back when the process dies on a signal, then lets the
/// signal do what it would have done.
///
/// SIGINT, SIGTERM and SIGHUP end the program; the crash signals (a Swift
/// trap is SIGILL or SIGTRAP, a bad pointer SIGSEGV or SIGBUS, an abort
/// SIGABRT) are handed on to the handler that was there before, which is
/// Swift's backtracer, so its report lands on a usable terminal instead of a
/// raw-mode screen.
enum CrashRestore {
    /// `struct sigaction`, named apart from the function `sigaction`.
    typealias Action = sigaction

    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// The handlers found at install time, by signal number. Written once
    /// before any handler can run, read only from the handler.
    nonisolated(unsafe) static var previous = [Action](repeating: Action(), count: 65)

    static func install() {
        for signal in signals {
            var action = Action()
            action.__sigaction_handler.sa_handler = { number in
                endwin()
                let index = Int(number)
                if index >= 0, index < CrashRestore.previous.count {
                    var old = CrashRestore.previous[index]
                    sigaction(number, &old, nil)
                } else {
                    Glibc.signal(number, SIG_DFL)
                }
                raise(number)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, &previous[Int(signal)])
        }
    }
}
