import Foundation
import PatchTopReports
import PatchTopUI

/// `patchtop tui --profile FILE`: one line per frame (update + render
/// time) and per background run, so that "a key press redraws within one
/// frame" can be measured on the real binary, not guessed.
///
/// Lines look like `frame key(P) update 2.41 ms render 1.02 ms draw 0.35 ms`
/// and `run p=3 n=13 gen 4 inference 41.20 ms, key to result 52.77 ms identical`.
public final class ProfileLog: @unchecked Sendable {
    private let lock = NSLock()
    private let file: UnsafeMutablePointer<FILE>

    /// Opens (truncates) `path` under `ReportFile`'s rules (through
    /// symlinks, regular files only); the reason when it cannot be written.
    public static func open(path: String) -> Result<ProfileLog, ReportFile.WriteError> {
        switch ReportFile.openForWriting(path) {
        case .failure(let error):
            return .failure(error)
        case .success(let fd):
            guard let file = fdopen(fd, "w") else {
                let reason = String(cString: strerror(errno))
                close(fd)
                return .failure(ReportFile.WriteError(path: path, reason: reason))
            }
            return .success(ProfileLog(file: file))
        }
    }

    private init(file: UnsafeMutablePointer<FILE>) { self.file = file }

    deinit { fclose(file) }

    public func log(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        fputs(line + "\n", file)
        fflush(file)
    }

    /// `2.41` for a duration of 2.41 ms.
    public static func ms(_ value: Double) -> String { formatFixed(value, decimals: 2) }
}
