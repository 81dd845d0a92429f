import Foundation
import PatchTopModel

/// Writes the files PatchTop produces (`report -o`, `run --output`, the
/// TUI's exports, `--profile`), reporting failure as a value: the TUI shows
/// it as a notice and the CLI as one error line, and neither ever traps on
/// an unwritable path.
///
/// A file is written in place, never replaced by a renamed temporary: a
/// symlink is written through to the regular file it points at, and a path
/// that is not a regular file (a FIFO, a device such as `/dev/full`, a
/// directory, a socket) is refused instead of being replaced by one.
public enum ReportFile {
    /// Why `path` could not be written, e.g. `cannot write /dev/full: it is
    /// a character device, not a regular file`.
    public struct WriteError: Error, Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `text` as UTF-8 to `path`, replacing the file's contents.
    public static func write(_ text: String, to path: String) -> Result<Void, WriteError> {
        write(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path`, replacing the file's contents.
    public static func write(_ bytes: [UInt8], to path: String) -> Result<Void, WriteError> {
        bytes.withUnsafeBytes { write($0, to: path) }
    }

    /// Writes the bytes of a buffer (an output tensor, without a copy).
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) -> Result<Void, WriteError> {
        let fd: Int32
        switch openForWriting(path) {
        case .failure(let error): return .failure(error)
        case .success(let opened): fd = opened
        }
        var offset = 0
        while offset < bytes.count {
            let written = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                return .failure(WriteError(path: path, reason: reason))
            }
            offset += written
        }
        guard close(fd) == 0 else { return .failure(WriteError(path: path, reason: String(cString: strerror(errno)))) }
        return .success(())
    }

    /// Opens `path` for writing, truncated, following symlinks: a file
    /// descriptor, or why not. The checks run on the opened file itself, so
    /// a path swapped after a look cannot slip through.
    public static func openForWriting(_ path: String) -> Result<Int32, WriteError> {
        guard !path.isEmpty else { return .failure(WriteError(path: path, reason: "empty path")) }
        var info = stat()
        if stat(path, &info) == 0, let kind = nonRegularKind(info.st_mode) {
            return .failure(WriteError(path: path, reason: "it is \(kind), not a regular file"))
        }
        // O_NONBLOCK: a FIFO that appeared since the look fails at once
        // instead of waiting for a reader.
        let fd = posixOpen(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "too many levels of symbolic links (a symlink loop)" : String(cString: strerror(errno))
            return .failure(WriteError(path: path, reason: reason))
        }
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            return .failure(WriteError(path: path, reason: reason))
        }
        if let kind = nonRegularKind(info.st_mode) {
            close(fd)
            return .failure(WriteError(path: path, reason: "it is \(kind), not a regular file"))
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0, ftruncate(fd, 0) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            return .failure(WriteError(path: path, reason: reason))
        }
        return .success(fd)
    }

    /// `a directory`, `a FIFO`, … for anything but a regular file.
    static func nonRegularKind(_ mode: mode_t) -> String? { RegularFile.nonRegularKind(mode) }
}

// The C calls, named apart from `ReportFile.write` and `ReportFile.open`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
