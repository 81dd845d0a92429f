@testable import PatchTopExport
import XCTest

/// The exporter's weight layouts that the library's assembly loops read.
final class WeightLayoutTests: XCTestCase {
    /// Bytes (lo, hi) as the int16 halves SXTB16 would make of them.
    private func half(_ lo: Int8, _ hi: Int8) -> Int32 {
        Int32(bitPattern: UInt32(UInt16(bitPattern: Int16(lo))) | (UInt32(UInt16(bitPattern: Int16(hi))) << 16))
    }

    func testWideWeightsAreEachWordsSXTB16Halves() {
        // Two paired words, then an odd channel's word that is left out.
        let paired: [Int8] = [1, -2, 3, -128, 127, 0, -1, 5, 9, 9, 9, 9]
        let wide = ModelEmitter.wideFilter(paired, pairBytes: 8)
        XCTAssertEqual(wide, [half(1, 3), half(-2, -128), half(127, -1), half(0, 5)])
        XCTAssertEqual(wide[1], Int32(bitPattern: 0xFF80_FFFE), "negative bytes sign-extend to 16 bits")
    }

    func testWideRecordsInterleaveDoubledBiasesWeightsAndRequantization() {
        // 3 channels of 4 bytes: one pair (the odd channel has no record).
        let paired: [Int8] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9]
        let rq: [Int32] = [10, 11, 12, 20, 21, 22, 30, 31, 32]
        let out = ModelEmitter.wideRecords(paired, rowBytes: 4, outputChannels: 3, fullBias: [100, Int32.max, 7], rq: rq)
        XCTAssertEqual(out, [200, -2, half(1, 3), half(2, 4), half(5, 7), half(6, 8), 10, 11, 12, 20, 21, 22],
                       "2·full_bias wraps like the accumulators")
    }

    func testIm2colLayoutIsOneRowPerChannelPair() {
        // 3 output channels of a 2-tap window on 1 input channel (2 bytes, padded to 4).
        let filter: [Int8] = [1, 2, 3, 4, 5, 6]
        let out = ModelEmitter.pairedFilter(filter, rows: 3, run: 2, rowBytes: 4, outputChannels: 3)
        XCTAssertEqual(out, [1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 0])
    }
}
