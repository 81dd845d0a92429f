import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import XCTest

/// Issue 12, failure 6: `plan --json` and `sweep --json` failed with
/// `could not encode JSON output` where a figure was not a number.
final class JSONTextTests: XCTestCase {
    private struct Figures: Encodable {
        var name: String
        var overhead: Double
        var halo: [Double]
    }

    func testNonFiniteFiguresBecomeNull() throws {
        let text = try JSONText.encode(Figures(name: "a/b", overhead: .nan, halo: [.infinity, -.infinity, 0.5]))
        XCTAssertEqual(text, """
        {
          "halo" : [
            null,
            null,
            0.5
          ],
          "name" : "a/b",
          "overhead" : null
        }
        """)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(text.utf8)))
    }

    func testAPlanWithANaNFigureStillEncodes() throws {
        let q = Quantization(scales: [1], zeroPoints: [0])
        let tensors = [Tensor(index: 0, name: "in", shape: [1, 4, 4, 1], type: .int8, quantization: q),
                       Tensor(index: 1, name: "out", shape: [1, 4, 4, 1], type: .int8, quantization: q)]
        let model = try Model(name: "relu", tensors: tensors, operators: [Operator(index: 0, kind: .relu, inputs: [0], outputs: [1])],
                              inputs: [0], outputs: [1])
        var json = PlanJSON(try PatchPlan(model: model, patches: 1, patchLayers: 0), includeRegions: false)
        json.macOverhead = .nan
        XCTAssertTrue(try JSONText.encode(json).contains("\"macOverhead\" : null"))
    }

    func testChangesPrintWithOneSign() {
        XCTAssertEqual(formatPercentChange(0.1), "+10.0%")
        XCTAssertEqual(formatPercentChange(-0.501), "-50.1%")
        XCTAssertEqual(formatPercentChange(.nan), "–")
    }
}
