import Foundation

/// Runs a program to completion (or a time limit) with its output in a
/// file, never a pipe that could fill and stall it.
struct ProcessRunner {
    struct Outcome {
        var status: Int32
        var output: String
        var timedOut: Bool
    }

    /// The full path of `name` on PATH, or `nil`.
    static func find(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments` in `directory`; stdout and stderr
    /// go to `log` (one file), returned as text. A run past `timeout`
    /// seconds is killed.
    static func run(_ executable: String, _ arguments: [String], in directory: String, log: String,
                    timeout: Double = 600) throws(VerificationError) -> Outcome {
        guard let path = find(executable) else { throw .toolMissing(executable) }
        guard FileManager.default.createFile(atPath: log, contents: nil), let handle = FileHandle(forWritingAtPath: log) else { throw .file(log, "cannot be created") }
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw .file(path, "cannot be started (\(error.localizedDescription))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        let text = (FileManager.default.contents(atPath: log)).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        return Outcome(status: process.terminationStatus, output: text, timedOut: timedOut)
    }
}
