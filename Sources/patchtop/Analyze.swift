import ArgumentParser
import Foundation
import PatchTopModel
import PatchTopReports

/// `patchtop analyze MODEL`: the per-layer activation memory profile.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every layer's activation sizes, live bytes and MACs, and the peak."
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @OptionGroup var memory: MemoryFlags

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func run() throws {
        let loaded = try loadModel(model)
        let report = AnalysisReport(model: loaded, options: memory.options)
        if json {
            try printJSON(AnalysisJSON(report))
        } else {
            print((report.lines() + TinyEngineLines.lines(model: loaded, patches: 1, patchLayers: 0)).joined(separator: "\n"))
        }
    }
}
