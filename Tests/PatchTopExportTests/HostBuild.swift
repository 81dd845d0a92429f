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
    static let flags = ["-std=c99", "-O1", "-ffp-contract=off"]

    private init() {
        work = NSTemporaryDirectory() + "patchtop-export-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
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

    /// Writes the export of `program` with its harness (`FirmwareProject`),
    /// builds and runs it on the host through the harness's `make host`
    /// (`FirmwareVerification`, the one way exports are built), and returns
    /// the outputs the C library wrote. A streamed export's harness hands
    /// the image over region by region through `pt_invoke_streamed`.
    func run(_ library: FirmwareLibrary, program: ArenaProgram, label: String, input: [Int8]) throws -> [[Int8]] {
        let dir = work + "/" + label.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        try? FileManager.default.removeItem(atPath: dir)
        try FirmwareProject.write(library, to: dir, target: .host)
        let expectation = try FirmwareVerification.Expectation(program: program, input: input, manifest: library.manifest)
        let report = try FirmwareVerification.verify(dir: dir, target: .host, arenaBytes: library.arenaBytes, expecting: expectation)
        var outputs: [[Int8]] = []
        for path in report.outputFiles {
            let data = try Data(contentsOf: URL(fileURLWithPath: path.hasPrefix("/") ? path : dir + "/" + path))
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
