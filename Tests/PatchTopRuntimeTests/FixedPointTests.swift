import Foundation
import XCTest
import PatchTopModel
@testable import PatchTopRuntime

final class FixedPointTests: XCTestCase {
    func testQuantizeMultiplierPowersOfTwo() {
        XCTAssertTrue(FixedPoint.quantizeMultiplier(0.5) == (1 << 30, 0))
        XCTAssertTrue(FixedPoint.quantizeMultiplier(1.0) == (1 << 30, 1))
        XCTAssertTrue(FixedPoint.quantizeMultiplier(0.25) == (1 << 30, -1))
        XCTAssertTrue(FixedPoint.quantizeMultiplier(0.75) == (3 << 29, 0))
        XCTAssertTrue(FixedPoint.quantizeMultiplier(0) == (0, 0))
    }

    func testQuantizeMultiplierCarryWhenRoundingReachesTwoToThe31() {
        // Mantissa 1 − 2⁻³³ times 2³¹ is 2³¹ − 0.25, which rounds to 2³¹.
        let m = 1.0 - pow(2.0, -33.0)
        XCTAssertTrue(FixedPoint.quantizeMultiplier(m) == (1 << 30, 1))
    }

    func testQuantizeMultiplierFlushesTinyToZero() {
        XCTAssertTrue(FixedPoint.quantizeMultiplier(pow(2.0, -40.0)) == (0, 0))
        // 2⁻³² is frexp (0.5, −31): still representable.
        XCTAssertTrue(FixedPoint.quantizeMultiplier(pow(2.0, -32.0)) == (1 << 30, -31))
    }

    func testSRDHM() {
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(.min, .min), .max)
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29)
        // Multiplying by 2³⁰ halves: ties round up for positives…
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(3, 1 << 30), 2)
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(1, 1 << 30), 1)
        // …and towards zero for negatives (nudge 1 − 2³⁰, truncating division).
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(-3, 1 << 30), -1)
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(-1, 1 << 30), 0)
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(.min, .max), -2147483647)
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(.max, .max), 2147483646)
    }

    func testRoundingDivideByPOT() {
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(5, 1), 3)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-5, 1), -3)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(4, 1), 2)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-4, 1), -2)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(7, 2), 2)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-6, 2), -2)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-5, 2), -1)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(123, 0), 123)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(.max, 31), 1)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(.min, 31), -1)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(.min, 0), .min)
    }

    func testMultiplyByQuantizedMultiplier() {
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(100, 1 << 30, 0), 50)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(100, 1 << 30, 1), 100)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(100, 1 << 30, -1), 25)
        // Double rounding: 3 → 2 (SRDHM) → 1 (RDBPOT).
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(3, 1 << 30, -1), 1)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(-3, 1 << 30, -1), -1)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(7, 1 << 30, 0), 4)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(-7, 1 << 30, 0), -3)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(1000, 0, 0), 0)
        // Extreme right shift: everything rounds to 0 or ±1.
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(.max, .max, -31), 1)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(.min, .max, -31), -1)
    }

    func testActivationRange() {
        XCTAssertTrue(activationRangeInt8(.none, scale: 0.1, zeroPoint: -10)! == (-128, 127))
        XCTAssertTrue(activationRangeInt8(.relu, scale: 0.1, zeroPoint: -10)! == (-10, 127))
        XCTAssertTrue(activationRangeInt8(.relu6, scale: 0.1, zeroPoint: -10)! == (-10, 50))
        XCTAssertTrue(activationRangeInt8(.reluN1To1, scale: 0.1, zeroPoint: -10)! == (-20, 0))
        XCTAssertTrue(activationRangeInt8(.relu6, scale: 0.01, zeroPoint: -128)! == (-128, 127))
        XCTAssertNil(activationRangeInt8(.tanh, scale: 0.1, zeroPoint: 0))
    }
}

final class SingleRoundingTests: XCTestCase {
    func testSingleRoundingRoundsHalfUpOnce() {
        // ×0.5 (2³⁰, 0): 3 → 1.5 → 2; −3 → −1.5 → −1 (half up); −5 → −2.5 → −2.
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(3, 1 << 30, 0), 2)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(-3, 1 << 30, 0), -1)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(-5, 1 << 30, 0), -2)
        // ×0.25: −3 → −0.75 → −1 where double rounding also gives −1, and 6 → 1.5 → 2.
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(-3, 1 << 30, -1), -1)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(6, 1 << 30, -1), 2)
        // Where the two differ: 5 × 0.25 = 1.25 → 1 once; double rounding 2.5 → 3, then 1.5 → 2.
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(5, 1 << 30, -1), 1)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(5, 1 << 30, -1), 2)
        // Large products do not overflow: Int32.max × (2³¹ − 1)/2³¹.
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(Int64(Int32.max), Int32.max, 0), 2147483646)
    }
}

final class GemmlowpTranscendentalTests: XCTestCase {
    private func q(_ raw: Int32, fractionalBits: Int) -> Double { Double(raw) / Double(Int64(1) << Int64(fractionalBits)) }

    func testExpOnNegativeValues() {
        // Input Q5.26, output Q0.31. exp(0) is exactly "one" (Int32.max).
        XCTAssertEqual(FixedPoint.expOnNegativeValues(0, integerBits: 5), .max)
        for x in [-0.1, -0.25, -1.0, -2.5, -7.0, -20.0] {
            let raw = Int32(x * Double(1 << 26))
            let got = q(FixedPoint.expOnNegativeValues(raw, integerBits: 5), fractionalBits: 31)
            XCTAssertEqual(got, exp(x), accuracy: 2e-6, "exp(\(x))")
        }
    }

    func testOneOverOnePlusX() {
        for x in [0.0, 0.25, 0.5, 0.9] {
            let raw = Int32(min(x * Double(Int64(1) << 31), Double(Int32.max)))
            let got = q(FixedPoint.oneOverOnePlusXForXIn01(raw), fractionalBits: 31)
            XCTAssertEqual(got, 1 / (1 + x), accuracy: 2e-6, "1/(1+\(x))")
        }
    }

    func testSaturatingRoundingMultiplyByPOT() {
        XCTAssertEqual(FixedPoint.saturatingRoundingMultiplyByPOT(3, 2), 12)
        XCTAssertEqual(FixedPoint.saturatingRoundingMultiplyByPOT(1 << 29, 2), .max)
        XCTAssertEqual(FixedPoint.saturatingRoundingMultiplyByPOT(-(1 << 29), 2), .min)
        XCTAssertEqual(FixedPoint.saturatingRoundingMultiplyByPOT(-5, -1), -3)
        XCTAssertEqual(FixedPoint.roundingHalfSum(3, 4), 4)
        XCTAssertEqual(FixedPoint.roundingHalfSum(-3, -4), -4)
    }
}
