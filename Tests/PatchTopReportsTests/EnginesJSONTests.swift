import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import XCTest

final class EnginesJSONTests: XCTestCase {
    func encode(_ value: EnginesJSON) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testNoFigureIsAnExplicitNullWithTheReason() throws {
        let json = EnginesJSON(tflm: .failure(TFLiteMicroUnavailable(reason: "op 3 (CUMSUM) is unknown")))
        XCTAssertEqual(try encode(json), #"{"tflm":null,"tflmUnavailable":"op 3 (CUMSUM) is unknown"}"#)
    }

    func testAFigureListsEveryTailKind() throws {
        let arena = TFLiteMicroArena(arenaBytes: 1_000, headBytes: 600, tailBytes: 400,
                                     tail: [.evalTensors: 240, .interpreter: 160], scratchBufferCount: 0)
        let json = try XCTUnwrap(EnginesJSON(tflm: .success(arena)).tflm)
        XCTAssertEqual(json.arenaBytes, 1_000)
        XCTAssertEqual(json.tail.count, TFLiteMicroArena.TailKind.allCases.count)
        XCTAssertEqual(json.tail["evalTensors"], 240)
        XCTAssertEqual(json.tail["opData"], 0)
        XCTAssertFalse(try encode(EnginesJSON(tflm: .success(arena))).contains("tflmUnavailable"))
    }

    func testAnalyzeTextSaysWhyThereIsNoFigure() {
        XCTAssertEqual(TFLiteMicroText.lines(.failure(TFLiteMicroUnavailable(reason: "the file has 2 subgraphs"))),
                       ["TFLite Micro arena      unavailable: the file has 2 subgraphs"])
    }
}
