import ArgumentParser
import PatchTopModel

/// The memory options (`--inplace-depthwise`, `--stream-input`,
/// `--fuse-residual`, `--fold-pad`, `--int8-io`), shared by every command
/// that reports memory or runs the model.
struct MemoryFlags: ParsableArguments {
    @Flag(help: "Depthwise convs (one output channel per input channel) write over their input, as TinyEngine does: max(in, out) plus one padded input channel. `run` executes them so.")
    var inplaceDepthwise = false

    @Flag(help: "Do not hold the graph input in SRAM: it is streamed from the camera/decoder (as the MCUNetV2 paper assumes), and `run` reads it patch by patch from outside the arena.")
    var streamInput = false

    @Flag(help: "Fuse a residual ADD into the conv that feeds it, written over the skip tensor (TinyEngine): the conv output costs one row. `run` executes it so.")
    var fuseResidual = false

    @Flag(help: "Fold a PAD that only convs read into them, as engines that pad inside the conv do (TinyEngine): the padded tensor is never stored. PyTorch exports store such PADs. `run` executes it so.")
    var foldPad = false

    @Flag(name: .customLong("int8-io"), help: "The graph input's QUANTIZE and the outputs' DEQUANTIZE run outside SRAM (the camera delivers int8, the application reads int8): the float tensors cost nothing. `run` still reads and writes float files, converting at the arena's edge.")
    var int8IO = false

    var options: MemoryOptions {
        MemoryOptions(inplaceDepthwise: inplaceDepthwise, streamInput: streamInput, fuseResidual: fuseResidual,
                      foldPad: foldPad, int8IO: int8IO)
    }
}
