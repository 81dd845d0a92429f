/// Output size and padding of a sliding window along one axis, exactly as
/// TFLite computes them (`ComputePaddingHeightWidth`).
///
/// For SAME padding the total padding is split with the smaller half
/// *before*: a stride-2 3×3 conv on 112 rows pads 0 above and 1 below. Every
/// kernel and the patch planner take their geometry from here so that they
/// can never disagree about which input row feeds which output row.
public struct WindowGeometry: Equatable, Hashable, Sendable {
    public var inputSize: Int
    public var filterSize: Int
    public var stride: Int
    public var dilation: Int
    public var outputSize: Int
    /// Zero (or neutral) rows/columns added before the first input element.
    public var padBefore: Int
    /// Rows/columns added after the last input element.
    public var padAfter: Int

    /// `nil` when the parameters cannot describe a real window (stride or
    /// dilation below 1, a filter larger than a VALID input).
    public init?(inputSize: Int, filterSize: Int, stride: Int, dilation: Int = 1, padding: Padding) {
        guard inputSize > 0, filterSize > 0, stride > 0, dilation > 0,
              inputSize < 1 << 30, filterSize < 1 << 20, stride < 1 << 20, dilation < 1 << 20
        else { return nil }
        let effectiveFilter = (filterSize - 1) * dilation + 1
        let output: Int
        switch padding {
        case .same: output = (inputSize + stride - 1) / stride
        case .valid: output = (inputSize - effectiveFilter + stride) / stride
        }
        guard output > 0 else { return nil }
        let total = max((output - 1) * stride + effectiveFilter - inputSize, 0)
        self.inputSize = inputSize
        self.filterSize = filterSize
        self.stride = stride
        self.dilation = dilation
        self.outputSize = output
        self.padBefore = total / 2
        self.padAfter = total - total / 2
    }

    /// Turns `before` and `after` stored rows of the input (a folded PAD's)
    /// into window padding: the window reads the input without them.
    mutating func unfold(before: Int, after: Int) {
        inputSize -= before + after
        padBefore += before
        padAfter += after
    }

    /// Span of the filter including dilation gaps.
    public var effectiveFilterSize: Int { (filterSize - 1) * dilation + 1 }

    /// The input coordinate (possibly negative or past the end, i.e. in the
    /// padding) under filter tap 0 for output position `output`.
    public func inputStart(forOutput output: Int) -> Int { output * stride - padBefore }

    /// The input range `[lower, upper)` that outputs `[outLower, outUpper)`
    /// read, clipped to the real input (padding is not stored anywhere).
    public func inputRange(forOutputs outLower: Int, _ outUpper: Int) -> Range<Int> {
        guard outUpper > outLower else { return 0..<0 }
        let lower = max(inputStart(forOutput: outLower), 0)
        let upper = min(inputStart(forOutput: outUpper - 1) + effectiveFilterSize, inputSize)
        return lower..<max(lower, upper)
    }
}
