/// Assumptions about how activation memory is used, each a visible, named
/// choice, because "why is my peak higher than the paper's?" is almost
/// always one of these.
public struct MemoryOptions: Equatable, Hashable, Sendable {
    /// A depthwise conv writes its output over its input, channel by
    /// channel, as TinyEngine does. It applies where the input is read by no
    /// later op and is not a graph input or output; the op then costs its
    /// larger side plus one channel of its padded input (a staging buffer of
    /// `(H + padTop + padBottom) × (W + padLeft + padRight)` bytes), instead
    /// of input plus output.
    public var inplaceDepthwise: Bool
    /// The graph input is not held in SRAM: a camera or JPEG decoder hands
    /// it over piece by piece, as the MCUNetV2 paper assumes. Graph inputs
    /// then count 0 bytes.
    public var streamInput: Bool
    /// A residual ADD is fused into the conv that feeds it and written over
    /// its skip input, as TinyEngine does (see `FusedResidual`): the conv's
    /// output costs one scratch row instead of a whole tensor.
    public var fuseResidual: Bool
    /// A PAD whose output only convs read is folded into them, as every MCU
    /// engine that pads inside the conv does (TinyEngine among them): the
    /// conv reads the unpadded tensor with the PAD's rows and columns as
    /// window padding, and the padded tensor is never stored. PyTorch
    /// exports store such PADs (see `GraphRewrite`).
    public var foldPad: Bool
    /// The graph input's QUANTIZE (float32 → int8) and the graph outputs'
    /// DEQUANTIZE (int8 → float32) run outside SRAM, as the data crosses
    /// the arena's edge: the int8 tensors are the model's boundary in
    /// memory and the float ones cost nothing. With `streamInput`, the int8
    /// input is what is streamed.
    public var int8IO: Bool

    public init(inplaceDepthwise: Bool = false, streamInput: Bool = false, fuseResidual: Bool = false,
                foldPad: Bool = false, int8IO: Bool = false) {
        self.inplaceDepthwise = inplaceDepthwise
        self.streamInput = streamInput
        self.fuseResidual = fuseResidual
        self.foldPad = foldPad
        self.int8IO = int8IO
    }

    /// TFLite Micro's semantics: every activation whole, no aliasing.
    public static let tfliteMicro = MemoryOptions()

    /// The combinations in the order a key cycles them: TFLite Micro,
    /// in-place depthwise, streamed input, both (the paper's assumptions),
    /// all three (TinyEngine's memory, as the paper's figures count it),
    /// TinyEngine's own rules for exported models (in-place depthwise,
    /// folded PADs, int8 boundary, the input in SRAM), and everything sound
    /// at once.
    public static let all: [MemoryOptions] = [
        MemoryOptions(), MemoryOptions(inplaceDepthwise: true),
        MemoryOptions(streamInput: true), MemoryOptions(inplaceDepthwise: true, streamInput: true),
        MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true),
        MemoryOptions(inplaceDepthwise: true, foldPad: true, int8IO: true),
        .everything,
    ]

    /// Every option at once: in-place depthwise, streamed input, fused
    /// residual, folded PADs, int8 boundary.
    public static let everything = MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true,
                                                 foldPad: true, int8IO: true)

    /// The next combination in `all`, wrapping around.
    public var next: MemoryOptions {
        let index = Self.all.firstIndex(of: self) ?? 0
        return Self.all[(index + 1) % Self.all.count]
    }

    /// Short labels for reports and status lines, e.g. `in-place dw, streamed input`.
    public var summary: String {
        var parts: [String] = []
        if inplaceDepthwise { parts.append("in-place depthwise") }
        if streamInput { parts.append("streamed input") }
        if fuseResidual { parts.append("fused residual") }
        if foldPad { parts.append("folded PAD") }
        if int8IO { parts.append("int8 I/O") }
        return parts.isEmpty ? "TFLite Micro (no in-place, input in SRAM)" : parts.joined(separator: ", ")
    }
}
