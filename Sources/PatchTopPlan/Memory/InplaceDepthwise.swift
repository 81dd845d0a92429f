/// A depthwise conv that writes its output over its input, as TinyEngine
/// does: channel by channel, each input channel copied to a staging buffer
/// first, so the two tensors share one buffer.
///
/// Only a depthwise conv with one output channel per input channel can: the
/// output's channel `c` then lands only where the input's channel `c` was,
/// which is already staged.
public struct InplaceDepthwise: Equatable, Hashable, Sendable {
    public var op: Int
    public var input: Int
    public var output: Int
    /// Bytes of the one-channel staging buffer.
    public var stagingBytes: Int

    public init(op: Int, input: Int, output: Int, stagingBytes: Int) {
        self.op = op
        self.input = input
        self.output = output
        self.stagingBytes = stagingBytes
    }
}
