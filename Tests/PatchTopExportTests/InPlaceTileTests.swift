import Foundation
import PatchTopExport
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import XCTest

/// In-place depthwise convs computed tile by tile (a patch stage's tiles and
/// a later fused block's, issue 20's tile paths: four channels through a
/// plane on the stack, or a staged region with its edge windows padded on
/// the stack) give the runtime's bytes, for 3×3, 5×5 and 7×7 windows at
/// strides 1 and 2.
extension FirmwareLibraryTests {
    /// The depthwise convs the library runs in place on a tile, read from
    /// the step list at the top of its model source: "(kernel)x(kernel)/(stride)".
    private func inPlaceTileShapes(_ library: FirmwareLibrary, model: Model) throws -> Set<String> {
        let source = try XCTUnwrap(library.files["lib/patchtop_model.c"])
        var shapes: Set<String> = []
        for line in source.split(separator: "\n") where line.contains("DEPTHWISE_CONV_2D, tile") && line.contains("in place") {
            guard let opText = line.split(separator: " ").drop(while: { $0 != "op" }).dropFirst().first,
                  let index = Int(opText) else { continue }
            let op = model.operators[index]
            guard let (h, w) = model.windowGeometry(of: op) else { continue }
            shapes.insert("\(h.filterSize)x\(w.filterSize)/\(max(h.stride, w.stride))")
        }
        return shapes
    }

    func testInPlaceDepthwiseTilesOfEveryWindowEqualTheRuntime() throws {
        // MCUNet's kernel-mix model: 3×3, 5×5 and 7×7 depthwise convs at strides 1 and 2.
        let model = try TFLiteReader.load(path: ExportTestFiles.sample("mcunet-kmix-r112"))
        let prepared = try PreparedModel(model: model)
        let input = seededInput(for: model, seed: 11)
        let options = MemoryOptions(inplaceDepthwise: true, foldPad: true, int8IO: true)
        let count = model.operators.count
        // A long patch stage on 2×2 and 3×3 grids (tiles of the large early
        // maps: staged regions), and fused blocks deeper in the network
        // (tiles of the small late maps: the stack plane), two stages each.
        var specs: [[StageSpec]] = []
        for grid in [TileGrid(rows: 2, cols: 2), TileGrid(rows: 3, cols: 3)] {
            if let n = (2..<count).reversed().first(where: {
                (try? PatchPlan(model: model, stages: [StageSpec(firstOp: 0, lastOp: $0 - 1, grid: grid)], options: options))?.isPatched == true
            }) {
                specs.append([StageSpec(firstOp: 0, lastOp: n - 1, grid: grid)])
            }
        }
        for first in stride(from: count / 3, to: count - 4, by: 3) {
            for grid in [TileGrid(rows: 2, cols: 1), TileGrid(rows: 2, cols: 2)] {
                for length in [6, 3] {
                    let spec = [StageSpec(firstOp: 0, lastOp: 4, grid: TileGrid(rows: 2, cols: 2)),
                                StageSpec(firstOp: first, lastOp: min(first + length, count - 2), grid: grid)]
                    if (try? PatchPlan(model: model, stages: spec, options: options)) != nil { specs.append(spec); break }
                }
            }
        }
        var covered: Set<String> = []
        for spec in specs {
            let plan = try PatchPlan(model: model, stages: spec, options: options)
            let program = try Pipeline(prepared: prepared, plan: plan).program
            let library = try FirmwareLibrary(program: program, target: .host, streamedInput: false)
            covered.formUnion(try inPlaceTileShapes(library, model: model))
            let label = "mcunet-kmix-r112 " + spec.map { "\($0.firstOp)...\($0.lastOp) \($0.grid)" }.joined(separator: ", ")
            try assertExport(program, input: input, label: label)
        }
        // The plans did run each window in place on tiles (else this test would prove nothing).
        for shape in ["3x3/1", "5x5/1", "7x7/1", "3x3/2", "5x5/2", "7x7/2"] where modelHas(shape, model) {
            XCTAssertTrue(covered.contains(shape), "no in-place depthwise \(shape) on a tile among \(specs.count) plans: \(covered.sorted())")
        }
        XCTAssertTrue(covered.contains("3x3/1") && covered.contains("5x5/1") && covered.contains("7x7/1"), "\(covered.sorted())")
    }

    private func modelHas(_ shape: String, _ model: Model) -> Bool {
        model.operators.contains { op in
            guard op.kind == .depthwiseConv2D, let (h, w) = model.windowGeometry(of: op) else { return false }
            return "\(h.filterSize)x\(w.filterSize)/\(max(h.stride, w.stride))" == shape
        }
    }
}
