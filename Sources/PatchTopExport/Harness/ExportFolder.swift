import Foundation
import PatchTopModel

/// The rules for the folder an export writes: new, empty, or an earlier
/// PatchTop export (it holds `patchtop-export.json`). A file is written only
/// where nothing is, or where the earlier export's manifest says it wrote
/// it; anything else there is the user's and is never touched. Every check
/// runs before the first byte is written.
struct ExportFolder {
    static let manifestName = "patchtop-export.json"
    /// The manifest's `format`, which marks a folder as PatchTop's.
    static let format = "patchtop-export/1"

    let path: String
    /// Files the earlier export wrote (relative paths), which may be replaced.
    private(set) var earlierFiles: Set<String> = []

    /// Checks `path` and what a write of `files` (relative paths) would
    /// replace; creates the folder when it does not exist.
    init(path: String, files: [String]) throws(ExportError) {
        self.path = path
        guard !path.isEmpty else { throw .file(path: path, problem: "empty path") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .file(path: path, problem: "is a file, not a folder: the export writes a folder") }
            let entries: [String]
            do { entries = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw .file(path: path, problem: "cannot be listed (\(error.localizedDescription))")
            }
            if !entries.isEmpty {
                guard entries.contains(Self.manifestName) else {
                    throw .file(path: path, problem: "is not empty and holds no earlier PatchTop export (\(Self.manifestName)): give a new or empty folder")
                }
                earlierFiles = try Self.earlierFiles(in: path)
            }
        }
        for file in files { try check(file) }
    }

    /// The files an earlier export's manifest lists.
    static func earlierFiles(in folder: String) throws(ExportError) -> Set<String> {
        let manifest = (folder as NSString).appendingPathComponent(manifestName)
        let data: [UInt8]
        switch RegularFile.read(manifest, limit: 1 << 24) {
        case .failure(let error): throw .file(path: manifest, problem: "cannot be read: \(error)")
        case .success(let bytes): data = bytes
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
              let format = object["format"] as? String, format == Self.format,
              let files = object["files"] as? [String]
        else {
            throw .file(path: manifest, problem: "is not a PatchTop export manifest (\(format)): the folder is not overwritten")
        }
        return Set(files.filter { isSafeRelative($0) })
    }

    /// A relative path inside the folder: no `..`, not absolute.
    static func isSafeRelative(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }

    /// Whether `relative` may be written: nothing there, or a regular file
    /// the earlier export wrote; every folder on the way is a folder.
    func check(_ relative: String) throws(ExportError) {
        guard Self.isSafeRelative(relative) else { throw .file(path: relative, problem: "is not a path inside the export folder") }
        let full = (path as NSString).appendingPathComponent(relative)
        var prefix = path
        for part in relative.split(separator: "/").dropLast() {
            prefix = (prefix as NSString).appendingPathComponent(String(part))
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw .file(path: prefix, problem: "is a file where the export needs a folder; it is not replaced")
            }
        }
        var info = stat()
        guard lstat(full, &info) == 0 else { return }
        if relative == Self.manifestName || earlierFiles.contains(relative) {
            var target = stat()
            guard stat(full, &target) == 0, (target.st_mode & S_IFMT) == S_IFREG else {
                throw .file(path: full, problem: "is not a regular file; it is not replaced")
            }
            return
        }
        throw .file(path: full, problem: "exists and is not a file of the earlier PatchTop export; it is not overwritten")
    }

    /// Writes `contents` at `relative`: created exclusively where nothing
    /// was, rewritten in place where the earlier export's file was.
    func write(_ relative: String, _ contents: [UInt8], executable: Bool = false) throws(ExportError) {
        let full = (path as NSString).appendingPathComponent(relative)
        let folder = (full as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .file(path: folder, problem: "cannot be created (\(error.localizedDescription))")
        }
        let replacing = relative == Self.manifestName || earlierFiles.contains(relative)
        let flags = replacing ? (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC) : (O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
        let fd = open(full, flags, executable ? 0o755 : 0o644)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "appeared while exporting; it is not overwritten" : String(cString: strerror(errno))
            throw .file(path: full, problem: reason)
        }
        var done = 0
        while done < contents.count {
            let n = contents[done...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .file(path: full, problem: "cannot be written (\(reason))")
            }
            done += n
        }
        guard close(fd) == 0 else { throw .file(path: full, problem: "cannot be written (\(String(cString: strerror(errno))))") }
    }

    /// Removes the earlier export's files that this one does not write
    /// (regular files only), so no stale source is left beside the new ones.
    func removeStale(keeping files: Set<String>) {
        for relative in earlierFiles.subtracting(files) where relative != Self.manifestName {
            let full = (path as NSString).appendingPathComponent(relative)
            var info = stat()
            if lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { unlink(full) }
        }
    }
}
