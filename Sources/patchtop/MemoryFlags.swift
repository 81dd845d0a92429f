import ArgumentParser
import PatchTopModel

/// `--inplace-depthwise` and `--stream-input`, shared by every command that
/// reports memory.
struct MemoryFlags: ParsableArguments {
    @Flag(help: "Depthwise convs (one output channel per input channel) write over their input, as TinyEngine does: max(in, out) plus one padded input channel. `run` executes them so.")
    var inplaceDepthwise = false

    @Flag(help: "Do not hold the graph input in SRAM: it is streamed from the camera/decoder (as the MCUNetV2 paper assumes), and `run` reads it patch by patch from outside the arena.")
    var streamInput = false

    @Flag(help: "Fuse a residual ADD into the conv that feeds it, written over the skip tensor (TinyEngine): the conv output costs one row. `run` executes it so.")
    var fuseResidual = false

    var options: MemoryOptions { MemoryOptions(inplaceDepthwise: inplaceDepthwise, streamInput: streamInput, fuseResidual: fuseResidual) }
}
