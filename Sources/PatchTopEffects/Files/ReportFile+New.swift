import Foundation

extension ReportFile {
    /// Writes `text` to a file that did not exist: `path` itself, or else
    /// the first of `name-2.txt`, `name-3.txt`… that is free. The file is
    /// created exclusively (`O_EXCL`), so a file that appears meanwhile is
    /// never overwritten either. Returns the path written.
    public static func writeNew(_ text: String, near path: String, attempts: Int = 999) -> Result<String, WriteError> {
        guard !path.isEmpty else { return .failure(WriteError(path: path, reason: "empty path")) }
        for attempt in 1...max(1, attempts) {
            let candidate = attempt == 1 ? path : numbered(path, attempt)
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd < 0 {
                if errno == EEXIST { continue }
                return .failure(WriteError(path: candidate, reason: String(cString: strerror(errno))))
            }
            let bytes = Array(text.utf8)
            var done = 0
            while done < bytes.count {
                let n = bytes[done...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    return .failure(WriteError(path: candidate, reason: reason))
                }
                done += n
            }
            guard close(fd) == 0 else { return .failure(WriteError(path: candidate, reason: String(cString: strerror(errno)))) }
            return .success(candidate)
        }
        return .failure(WriteError(path: path, reason: "\(attempts) numbered files of that name exist already"))
    }

    /// `dir/report.txt` → `dir/report-2.txt`; a name without an extension gets the number at its end.
    public static func numbered(_ path: String, _ number: Int) -> String {
        let slash = path.lastIndex(of: "/")
        let name = slash.map { path[path.index(after: $0)...] } ?? path[...]
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path + "-\(number)" }
        return String(path[..<dot]) + "-\(number)" + String(path[dot...])
    }
}
