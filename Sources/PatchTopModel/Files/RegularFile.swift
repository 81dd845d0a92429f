import Foundation

/// Reads a whole file that PatchTop takes as input (a model, `--input`
/// bytes), saying exactly what is wrong when it cannot: `no such file`,
/// `a symlink loop`, `it is a FIFO (named pipe), not a regular file`,
/// `permission denied`. Only regular files are read (through symlinks): a
/// FIFO would block, and `/dev/zero` never ends.
public enum RegularFile {
    public enum ReadError: Error, Equatable, Sendable, CustomStringConvertible {
        case notFound
        /// A symlink whose target does not exist.
        case danglingSymlink
        case symlinkLoop
        /// A directory, FIFO, device or socket: `kind` is `a directory`, ….
        case notRegular(kind: String)
        case permissionDenied
        case tooLarge(bytes: Int, limit: Int)
        case io(reason: String)

        public var description: String {
            switch self {
            case .notFound: "no such file"
            case .danglingSymlink: "a symlink to a file that does not exist"
            case .symlinkLoop: "a symlink loop (too many levels of symbolic links)"
            case .notRegular(let kind): kind == "a directory" ? "it is a directory" : "it is \(kind), not a regular file"
            case .permissionDenied: "permission denied"
            case .tooLarge(let bytes, let limit): "it has \(bytes) bytes, more than the \(limit) PatchTop reads"
            case .io(let reason): reason
            }
        }
    }

    /// The largest file read: 4 GiB, beyond any TFLite flatbuffer.
    public static let defaultLimit = 1 << 32

    public static func read(_ path: String, limit: Int = defaultLimit) -> Result<[UInt8], ReadError> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(openError(path, errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.io(reason: String(cString: strerror(errno)))) }
        if let kind = nonRegularKind(info.st_mode) { return .failure(.notRegular(kind: kind)) }
        let size = Int(info.st_size)
        guard size <= limit else { return .failure(.tooLarge(bytes: size, limit: limit)) }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let got = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + offset, size - offset) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(.io(reason: String(cString: strerror(errno))))
            }
            if got == 0 { break }   // the file shrank while being read
            offset += got
        }
        return .success(offset == size ? bytes : Array(bytes[..<offset]))
    }

    private static func openError(_ path: String, _ code: Int32) -> ReadError {
        switch code {
        case ENOENT:
            var info = stat()
            return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK ? .danglingSymlink : .notFound
        case ELOOP: return .symlinkLoop
        case EACCES, EPERM: return .permissionDenied
        case ENOTDIR: return .io(reason: "a part of the path is not a directory")
        default: return .io(reason: String(cString: strerror(code)))
        }
    }

    /// `a directory`, `a FIFO (named pipe)`, … for anything but a regular file.
    public static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
