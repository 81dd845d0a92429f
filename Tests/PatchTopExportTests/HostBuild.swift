import Foundation
import PatchTopExport
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import XCTest

/// Where the tests find models and fixtures.
enum ExportTestFiles {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url
    }()

    static func sample(_ name: String) -> String { root.appendingPathComponent("SampleModels/\(name).tflite").path }

    /// `shared/models/` beside the checkout (or beside the folder of worktrees).
    static func shared(_ path: String) -> String {
        let beside = root.deletingLastPathComponent().appendingPathComponent("shared/models/\(path)").path
        if FileManager.default.fileExists(atPath: beside) { return beside }
        return root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/models/\(path)").path
    }

    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/driver.c").path
}

/// Runs a command; returns its exit status and what it printed.
@discardableResult
func shell(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func toolExists(_ name: String) -> Bool {
    (try? shell(["sh", "-c", "command -v \(name)"]).status) == 0
}

/// Builds exports with the host's `cc` and runs them: the fixed C sources
/// are compiled once per test process, each export's patchtop_model.c once.
final class HostBuilder: @unchecked Sendable {
    static let shared = HostBuilder()
    let work: String
    private var fixedObjects: [String]?
    private let lock = NSLock()
    static let flags = ["-std=c99", "-O1", "-ffp-contract=off"]

    private init() {
        work = NSTemporaryDirectory() + "patchtop-export-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    }

    /// Compiles the fixed sources of `library` into objects (once).
    func objects(for library: FirmwareLibrary) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let fixedObjects { return fixedObjects }
        let dir = work + "/fixed"
        try writeFiles(library, to: dir)
        var objects: [String] = []
        for name in library.files.keys.sorted() where name.hasSuffix(".c") && !name.hasSuffix("patchtop_model.c") {
            let object = dir + "/" + (name as NSString).lastPathComponent + ".o"
            let result = try shell(["cc"] + Self.flags + ["-Wall", "-Wextra", "-Werror", "-c", dir + "/" + name, "-o", object])
            guard result.status == 0 else { throw BuildFailure(log: result.output) }
            objects.append(object)
        }
        fixedObjects = objects
        return objects
    }

    func writeFiles(_ library: FirmwareLibrary, to dir: String) throws {
        for (path, text) in library.files {
            let url = URL(fileURLWithPath: dir + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
    }

    struct BuildFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "build failed:\n" + log.prefix(4000) }
    }

    /// Exports, builds and runs `program` on `input`; returns the outputs.
    func run(_ library: FirmwareLibrary, label: String, input: [Int8], streamed: (width: Int, pixelBytes: Int)? = nil) throws -> [[Int8]] {
        let fixed = try objects(for: library)
        let dir = work + "/" + label.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        try? FileManager.default.removeItem(atPath: dir)
        try writeFiles(library, to: dir)
        let binary = dir + "/patchtop_fw"
        // The generated file is data and a step table: -O0 builds it fastest.
        let compile = try shell(["cc", "-std=c99", "-O0", "-I", dir + "/lib", dir + "/lib/patchtop_model.c", ExportTestFiles.driver]
                                + fixed + ["-o", binary, "-lm"])
        guard compile.status == 0 else { throw BuildFailure(log: compile.output) }
        try Data(input.map { UInt8(bitPattern: $0) }).write(to: URL(fileURLWithPath: dir + "/input0.bin"))
        var arguments = [binary, dir, dir]
        if let streamed { arguments += ["--streamed", "\(streamed.width)", "\(streamed.pixelBytes)"] }
        let run = try shell(arguments)
        guard run.status == 0 else { throw BuildFailure(log: "run exited \(run.status): \(run.output)") }
        var outputs: [[Int8]] = []
        for k in 0..<library.manifest.outputs.count {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/output\(k).bin"))
            outputs.append(data.map { Int8(bitPattern: $0) })
        }
        try? FileManager.default.removeItem(atPath: dir)
        return outputs
    }
}

/// A reproducible input for `model`'s first input (floats in a small range).
func seededInput(for model: Model, seed: UInt64) -> [Int8] {
    var state = seed
    let tensor = model.tensors[model.callerInputs[0]]
    let next = { () -> Int8 in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int8(truncatingIfNeeded: state >> 56)
    }
    guard tensor.type == .float32 else { return (0..<tensor.byteCount).map { _ in next() } }
    return (0..<tensor.elementCount).flatMap { _ -> [Int8] in
        withUnsafeBytes(of: (Float(next()) / 64).bitPattern.littleEndian) { $0.map { Int8(bitPattern: $0) } }
    }
}
