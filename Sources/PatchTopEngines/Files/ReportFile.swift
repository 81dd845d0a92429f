import Foundation

/// Writes a text report to a file, reporting failure as a value: the TUI
/// shows it as a notice and `patchtop report -o` as one error line, and
/// neither ever traps on an unwritable path.
public enum ReportFile {
    /// Why `path` could not be written, e.g. `No such file or directory`.
    public struct WriteError: Error, Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `text` as UTF-8 to `path`, replacing the file.
    public static func write(_ text: String, to path: String) -> Result<Void, WriteError> {
        guard !path.isEmpty else { return .failure(WriteError(path: path, reason: "empty path")) }
        guard let file = fopen(path, "w") else {
            return .failure(WriteError(path: path, reason: String(cString: strerror(errno))))
        }
        let bytes = Array(text.utf8)
        let written = bytes.isEmpty ? 0 : fwrite(bytes, 1, bytes.count, file)
        let writeErrno = errno
        let closed = fclose(file)
        guard written == bytes.count else { return .failure(WriteError(path: path, reason: String(cString: strerror(writeErrno)))) }
        guard closed == 0 else { return .failure(WriteError(path: path, reason: String(cString: strerror(errno)))) }
        return .success(())
    }
}
